// The machine-readable record of one replay (`devpts-check replay --json`, one per line).

import type { StepResult } from '../model/index.ts';
import { differingKeys } from './expect.ts';
import type { Expectation, ReplayedStep, ReplayOutcome, ReplayVerdict } from './types.ts';

export interface StepRecord {
  step: number;
  pid: number;
  op: string;
  /** The op's own fields (without op, pid, expect, note). */
  args: Record<string, unknown>;
  result: StepResult;
  expect?: Expectation;
  holds: boolean | null;
}

export interface ReplayRecord {
  file: string;
  profile: string;
  title: string | null;
  clauses: string[];
  engine: string;
  verdict: ReplayVerdict;
  steps: StepRecord[];
  firstFailure: { step: number; expected: Expectation; actual: StepResult; differingKeys: string[] } | null;
}

/** A trace that could not be replayed (unreadable, invalid, a tool error): verdict "error". */
export interface ErrorRecord { file: string; verdict: 'error'; error: string }

export function stepRecord(s: ReplayedStep): StepRecord {
  const { op, pid, expect, note: _note, ...args } = s.op as Record<string, unknown> & { op: string; pid?: number; expect?: Expectation; note?: string };
  return { step: s.index, pid: pid ?? 1, op, args, result: s.result, ...(expect ? { expect } : {}), holds: s.holds };
}

export function replayRecord(outcome: ReplayOutcome): ReplayRecord {
  const f = outcome.firstFailure;
  return {
    file: outcome.file,
    profile: outcome.trace.profile,
    title: outcome.trace.title ?? null,
    clauses: outcome.trace.clauses ?? [],
    engine: outcome.engine,
    verdict: outcome.verdict,
    steps: outcome.steps.map(stepRecord),
    firstFailure: f ? { step: f.index, expected: f.expect!, actual: f.result, differingKeys: differingKeys(f.expect!, f.result) } : null,
  };
}
