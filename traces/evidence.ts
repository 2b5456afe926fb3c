// Counterexamples carry their evidence: observation steps (stat, readdir, and any
// observation op the model knows: `mounts`, `fstat`) around the violating step, each
// with the model's result as its `expect`, so that replaying the trace on the model
// *and on a kernel* shows what breaks ("/dev/pts/ptmx 0666 before the remount, 0000
// after"), not only that the steps ran.
//
// One function for every saver (check, explore, report): `withEvidence(sides, violation)`.
// The observations are computed by running the trace on the model:
//   - candidates: every observer below, for the violating step's process (then init and
//     the other live processes when they see something else), on the well-known devpts
//     paths and every path the trace names;
//   - kept: those whose result the violating step changes (shown before and after it),
//     those whose result differs between the two sides of a comparison, and, when the
//     step changed nothing observable, those about the paths the step itself names;
//   - an observation is kept only where it is a kernel result on every side (never a
//     tool error), and the same observations go into every side, so a comparison's two
//     traces stay step-aligned.
// Observations never change the state (operations.md: stat, readdir, mounts, fstat),
// so the violation is still judged on the same states.
//
// A new observation op plugs in by adding an Observer; it is used as soon as the
// model's validateOp accepts it (model/ops.ts OP_NAMES), and ignored until then.

import { isToolError, step, validateOp, type KernelState, type Op, type StepResult } from '../model/index.ts';
import { deepEqual } from './expect.ts';
import { FsLabeler, labelModelResult } from './labels.ts';
import { opOnly, relabelText, runLabels, runSteps } from './run-labels.ts';
import type { Expectation, Trace, TraceStep } from './types.ts';
import { violationOf, type ViolationNote } from './violation.ts';

/** What an observer may look at: the state after the violating step, one process, the paths of the trace. */
export interface ObserveContext {
  readonly state: KernelState;
  readonly pid: number;
  readonly paths: readonly string[];
}

/** Proposes observation ops; each must leave the state unchanged. */
export type Observer = (ctx: ObserveContext) => Record<string, unknown>[];

/** The paths every devpts question is about (operations.md, "The world at boot"). */
export const WELL_KNOWN_PATHS: readonly string[] = ['/dev/ptmx', '/dev/pts/ptmx', '/dev/pts'];

/** Where instances can hang: readdir is worth asking there. */
const isDirIn = (ctx: ObserveContext, path: string): boolean => {
  const r = step(ctx.state, { op: 'stat', pid: ctx.pid, path } as Op).result;
  return 'ok' in r && r.type === 'dir';
};

export const OBSERVERS: readonly Observer[] = [
  (ctx) => ctx.paths.map((path) => ({ op: 'stat', pid: ctx.pid, path })),
  (ctx) => ctx.paths.filter((p) => isDirIn(ctx, p)).map((path) => ({ op: 'readdir', pid: ctx.pid, path })),
  // issue 13's observation ops: used once the model knows them
  (ctx) => [{ op: 'mounts', pid: ctx.pid }],
  (ctx) => Object.keys(ctx.state.handles).filter((fd) => ctx.state.handles[fd]!.pid === ctx.pid).map((fd) => ({ op: 'fstat', pid: ctx.pid, fd })),
];

const MAX_BEFORE = 4;
const MAX_AFTER = 6;
const MAX_PIDS = 3;
const MAX_PATHS = 12;
const PATH_FIELDS = ['path', 'target', 'source'] as const;

export const EVIDENCE_BEFORE_NOTE = 'evidence: before the violating step';
export const EVIDENCE_AFTER_NOTE = 'evidence: after the violating step';

export interface ViolationInput {
  readonly clause?: string;
  /** 1-based number of the violating step (in the traces as given, without evidence). */
  readonly step: number;
  readonly message: string;
}

/**
 * The paths a trace's ops name (a symlink's body is not a path of the world), and beside
 * every ptmx node its sibling `pts`, where 6.x looks for the instance to allocate in
 * (fs/devpts/inode.c devpts_ptmx_path, 4.7+).
 */
function pathsOf(ops: readonly Op[]): string[] {
  const out = [...WELL_KNOWN_PATHS];
  const add = (p: string) => { if (!out.includes(p)) out.push(p); };
  for (const op of ops) {
    for (const f of PATH_FIELDS) {
      if (op.op === 'symlink' && f === 'target') continue;
      const v = (op as unknown as Record<string, unknown>)[f];
      if (typeof v !== 'string' || !v.startsWith('/')) continue;
      add(v);
      if (/\/ptmx$/.test(v)) add(v.replace(/ptmx$/, 'pts'));
    }
  }
  return out.slice(0, MAX_PATHS);
}

