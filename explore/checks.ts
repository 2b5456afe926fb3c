// What the explorer checks on every transition: the invariants I1–I5 and every clause
// of the catalogue that can be judged on one transition (properties/clauses.ts, each with
// a `transition`). Clauses that compare two profiles (D5, U1, R1, R2) are explored on
// the product (explore/product.ts). Clauses judged on a whole scenario run (D8, U2–U5,
// U7) are not judgeable transition by transition; the explorer says so instead of
// pretending.

import type { KernelState, Op, Profile, StepResult } from '../model/index.ts';
import { stepWith } from '../model/step.ts';
import { CLAUSES, type Clause } from '../properties/clauses.ts';
import { INVARIANTS } from '../properties/invariants.ts';
import type { TransitionCtx } from '../properties/transitions.ts';
import type { TransitionCheck } from './bfs.ts';
import { PRODUCTS, type ProductId } from './product.ts';

export const INVARIANT_IDS = Object.keys(INVARIANTS) as (keyof typeof INVARIANTS)[];

/**
 * Invariants that are properties of the state after a step: I2 (listings) and I3 (ptys
 * and handles) read `after` only (properties/invariants.ts; `before` only to skip a step
 * that left instances, handles and mounts untouched, whose `after` was judged already).
 * Their verdict on a state is the same whichever transition reaches it, and the same on
 * every state with its canonical key (they look at structure, not at names), so the
 * explorer judges them once per distinct state (test/explore/checks.test.ts checks
 * that they do not depend on `before`).
 */
export const STATE_INVARIANTS: ReadonlySet<string> = new Set(['I2', 'I3']);

export interface CheckPlan {
  /** Transition checks, in catalogue order (invariants first). */
  checks: TransitionCheck<KernelState>[];
  /** Comparison clauses (explored on the product) that involve this profile. */
  product: ProductId[];
  /** Clauses the explorer does not judge on this profile, with the reason. */
  notJudged: { id: string; reason: string }[];
}

/** Every check id the explorer knows (for usage errors). */
export function knownCheckIds(): string[] {
  return CLAUSES.map((c) => c.id);
}

/** How the explorer can judge a clause: on transitions, on the product, or not at all. */
export function explorerMode(c: Clause): 'transition' | 'product' | 'scenario' {
  if (c.pair) return 'product';
  return c.transition || c.kind === 'I' ? 'transition' : 'scenario';
}

/**
 * The checks for one profile. `ids` empty: every clause of the catalogue that speaks
 * about the profile. Invariants use properties/invariants.ts directly (the catalogue's
 * wrapper only adds witness counting); clauses their `transition`; comparison clauses
 * go to the product search; scenario clauses are reported as not judged here.
 */
export function planChecks(profile: Profile, ids: readonly string[] = []): CheckPlan {
  const wanted = ids.length === 0 ? CLAUSES : ids.map((id) => CLAUSES.find((c) => c.id === id) ?? id);
  const checks: TransitionCheck<KernelState>[] = [];
  const product: ProductId[] = [];
  const notJudged: { id: string; reason: string }[] = [];
  const step = (state: KernelState, op: Op) => stepWith(profile, state, op);
  for (const c of wanted) {
    if (typeof c === 'string') { notJudged.push({ id: c, reason: 'is not in the clause catalogue' }); continue; }
    if (!c.profiles.includes(profile.id)) {
      if (ids.length > 0) notJudged.push({ id: c.id, reason: `does not speak about ${profile.id} (${c.pair ? c.pair.join(' vs ') : c.profiles.join(', ')})` });
      continue;
    }
    switch (explorerMode(c)) {
      case 'transition':
        if (c.kind === 'I') {
          const inv = INVARIANTS[c.id as keyof typeof INVARIANTS];
          checks.push({ id: c.id, stateOnly: STATE_INVARIANTS.has(c.id), check: (before, op, result, after) => inv(profile, before, op, result, after) });
        } else {
          const fn = c.transition!;
          checks.push({
            id: c.id,
            check: (before: KernelState, op: Op, result: StepResult, after: KernelState) => {
              const ctx: TransitionCtx = { profile, before, op, result, after, step };
              return fn(ctx);
            },
          });
        }
        break;
      case 'product':
        if (c.id in PRODUCTS) product.push(c.id as ProductId);
        else notJudged.push({ id: c.id, reason: 'compares two profiles, but the explorer has no product definition for it (explore/product.ts PRODUCTS)' });
        break;
      case 'scenario':
        notJudged.push({ id: c.id, reason: 'is judged on a whole scenario run, not on one transition (the random runner judges it)' });
        break;
    }
  }
  // invariants first, as the catalogue lists them last
  checks.sort((x, y) => Number(!x.id.startsWith('I')) - Number(!y.id.startsWith('I')));
  return { checks, product, notJudged };
}
