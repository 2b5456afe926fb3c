// The devpts-trace/1 file (../shared/design/trace-format.md) as types.

import type { BootConfig, KernelResult, Op, ProfileId, StepResult } from '../model/index.ts';

/** What a step expects: a partial match on its result (every key present must be equal). */
export type Expectation = Partial<Record<keyof KernelResult | 'ok' | 'errno' | 'fd' | 'index' | 'type' | 'mode' | 'uid' | 'gid' | 'rdev' | 'fs' | 'entries' | 'mounts' | 'value' | 'log', unknown>>;

export type TraceStep = Op & { expect?: Expectation; note?: string };

export interface Trace {
  format: 'devpts-trace/1';
  profile: ProfileId;
  title?: string;
  clauses?: string[];
  boot?: BootConfig;
  steps: TraceStep[];
  /** Unknown top-level keys are kept (seed, path, source, notes, ...). */
  [extra: string]: unknown;
}

/** One replayed step: the op, its result with `fs` relabelled (devpts1, devpts2, ...), and the expectation check. */
export interface ReplayedStep {
  index: number;          // 1-based step number
  op: TraceStep;
  result: StepResult;
  expect?: Expectation;
  /** true: expectation holds; false: it fails; null: no expectation. */
  holds: boolean | null;
}

/** A trace's overall verdict: every expectation holds, or one fails. */
export type ReplayVerdict = 'holds' | 'fails';

/**
 * One replay of one trace, whatever ran it (the model here; the live kernel later):
 * the replayed steps (up to the first failing one when the replay stops there) and
 * the first step whose expectation failed.
 */
export interface ReplayOutcome {
  file: string;
  trace: Trace;
  /** Who produced the results: "model", later "kernel". */
  engine: string;
  steps: ReplayedStep[];
  firstFailure: ReplayedStep | null;
  verdict: ReplayVerdict;
}
