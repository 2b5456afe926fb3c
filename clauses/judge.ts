// How a clause's check judges a run: a transition predicate on every step (first
// violation wins), a scenario's or a run's own judge, or a comparison (the other profile
// replays the driver's ops). The random runner applies this to generated runs; a saved
// counterexample is confirmed with it on replay.

import type { Check, RunCheck, TransitionCheck, TransitionCtx } from './checks.ts';
import { comparison } from './comparisons.ts';
import type { Subject } from './run.ts';

/** A run check from a transition predicate: every step of the run, first violation wins. */
export function everyTransition(t: TransitionCheck): RunCheck {
  return (run, witness) => {
    let witnessed = false;
    const ctx = {
      profile: run.subject.profile, step: run.subject.step,
      before: run.states[0]!, op: run.ops[0]!, result: run.results[0]!, after: run.states[0]!,
      witness: () => { if (!witnessed) { witnessed = true; witness(); } },
    } as { -readonly [K in keyof TransitionCtx]: TransitionCtx[K] };
    for (let i = 0; i < run.ops.length; i++) {
      ctx.before = run.states[i]!; ctx.op = run.ops[i]!; ctx.result = run.results[i]!; ctx.after = run.states[i + 1]!;
      const message = t(ctx);
      if (message !== null) return { step: i, message };
    }
    return null;
  };
}

/** The judge of a check over a run of its driver; `other` is a comparison's second subject. */
export function judgeOf(check: Check, other?: Subject): RunCheck {
  switch (check.kind) {
    case 'transition': return everyTransition(check.predicate);
    case 'scenario': case 'run': return check.judge;
    case 'comparison':
      if (!other) throw new Error('a comparison is judged with its other profile');
      return comparison(other, check.premise, check.dropPtmx);
  }
}