/** The paths one op names. */
function namedBy(op: Op): string[] {
  return PATH_FIELDS.filter((f) => !(op.op === 'symlink' && f === 'target'))
    .map((f) => (op as unknown as Record<string, unknown>)[f])
    .filter((v): v is string => typeof v === 'string');
}

/** A stat of the `pts` beside a ptmx node the step names. */
function siblingOfNamed(op: Op, named: ReadonlySet<string>): boolean {
  return op.op === 'stat' && /\/pts$/.test(op.path) && named.has(op.path.replace(/pts$/, 'ptmx'));
}

/** The trace as it was before evidence was added (steps, violation step and marks restored). */
export function withoutEvidence(trace: Trace): Trace {
  const raw = trace.violation as { evidence?: number[] } | undefined;
  const v = violationOf(trace);
  if (!v || !raw || typeof raw !== 'object' || !Array.isArray(raw.evidence) || raw.evidence.length === 0) return trace;
  const drop = new Set(raw.evidence);
  const shift = (n: number) => n - [...drop].filter((d) => d < n).length;
  const steps = trace.steps.filter((_, i) => !drop.has(i + 1));
  const { evidence: _e, ...rest } = v;
  const out: Trace = { ...trace, steps, violation: { ...rest, step: shift(v.step) } };
  if (isMarks(trace.marks)) out.marks = Object.fromEntries(Object.entries(trace.marks).map(([k, n]) => [k, shift(n)]));
  return out;
}

const isMarks = (m: unknown): m is Record<string, number> =>
  typeof m === 'object' && m !== null && !Array.isArray(m) && Object.values(m).every((n) => Number.isInteger(n));

interface Side {
  readonly trace: Trace;
  readonly ops: Op[];
  readonly before: KernelState;
  readonly after: KernelState;
  readonly labels: Map<string, string>;
}

/** A result in words that compare across profiles: `fs` as the side's label. */
function comparable(r: StepResult, labels: ReadonlyMap<string, string>): unknown {
  if (!('ok' in r) || r.fs === undefined) return r;
  return { ...r, fs: labels.get(r.fs) ?? r.fs };
}

/**
 * The traces with the violation note in its one shape and the observation steps that
 * show it, every expectation recomputed on the model. `sides`: one trace, or the two
 * sides of a comparison (the same steps on two profiles). Where the traces cannot be
 * run to the violating step, only the note is set.
 */
