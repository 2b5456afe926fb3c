// The one shape of a counterexample's violation note in a trace file (README, "Trace
// files"): the clause, the 1-based step at which it is violated, what breaks in words
// (instances named by their `fs` labels), and the observation steps added as evidence.
//
//   "violation": { "clause": "U6", "step": 2, "message": "...", "evidence": [1, 3, 4] }
//
// Older files carried a bare string or `{ step, message }`; both still load (read as
// this shape), anything else is a load error naming the field.

import type { Trace } from './types.ts';

export interface ViolationNote {
  /** The clause or invariant ID ("U6", "I3"); absent in notes written before it was recorded. */
  readonly clause?: string;
  /** 1-based number of the step at which the violation shows. */
  readonly step: number;
  /** What breaks, in words. */
  readonly message: string;
  /** 1-based numbers of the observation steps added to show it (before and after `step`). */
  readonly evidence?: readonly number[];
}

/** A document finding (D, U, R clauses) or a model bug (K kernel facts, I invariants). */
export type ViolationKind = 'finding' | 'model bug';

/** D/U/R: the document and the kernel code disagree (a finding); K/I: the model is wrong (a bug). */
export function violationKind(clause: string | undefined): ViolationKind | null {
  const letter = clause?.[0];
  if (letter === 'D' || letter === 'U' || letter === 'R') return 'finding';
  if (letter === 'K' || letter === 'I') return 'model bug';
  return null;
}

/** The kind in words, as the report and every command say it. */
export function kindWords(kind: ViolationKind | null): string {
  return kind === 'finding' ? 'a finding: the document and the kernel code disagree'
    : kind === 'model bug' ? 'a model bug: the model breaks a kernel fact or invariant it must keep'
      : 'a violation';
}

/** The problem with a `violation` value, or null (absent or well-formed). */
export function violationProblem(raw: unknown, steps: number): { field: string; message: string } | null {
  if (raw === undefined || typeof raw === 'string') return null; // legacy: the message alone
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { field: 'violation', message: 'must be an object { "clause", "step", "message", "evidence" }' };
  const v = raw as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['clause', 'step', 'message', 'evidence'].includes(key)) return { field: `violation.${key}`, message: 'unknown key (clause, step, message, evidence)' };
  }
  if (v.clause !== undefined && (typeof v.clause !== 'string' || !/^[A-Z][0-9]+$/.test(v.clause))) return { field: 'violation.clause', message: 'must be a clause ID such as "U6"' };
  if (!Number.isInteger(v.step) || (v.step as number) < 1 || (v.step as number) > Math.max(1, steps)) return { field: 'violation.step', message: `must be a step number from 1 to ${Math.max(1, steps)}` };
  if (typeof v.message !== 'string') return { field: 'violation.message', message: 'must be a string' };
  if (v.evidence !== undefined && !(Array.isArray(v.evidence) && v.evidence.every((n) => Number.isInteger(n) && n >= 1 && n <= steps))) {
    return { field: 'violation.evidence', message: `must be a list of step numbers from 1 to ${steps}` };
  }
  return null;
}

/** The trace's violation note in the one shape, or null when it has none. */
export function violationOf(trace: Trace): ViolationNote | null {
  const raw = trace.violation;
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') {
    const clause = trace.clauses?.length === 1 ? trace.clauses[0] : undefined;
    return { ...(clause ? { clause } : {}), step: trace.steps.length, message: raw };
  }
  const v = raw as ViolationNote;
  const clause = v.clause ?? (trace.clauses?.length === 1 ? trace.clauses[0] : undefined);
  return { ...v, ...(clause ? { clause } : {}) };
}
