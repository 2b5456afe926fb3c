// Verdicts and counterexamples: the one declaration of each, which every engine (the random
// runner, the explorer, the live-kernel replay) and the report use.

import type { BootConfig, Op, ProfileId, StepResult } from '../model/index.ts';

/**
 * A clause on a profile (or on a pair): holds (no counterexample within the budget),
 * violated (a counterexample), n/a (the clause does not speak about the profile),
 * not-judged (an engine cannot judge it: the explorer and a scenario clause), incomplete
 * (a search stopped early), error (the checks could not run).
 */
export type Verdict = 'holds' | 'violated' | 'n/a' | 'not-judged' | 'incomplete' | 'error';

/** One profile's side of a counterexample: from boot, the steps and what the model answered. */
export interface CounterexampleSide {
  readonly profile: ProfileId;
  readonly boot: BootConfig;
  readonly ops: readonly Op[];
  readonly results: readonly StepResult[];
}

/**
 * A counterexample to a clause, whoever found it: one side, or both sides of a comparison
 * (the same ops on the two profiles, the other side possibly shorter where it could not go on).
 */
export interface Counterexample {
  readonly clause: string;
  /** What the check saw go wrong. */
  readonly message: string;
  /** 1-based step at which the violation shows (the last step of the driver's side). */
  readonly step: number;
  readonly sides: readonly CounterexampleSide[];
}
