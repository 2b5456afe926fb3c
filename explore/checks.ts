// What the explorer checks on every transition: every clause of the catalogue
// (clauses/) whose check is a transition predicate (the invariants I1–I5 among them).
// Comparison clauses (D5, U1, R1, R2) are explored on the product of their pair
// (explore/product.ts, from the same record). Clauses judged on a whole scenario or run
// (D8, U2–U5, U7) are not judgeable transition by transition; the explorer says so
// instead of pretending.

import type { KernelState, Op, Profile, StepResult } from '../model/index.ts';
import { stepWith } from '../model/step.ts';
import { CLAUSES, INVARIANTS, type Clause, type InvariantId, type TransitionCtx } from '../clauses/index.ts';
import type { SearchCheck } from './bfs.ts';

export interface CheckPlan {
  /** Transition checks, in catalogue order (invariants first). */
  checks: SearchCheck<KernelState>[];
  /** Comparison clauses (explored on the product) that involve this profile. */
  product: Clause[];
  /** Clauses the explorer does not judge on this profile, with the reason. */
  notJudged: { id: string; reason: string }[];
}

/** Every check id the explorer knows (for usage errors). */
export function knownCheckIds(): string[] {
  return CLAUSES.map((c) => c.id);
}

/** How the explorer can judge a clause: on transitions, on the product, or not at all. */
export function explorerMode(c: Clause): 'transition' | 'product' | 'scenario' {
  return c.check.kind === 'transition' ? 'transition' : c.check.kind === 'comparison' ? 'product' : 'scenario';
}

/**
 * The checks for one profile. `ids` empty: every clause of the catalogue that speaks
 * about the profile. A transition clause's predicate gets one reused context per plan
 * (the hot path: no allocation per transition); a state-only invariant is judged once
 * per distinct state; comparison clauses go to the product search; scenario and run
 * clauses are reported as not judged here.
 */
export function planChecks(profile: Profile, ids: readonly string[] = []): CheckPlan {
  const wanted = ids.length === 0 ? CLAUSES : ids.map((id) => CLAUSES.find((c) => c.id === id) ?? id);
  const checks: SearchCheck<KernelState>[] = [];
  const product: Clause[] = [];
  const notJudged: { id: string; reason: string }[] = [];
  const step = (state: KernelState, op: Op) => stepWith(profile, state, op);
  for (const c of wanted) {
    if (typeof c === 'string') { notJudged.push({ id: c, reason: 'is not in the clause catalogue' }); continue; }
    if (!c.profiles.includes(profile.id)) {
      if (ids.length > 0) notJudged.push({ id: c.id, reason: `does not speak about ${profile.id} (${c.check.kind === 'comparison' ? c.check.pair.join(' vs ') : c.profiles.join(', ')})` });
      continue;
    }
    const check = c.check;
    switch (check.kind) {
      case 'transition': {
        // an invariant is called as it is (its record's predicate only adds witness counting,
        // which the search does not report): the hot path of every search
        if (c.kind === 'I' && c.id in INVARIANTS) {
          const inv = INVARIANTS[c.id as InvariantId];
          checks.push({ id: c.id, ...(check.stateOnly ? { stateOnly: true } : {}), check: (before, op, result, after) => inv(profile, before, op, result, after) });
          break;
        }
        const predicate = check.predicate;
        const ctx = { profile, step, before: null as unknown as KernelState, op: null as unknown as Op, result: null as unknown as StepResult, after: null as unknown as KernelState } as { -readonly [K in keyof TransitionCtx]: TransitionCtx[K] };
        checks.push({
          id: c.id,
          ...(check.stateOnly ? { stateOnly: true } : {}),
          check: (before, op, result, after) => { ctx.before = before; ctx.op = op; ctx.result = result; ctx.after = after; return predicate(ctx); },
        });
        break;
      }
      case 'comparison':
        product.push(c);
        break;
      default:
        notJudged.push({ id: c.id, reason: `is judged on a whole ${check.kind === 'scenario' ? 'scenario run' : 'run'}, not on one transition (the random runner judges it)` });
    }
  }
  // invariants first, as the catalogue lists them last
  checks.sort((x, y) => Number(!x.id.startsWith('I')) - Number(!y.id.startsWith('I')));
  return { checks, product, notJudged };
}
