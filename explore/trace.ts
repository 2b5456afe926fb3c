// Counterexamples as devpts-trace/1 files: the shortest path the search found, each
// step with the model's own result as its expectation (so `devpts-check replay`
// reproduces it exactly), the violating step last, with the violation note
// (traces/violation.ts); the saved file adds the observation steps that show it
// (traces/evidence.ts).

import { isToolError, type BootConfig, type Op, type ProfileId, type StepResult } from '../model/index.ts';
import { FsLabeler, labelModelResult } from '../traces/labels.ts';
import { saveTrace } from '../traces/save.ts';
import { withEvidence } from '../traces/evidence.ts';
import { violationOf } from '../traces/violation.ts';
import type { Expectation, Trace, TraceStep } from '../traces/types.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TraceInput {
  profile: ProfileId;
  boot?: BootConfig;
  ops: readonly Op[];
  results: readonly StepResult[];
  check: string;
  message: string;
  scope: string;
  title?: string;
  /** Extra top-level keys (kept by the format). */
  extra?: Record<string, unknown>;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The trace of a counterexample, `fs` relabelled as the format wants (devpts1, devpts2, ...). */
export function counterexampleTrace(input: TraceInput): Trace {
  const labeler = new FsLabeler<string>();
  const steps: TraceStep[] = input.ops.map((op, i) => {
    const result = labelModelResult(labeler, input.results[i]!);
    const step: TraceStep = { ...op } as TraceStep;
    if (!isToolError(result)) step.expect = { ...result } as Expectation;
    return step;
  });
  const trace: Trace = {
    format: 'devpts-trace/1',
    profile: input.profile,
    title: input.title ?? `explore: shortest counterexample to ${input.check} on ${input.profile} (scope ${input.scope}, ${plural(steps.length, 'step')})`,
    clauses: [input.check],
    ...(input.boot && Object.keys(input.boot).length > 0 ? { boot: input.boot } : {}),
    steps,
    source: 'explore',
    scope: input.scope,
    violation: { clause: input.check, step: steps.length, message: input.message },
    ...(input.extra ?? {}),
  };
  return trace;
}

/** A file name for a counterexample: <check>-<profile>-<scope>.json (scope names from JSON scopes sanitised). */
export function counterexampleName(check: string, profile: string, scope: string, suffix = ''): string {
  const clean = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${clean(check)}-${clean(profile)}-${clean(scope)}${suffix}.json`;
}

/** The traces as saved: with the observation steps that show the violation (one trace, or a comparison's two sides). */
export function withItsEvidence(sides: readonly Trace[]): Trace[] {
  const t = sides[0]!;
  const v = violationOf(t) ?? { clause: t.clauses?.[0], step: t.steps.length, message: '' };
  return withEvidence(sides, v);
}

/** Save atomically (traces/save.ts) under `dir`; returns the path. */
export async function saveCounterexample(dir: string, name: string, trace: Trace): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await saveTrace(path, trace);
  return path;
}
