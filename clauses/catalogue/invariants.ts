// The invariants I1-I5: every profile, after every step (clauses/invariants.ts has their
// precise forms).

import type { Generation, TransitionCheck } from '../checks.ts';
import { INVARIANTS, type InvariantId } from '../invariants.ts';
import { ALL, expectAll, type Clause } from '../record.ts';

const STATEMENTS: Record<InvariantId, string> = {
  I1: 'within an instance, allocated indices are unique, and a new pty gets the lowest free index',
  I2: 'the listing of a mounted devpts is exactly its ptmx node (if any) plus the indices whose master is open',
  I3: 'every pty belongs to exactly one instance; no open handle refers to a freed pty',
  I4: 'no instance holds more ptys than its limits allow',
  I5: 'a failed step (errno) leaves the state unchanged, except where a clause above says otherwise (K1, K4, K11)',
};
const FORMS: Record<InvariantId, string> = {
  I1: 'after every successful ptmx open: the reported index is the master\'s, was not held, is the lowest free in its instance, and the instance gained exactly one pty.',
  I2: 'after every step changing instances, handles or mounts: every instance has a ptmx node iff the profile has one, and lists an index iff a master handle on it is open.',
  I3: 'after every step changing instances or handles: every handle names a live pty of an existing instance; a pty\'s open ends match its handles (at most one master); no allocated pty has both ends closed.',
  I4: 'whenever a pty is allocated: the profile\'s limits (K5, model/limits.ts) were not reached in the state before.',
  I5: 'after every failed step: the state is unchanged, except that a remount failing with EINVAL on 2.6.39/3.4 may change the remounted instance\'s options and set its ptmx node\'s mode to the resulting ptmxmode (nothing else), and a devpts mount refused by do_add_mount after devpts_mount ran (EBUSY, K11; ENOTDIR) may change the initial instance\'s options (nothing else); on 6.x nothing changes.',
};
/** Where an invariant wants more of some steps than the default mix. */
const GENERATION: Partial<Record<InvariantId, Generation>> = {
  I4: { weights: { sysctl: 10, openPtmx: 20, pty: 6 } },
  I5: { weights: { remount: 10 } },
};
/**
 * I2 (listings) and I3 (ptys and handles) read the state after a step only (`before` only
 * to skip a step that left instances, handles and mounts untouched): the explorer judges
 * them once per distinct state (test/explore/checks.test.ts checks that they do not depend on `before`).
 */
const STATE_ONLY: ReadonlySet<InvariantId> = new Set(['I2', 'I3']);

const predicate = (id: InvariantId): TransitionCheck => (ctx) => {
  const v = INVARIANTS[id](ctx.profile, ctx.before, ctx.op, ctx.result, ctx.after);
  if (v === null) ctx.witness?.();
  return v;
};

export const INVARIANT_CLAUSES: readonly Clause[] = (['I1', 'I2', 'I3', 'I4', 'I5'] as const).map((id): Clause => ({
  id, kind: 'I', profiles: ALL, expected: expectAll(ALL, 'holds'),
  statement: STATEMENTS[id],
  code: 'an invariant of the model\'s semantics (clauses/invariants.ts documents the precise form).',
  formalization: FORMS[id],
  check: {
    kind: 'transition', predicate: predicate(id),
    ...(STATE_ONLY.has(id) ? { stateOnly: true } : {}),
    ...(GENERATION[id] ? { generation: GENERATION[id] } : {}),
  },
}));