export function withEvidence(sidesIn: readonly Trace[], violation: ViolationInput, observers: readonly Observer[] = OBSERVERS): Trace[] {
  const bases = sidesIn.map(withoutEvidence);
  const k = violation.step;
  const noted = (t: Trace, extra: Partial<ViolationNote> = {}): Trace => ({
    ...t,
    violation: {
      ...(violation.clause ? { clause: violation.clause } : {}),
      step: k, message: relabelText(violation.message, safeLabels(t)), ...extra,
    },
  });
  const sides: Side[] = [];
  for (const t of bases) {
    const ops = t.steps.map(opOnly);
    if (k < 1 || k > ops.length) return bases.map((b) => noted(b));
    let run;
    try { run = runSteps(t.profile, t.boot, ops); } catch { return bases.map((b) => noted(b)); }
    if (run.results.length < ops.length) return bases.map((b) => noted(b));
    sides.push({ trace: t, ops, before: run.states[k - 1]!, after: run.states[k]!, labels: runLabels(run.states, run.results) });
  }
  const driver = sides[0]!;
  const violating = driver.ops[k - 1]!;
  const stepPid = violating.pid ?? 1;
  const paths = pathsOf(sides.flatMap((s) => s.ops));
  const named = new Set(namedBy(violating));

  // candidates, for the step's process first, then init and the other live processes
  const pids = [stepPid, 1, ...Object.keys(driver.after.procs).map(Number).sort((a, b) => a - b)]
    .filter((p, i, all) => all.indexOf(p) === i && driver.after.procs[p] !== undefined)
    .slice(0, MAX_PIDS);
  type Candidate = { op: Op; before: boolean; changed: boolean; differs: boolean; named: boolean };
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const pid of pids) {
    const ctx: ObserveContext = { state: driver.after, pid, paths };
    for (const observer of observers) {
      for (const raw of observer(ctx)) {
        if (validateOp(raw) !== null) continue; // an observation op this model does not know (yet)
        const op = raw as unknown as Op;
        const afterResults = sides.map((s) => step(s.after, op).result);
        if (afterResults.some(isToolError)) continue;
        const beforeResults = sides.map((s) => step(s.before, op).result);
        const beforeValid = !beforeResults.some(isToolError);
        const changed = beforeValid && sides.some((_, i) => !deepEqual(beforeResults[i], afterResults[i]));
        const shown = afterResults.map((r, i) => comparable(r, sides[i]!.labels));
        const shownBefore = beforeValid ? beforeResults.map((r, i) => comparable(r, sides[i]!.labels)) : null;
        // the sides differ because of this step (not since an earlier one)
        const differs = shown.some((r) => !deepEqual(r, shown[0])) && (shownBefore === null || shownBefore.every((r) => deepEqual(r, shownBefore[0])));
        // another process seeing the same as the step's process adds nothing
        const { pid: _p, ...what } = raw;
        const signature = JSON.stringify([what, shownBefore, shown]);
        if (seen.has(signature)) continue;
        seen.add(signature);
        const isNamed = pid === stepPid && typeof raw.path === 'string' && named.has(raw.path);
        candidates.push({ op, before: beforeValid, changed, differs, named: isNamed });
      }
    }
  }
  const changed = candidates.filter((c) => c.changed);
  const differs = candidates.filter((c) => !c.changed && c.differs);
  let after = [...changed, ...differs];
  if (after.length === 0) after = candidates.filter((c) => c.named || siblingOfNamed(c.op, named));
  if (after.length === 0) after = candidates.filter((c) => c.op.pid === stepPid).slice(0, 2);
  after = after.slice(0, MAX_AFTER);
  const before = changed.filter((c) => after.includes(c) && c.before).slice(0, MAX_BEFORE);

  const note = (op: Op, text: string): TraceStep => ({ ...op, note: text } as TraceStep);
  const evidence = [
    ...before.map((_, i) => k + i),                       // 1-based: right before the violating step
    ...after.map((_, i) => k + before.length + 1 + i),    // right after it
  ];
  const out: Trace[] = [];
  for (const s of sides) {
    const t = s.trace;
    const steps: TraceStep[] = [
      ...t.steps.slice(0, k - 1),
      ...before.map((c) => note(c.op, EVIDENCE_BEFORE_NOTE)),
      t.steps[k - 1]!,
      ...after.map((c) => note(c.op, EVIDENCE_AFTER_NOTE)),
      ...t.steps.slice(k),
    ];
    const expected = expectAll(t, steps, new Set(evidence));
    if (expected === null) { out.push(noted(t)); continue; }
    const shifted: Trace = { ...t, steps: expected.steps };
    if (isMarks(t.marks)) shifted.marks = Object.fromEntries(Object.entries(t.marks).map(([m, n]) => [m, n >= k ? n + before.length : n]));
    out.push({
      ...shifted,
      violation: {
        ...(violation.clause ? { clause: violation.clause } : {}),
        step: k + before.length,
        message: relabelText(violation.message, expected.labels),
        evidence,
      },
    });
  }
  return out;
}

/**
 * Every step's expectation as the model's result (labelled), for the steps that had
 * one and the evidence steps; null when the steps do not run (a tool error).
 */
function expectAll(t: Trace, steps: TraceStep[], evidence: ReadonlySet<number>): { steps: TraceStep[]; labels: Map<string, string> } | null {
  const ops = steps.map(opOnly);
  const run = runSteps(t.profile, t.boot, ops);
  if (run.results.length < ops.length) return null;
  const labeler = new FsLabeler<string>();
  const out = steps.map((s, i) => {
    const result = labelModelResult(labeler, run.results[i]!);
    if (s.expect === undefined && !evidence.has(i + 1)) return s;
    const { expect: _e, note, ...op } = s;
    return { ...op, expect: { ...(result as object) } as Expectation, ...(note !== undefined ? { note } : {}) } as TraceStep;
  });
  return { steps: out, labels: runLabels(run.states, run.results) };
}

function safeLabels(t: Trace): Map<string, string> {
  try {
    const run = runSteps(t.profile, t.boot, t.steps.map(opOnly));
    return runLabels(run.states, run.results);
  } catch {
    return new Map();
  }
}
