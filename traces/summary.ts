// The machine-readable record of one replay (`devpts-check replay --json`, one per line).

import type { StepResult } from '../model/index.ts';
import { differingKeys } from './expect.ts';
import type { BootConfig } from '../model/index.ts';
import type { Expectation, ReplayedStep, ReplayOutcome, ReplayVerdict } from './types.ts';
import { violationKind, violationOf, type ViolationKind, type ViolationNote } from './violation.ts';

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

/**
 * A replay's verdict: "holds" (every expectation holds), "fails" (one does not), and for
 * a counterexample trace whose expectations all hold "reproduced": it demonstrates its
 * violation (a violation trace never reads as "holds").
 */
export type RecordVerdict = ReplayVerdict | 'reproduced';

export interface ReplayRecord {
  file: string;
  profile: string;
  title: string | null;
  clauses: string[];
  engine: string;
  verdict: RecordVerdict;
  /** Whether every expectation held (the verdict says what that means for this trace). */
  expectations: 'hold' | 'fail';
  /** The boot the trace depends on (operations.md; {} is the default boot). */
  boot: BootConfig;
  /** The violation the trace demonstrates (traces/violation.ts), with its kind; null for other traces. */
  violation: (ViolationNote & { kind: ViolationKind | null }) | null;
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
  const v = violationOf(outcome.trace);
  return {
    file: outcome.file,
    profile: outcome.trace.profile,
    title: outcome.trace.title ?? null,
    clauses: outcome.trace.clauses ?? [],
    engine: outcome.engine,
    verdict: v && outcome.verdict === 'holds' ? 'reproduced' : outcome.verdict,
    expectations: outcome.verdict === 'holds' ? 'hold' : 'fail',
    boot: outcome.trace.boot ?? {},
    violation: v ? { ...v, kind: violationKind(v.clause) } : null,
    steps: outcome.steps.map(stepRecord),
    firstFailure: f ? { step: f.index, expected: f.expect!, actual: f.result, differingKeys: differingKeys(f.expect!, f.result) } : null,
  };
}
