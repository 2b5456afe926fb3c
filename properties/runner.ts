// The random runner: checks (clause, profile) pairs with fast-check, drawing runs from
// each clause record's generation hints (clauses/), and turns a violation into a shrunk,
// replayable devpts-trace/1 counterexample.
//
//   checkClause(clause, target, { runs, seed, maxSteps }) → ClauseResult      (synchronous)
//   runChecks({ profiles, clauses, runs, seed, maxSteps, outDir, onProgress }) → CheckReport
//
// Verdicts are computed, never looked up: `holds` when no generated run violates the
// clause, `violated` with a counterexample, `n/a` when the clause does not speak about
// the profile. Evidence: runs, how many runs exercised the clause (its premise held at
// least once: `witnessed`), the seed, the counterexample's length before and after
// shrinking, the fast-check seed and path that reproduce it, and — for the real
// profiles — a confirmation that the saved trace replays through the xstate machine
// (traces/replay.ts) into the very states where the violation is judged.
//
// Shrinking is two-stage: fast-check shrinks the generated intents (every candidate is
// re-interpreted, so it stays a valid sequence), then a delta pass on the concrete ops
// drops single steps and single option items while the violation persists, and renames
// handles h1, h2, ... in order.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { deepEqual, FsLabeler, labelModelResult, PROFILE_IDS, type Op, type ProfileId } from '../model/index.ts';
import {
  CLAUSES, clauseById, execute, isRealSubject, labelOf, pairOf, subjectOf,
  type Clause, type Counterexample, type Expected, type Run, type RunCheck, type Subject, type SubjectLike, type Verdict, type Violation,
} from '../clauses/index.ts';
import { judgeOf } from '../clauses/judge.ts';
import { replayOnModel } from '../traces/replay.ts';
import { saveTrace } from '../traces/save.ts';
import { withEvidence, withoutEvidence } from '../traces/evidence.ts';
import type { Trace, TraceStep } from '../traces/types.ts';
import { runs, scenarioRuns } from './generators/index.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED } from './defaults.ts';

export { DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED };

/** What the runner draws for a clause: runs from its generation hints, and the judge of its check. */
export interface PropertySpec {
  readonly arbitrary: fc.Arbitrary<Run>;
  readonly check: RunCheck;
}

/** A clause's property on its subjects (one, or [driver, other] for a comparison), from its check's data. */
export function propertyOf(c: Clause, subjects: readonly Subject[], maxSteps: number): PropertySpec {
  const check = c.check;
  const [s, other] = subjects;
  switch (check.kind) {
    case 'transition': return { arbitrary: runs(s!, { ...check.generation, maxSteps }), check: judgeOf(check) };
    case 'scenario': return { arbitrary: scenarioRuns(s!, check.scenario, { ...check.generation, maxSteps }), check: judgeOf(check) };
    case 'run': return { arbitrary: fc.oneof(...check.generations.map((g) => runs(s!, { ...g, maxSteps }))), check: judgeOf(check) };
    case 'comparison':
      return { arbitrary: runs(s!, { ...check.generation, boots: check.boots, prefix: check.prefix, maxSteps }), check: judgeOf(check, other) };
  }
}

export interface CheckOptions {
  /** Random sequences per (clause, profile). Default DEFAULT_RUNS. */
  readonly runs?: number;
  /** fast-check seed (the same for every pair, so one number reproduces a whole run). Default DEFAULT_SEED. */
  readonly seed?: number;
  /** Generated ops per sequence at most (scenario steps come on top). Default DEFAULT_MAX_STEPS. */
  readonly maxSteps?: number;
}

/** The random runner's verdicts. */
export type RandomVerdict = Extract<Verdict, 'holds' | 'violated' | 'n/a'>;

export interface CounterexampleTrace {
  /** Suggested file name: <clause>-<profile>.json. */
  readonly name: string;
  readonly profile: ProfileId;
  readonly trace: Trace;
}

/** A shrunk counterexample of the random runner (clauses/verdict.ts Counterexample, with how it was found and its traces). */
export interface RandomCounterexample extends Counterexample {
  readonly stepsBeforeShrink: number;
  readonly stepsAfterShrink: number;
  /** fast-check's shrink count (the delta pass on concrete ops comes after). */
  readonly shrinks: number;
  readonly fcSeed: number;
  /** fast-check's path to the counterexample: `fc.check(property, { seed, path })` goes straight to it. */
  readonly fcPath: string;
  /** One trace, or one per profile of a comparison (truncated at the diverging step). */
  readonly traces: readonly CounterexampleTrace[];
  /** Real profiles: the traces replay through the machine into the violating states. Mutants: false. */
  readonly confirmed: boolean;
  /** Where runChecks saved the traces (absent until saved). */
  files?: string[];
}

export interface ClauseResult {
  readonly clause: string;
  readonly kind: Clause['kind'];
  /** Profile ID, or "A vs B" for a comparison. */
  readonly label: string;
  readonly profiles: readonly ProfileId[];
  /** The subjects checked (profile IDs, or mutant names). */
  readonly subjects: readonly string[];
  readonly verdict: RandomVerdict;
  /** clauses.md's hypothesis for this label (null when the clause does not list it). */
  readonly expected: Expected | null;
  readonly runs: number;
  /** Runs in which the clause's premise held at least once (it actually spoke about the run). */
  readonly witnessed: number;
  readonly seed: number;
  readonly maxSteps: number;
  readonly ms: number;
  readonly counterexample?: RandomCounterexample;
}

export type Target = SubjectLike | readonly [SubjectLike, SubjectLike];

/** The subjects a clause is checked on, or null when it does not speak about the target (n/a). */
export function subjectsFor(clause: Clause, target: Target | undefined): Subject[] | null {
  const clausePair = pairOf(clause);
  if (clausePair) {
    if (Array.isArray(target)) return [subjectOf(target[0]), subjectOf(target[1])];
    const pair = clausePair.map((p) => subjectOf(p));
    if (target === undefined) return pair;
    const s = subjectOf(target as SubjectLike);
    const at = clausePair.indexOf(s.profile.id);
    if (at < 0) return null;
    pair[at] = s;
    return pair;
  }
  if (target === undefined || Array.isArray(target)) throw new Error(`${clause.id} takes one profile`);
  const s = subjectOf(target as SubjectLike);
  return clause.profiles.includes(s.profile.id) ? [s] : null;
}

const noop = () => {};

/** Check one clause on one profile (or its pair): runs, verdict, evidence, shrunk counterexample. */
export function checkClause(clause: Clause | string, target?: Target, options: CheckOptions = {}): ClauseResult {
  const c = typeof clause === 'string' ? clauseById(clause) : clause;
  if (!c) throw new Error(`unknown clause "${String(clause)}"`);
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? DEFAULT_SEED;
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const t0 = performance.now();
  const subjects = subjectsFor(c, target);
  const pair = pairOf(c);
  const single = !pair && target !== undefined && !Array.isArray(target) ? subjectOf(target as SubjectLike) : null;
  const label = pair ? labelOf(c) : single!.profile.id;
  const base = {
    clause: c.id, kind: c.kind, label, seed, maxSteps,
    profiles: pair ? [...pair] : [single!.profile.id],
    expected: c.expected[label] ?? null,
  };
  if (!subjects) return { ...base, subjects: [single!.name], verdict: 'n/a', runs: 0, witnessed: 0, ms: 0 };

  const spec = propertyOf(c, subjects, maxSteps);
  let witnessed = 0;
  let first: Run | null = null;
  const property = fc.property(spec.arbitrary, (run) => {
    let w = false;
    const v = spec.check(run, () => { w = true; });
    if (first === null && w) witnessed++;
    if (v !== null) { first ??= run; return false; }
    return true;
  });
  const details = fc.check(property, { numRuns: runs, seed, verbose: 0 });
  const names = subjects.map((s) => s.name);
  if (!details.failed) {
    return { ...base, subjects: names, verdict: 'holds', runs: details.numRuns, witnessed, ms: performance.now() - t0 };
  }
  // a check or the model throwing is a bug, not a verdict: report it loudly with the way to reproduce it
  const crash = (e: unknown) => new Error(`${c.id} on ${label}: a check or the model threw on a generated sequence (${e instanceof Error ? e.message : String(e)}); fast-check seed ${details.seed}, path ${details.counterexamplePath}`);
  if (!details.counterexample) throw crash(details.errorInstance);
  try {
    if (spec.check(details.counterexample[0], noop) === null) throw crash(details.errorInstance);
  } catch (e) { throw crash(e); }
  const shrunk = details.counterexample[0];
  const min = minimize(shrunk, spec);
  const traces = counterexampleTraces(c, min.run, min.violation, { seed: details.seed, path: details.counterexamplePath ?? '' });
  const real = subjects.every(isRealSubject);
  const counterexample: RandomCounterexample = {
    clause: c.id,
    sides: [min.run, ...(min.violation.other ? [min.violation.other] : [])].map((r) => ({ profile: r.subject.profile.id, boot: r.boot, ops: r.ops.slice(0, min.violation.step + 1), results: r.results.slice(0, min.violation.step + 1) })),
    step: min.violation.step + 1,
    message: min.violation.message,
    stepsBeforeShrink: first ? (first as Run).ops.length : shrunk.ops.length,
    stepsAfterShrink: min.run.ops.length,
    shrinks: details.numShrinks,
    fcSeed: details.seed,
    fcPath: details.counterexamplePath ?? '',
    traces,
    confirmed: real && confirmReplay(c, traces) !== null,
  };
  return { ...base, subjects: names, verdict: 'violated', runs: details.numRuns, witnessed, ms: performance.now() - t0, counterexample };
}

// ---- shrinking on concrete ops -------------------------------------------------------

interface Failing { readonly run: Run; readonly violation: Violation }

const isMarked = (marks: Readonly<Record<string, number>>, i: number) => Object.values(marks).includes(i);
function removeAt(marks: Readonly<Record<string, number>>, i: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(marks)) if (v !== i) out[k] = v > i ? v - 1 : v;
  return out;
}

/** Delta pass: drop single ops (never a scenario's marked steps) and single option items while the violation persists. */
export function minimize(run: Run, spec: PropertySpec): Failing {
  let boot = run.boot;
  const recheck = (ops: readonly Op[], marks: Readonly<Record<string, number>>): Failing | null => {
    const r = execute(run.subject, boot, ops, marks);
    if (!r) return null;
    const violation = spec.check(r, noop);
    return violation ? { run: r, violation } : null;
  };
  let best = recheck(run.ops, run.marks);
  if (!best) throw new Error('internal: the shrunk counterexample does not fail again');
  let budget = 3000;
  // nothing after the violating step matters
  const cut = best.violation.step + 1;
  if (cut < best.run.ops.length) {
    const marks = Object.fromEntries(Object.entries(best.run.marks).filter(([, v]) => v < cut));
    best = recheck(best.run.ops.slice(0, cut), marks) ?? best;
  }
  for (let changed = true; changed && budget > 0;) {
    changed = false;
    for (let i = best.run.ops.length - 1; i >= 0 && budget > 0; i--) {
      if (i >= best.run.ops.length || isMarked(best.run.marks, i)) continue;
      budget--;
      const next = recheck(best.run.ops.filter((_, j) => j !== i), removeAt(best.run.marks, i));
      if (next) { best = next; changed = true; }
    }
    // run a step as init instead (then the spawn that made its process may go)
    for (let i = 0; i < best.run.ops.length && budget > 0; i++) {
      const op = best.run.ops[i]!;
      if (op.pid === undefined || op.pid === 1 || isMarked(best.run.marks, i)) continue;
      const ops = best.run.ops.slice();
      ops[i] = { ...op, pid: 1 } as Op;
      budget--;
      const next = recheck(ops, best.run.marks);
      if (next) { best = next; changed = true; }
    }
    for (let i = 0; i < best.run.ops.length && budget > 0; i++) {
      const op = best.run.ops[i]!;
      if ((op.op !== 'mount' && op.op !== 'remount') || op.options === undefined) continue;
      const items = op.options.split(',');
      for (let j = items.length - 1; j >= 0 && budget > 0; j--) {
        const rest = items.filter((_, k) => k !== j).join(',');
        const ops = best.run.ops.slice();
        ops[i] = { ...op, options: rest } as Op;
        if (rest === '') delete (ops[i] as { options?: string }).options;
        budget--;
        const next = recheck(ops, best.run.marks);
        if (next) { best = next; changed = true; break; }
      }
    }
  }
  // optional fields: flags, newns, lazy, recursive, nofollow (a smaller op reads better)
  for (let i = 0; i < best.run.ops.length && budget > 0; i++) {
    for (const field of ['flags', 'newns', 'lazy', 'recursive', 'nofollow'] as const) {
      const op = best.run.ops[i]! as Op & Record<string, unknown>;
      if (op[field] === undefined || budget-- <= 0) continue;
      const { [field]: _drop, ...rest } = op;
      const ops = best.run.ops.slice();
      ops[i] = rest as Op;
      best = recheck(ops, best.run.marks) ?? best;
    }
  }
  // the default boot, if it still fails
  if (Object.keys(best.run.boot).length > 0) {
    const r = execute(run.subject, {}, best.run.ops, best.run.marks);
    const violation = r && spec.check(r, noop);
    if (r && violation) { best = { run: r, violation }; boot = {}; }
  }
  return recheck(renameHandles(best.run.ops), best.run.marks) ?? best;
}

/** Handle names h1, h2, ... and spawned pids 2, 3, ... in order of appearance. */
function renameHandles(ops: readonly Op[]): Op[] {
  const names = new Map<string, string>();
  const name = (old: string) => { let n = names.get(old); if (!n) { n = `h${names.size + 1}`; names.set(old, n); } return n; };
  const pids = new Map<number, number>([[1, 1]]);
  for (const op of ops) if (op.op === 'spawn' && !pids.has(op.child)) pids.set(op.child, pids.size + 1);
  const pid = (p: number | undefined) => pids.get(p ?? 1) ?? p ?? 1;
  return ops.map((op0) => {
    const op = { ...op0, pid: pid(op0.pid), ...(op0.op === 'spawn' ? { child: pid(op0.child) } : {}) } as Op;
    if ((op.op === 'open' || op.op === 'peer') && op.as !== undefined) {
      const fd = op.op === 'peer' ? names.get(op.fd) ?? op.fd : undefined;
      return { ...op, ...(fd !== undefined ? { fd } : {}), as: name(op.as) } as Op;
    }
    if (op.op === 'close' || op.op === 'unlockpt') return { ...op, fd: names.get(op.fd) ?? op.fd };
    return op;
  });
}

// ---- traces --------------------------------------------------------------------------

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '_');

function traceOf(c: Clause, run: Run, upTo: number, extra: Record<string, unknown>): Trace {
  const labeler = new FsLabeler<string>();
  const steps: TraceStep[] = run.ops.slice(0, upTo).map((op, i) => {
    const result = labelModelResult(labeler, run.results[i]!);
    const { pid, ...rest } = op as Op & { pid?: number };
    return { ...rest, pid: pid ?? 1, expect: { ...(result as object) } } as TraceStep;
  });
  const marks = Object.fromEntries(Object.entries(run.marks).filter(([, v]) => v < upTo).map(([k, v]) => [k, v + 1]));
  return {
    format: 'devpts-trace/1',
    profile: run.subject.profile.id,
    title: `${c.id} counterexample on ${run.subject.name}: ${c.statement}`,
    clauses: [c.id],
    ...(Object.keys(run.boot).length > 0 ? { boot: { ...run.boot } } : {}),
    steps,
    ...extra,
    ...(Object.keys(marks).length > 0 ? { marks } : {}),
  };
}

function counterexampleTraces(c: Clause, run: Run, v: Violation, fcInfo: { seed: number; path: string }): CounterexampleTrace[] {
  const upTo = v.step + 1;
  const base = { source: 'devpts-check check', seed: fcInfo.seed, path: fcInfo.path, violation: { clause: c.id, step: upTo, message: v.message } };
  const name = (s: Subject) => `${c.id}-${fileSafe(s.name)}.json`;
  if (!v.other) return [{ name: name(run.subject), profile: run.subject.profile.id, trace: traceOf(c, run, upTo, base) }];
  const other = v.other;
  const otherUpTo = Math.min(upTo, other.ops.length);
  return [
    { name: name(run.subject), profile: run.subject.profile.id, trace: traceOf(c, run, upTo, { ...base, compare: { profile: other.subject.profile.id, file: name(other.subject) } }) },
    { name: name(other.subject), profile: other.subject.profile.id, trace: traceOf(c, other, otherUpTo, { ...base, compare: { profile: run.subject.profile.id, file: name(run.subject) } }) },
  ];
}

/**
 * Replay a counterexample's traces through the xstate machine (traces/replay.ts) on the
 * real profiles: every expectation must hold, the machine must reach the same states as
 * the step function, and the clause's check on the replayed run (the driver's, for a
 * comparison) must report the violation at the recorded step. Returns that violation,
 * or null when any of this fails.
 */
export function confirmReplay(c: Clause, traces: readonly CounterexampleTrace[]): Violation | null {
  const replayed: Run[] = [];
  for (const t0 of traces) {
    const t = { ...t0, trace: withoutEvidence(t0.trace) }; // judged on the steps the runner found
    const outcome = replayOnModel(t.trace, t.name);
    if (outcome.verdict !== 'holds') return null;
    const ops = t.trace.steps.map(({ expect: _e, note: _n, ...op }) => op as Op);
    const marks = Object.fromEntries(Object.entries((t.trace.marks ?? {}) as Record<string, number>).map(([k, v]) => [k, v - 1]));
    const direct = execute(subjectOf(t.profile), t.trace.boot ?? {}, ops, marks);
    if (!direct || direct.states.length !== outcome.states.length) return null;
    for (let i = 0; i < outcome.states.length; i++) if (!deepEqual(direct.states[i], outcome.states[i])) return null;
    replayed.push({ ...direct, states: outcome.states, results: outcome.steps.map((s) => s.result) });
  }
  const pair = pairOf(c);
  const subjects = pair ? pair.map((p) => subjectOf(p)) : [subjectOf(traces[0]!.profile)];
  const v = judgeOf(c.check, subjects[1])(replayed[0]!, noop);
  const want = (withoutEvidence(traces[0]!.trace).violation as { step: number }).step;
  return v && v.step + 1 === want ? v : null;
}

// ---- many checks -------------------------------------------------------------------------

export interface RunChecksOptions extends CheckOptions {
  /** Profiles to check (default all). A comparison runs when one of its pair is selected. */
  readonly profiles?: readonly ProfileId[];
  /** Clause IDs to check (default all). */
  readonly clauses?: readonly string[];
  /** Where counterexample traces are saved (atomically, traces/save.ts). Not saved when absent. */
  readonly outDir?: string;
  /** Called after each (clause, profile) check. */
  readonly onProgress?: (done: number, total: number, result: ClauseResult) => void;
}

export interface CheckReport {
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  readonly profiles: readonly ProfileId[];
  readonly clauses: readonly string[];
  readonly results: readonly ClauseResult[];
  /** Number of (clause, profile) results that are violated. */
  readonly violated: number;
  readonly ms: number;
  /** Every trace file written. */
  readonly files: readonly string[];
}

/** The (clause, profile) tasks a selection gives, in catalogue order. */
export function tasks(profiles: readonly ProfileId[] = PROFILE_IDS, clauses: readonly string[] = CLAUSES.map((c) => c.id)): { clause: Clause; target?: ProfileId }[] {
  const out: { clause: Clause; target?: ProfileId }[] = [];
  for (const c of CLAUSES) {
    if (!clauses.includes(c.id)) continue;
    const pair = pairOf(c);
    if (pair) { if (pair.some((p) => profiles.includes(p))) out.push({ clause: c }); continue; }
    for (const p of PROFILE_IDS) if (profiles.includes(p)) out.push({ clause: c, target: p });
  }
  return out;
}

/** Check every selected (clause, profile); save counterexamples under `outDir`. */
export async function runChecks(options: RunChecksOptions = {}): Promise<CheckReport> {
  const t0 = performance.now();
  const profiles = options.profiles ?? PROFILE_IDS;
  const clauses = options.clauses ?? CLAUSES.map((c) => c.id);
  const todo = tasks(profiles, clauses);
  const results: ClauseResult[] = [];
  const files: string[] = [];
  for (const [i, t] of todo.entries()) {
    const r = checkClause(t.clause, t.target, options);
    if (r.counterexample && options.outDir) {
      await mkdir(options.outDir, { recursive: true }); // only when there is something to save
      r.counterexample.files = [];
      const ce = r.counterexample;
      const shown = withEvidence(ce.traces.map((t) => t.trace), { clause: r.clause, step: ce.step, message: ce.message }); // traces/evidence.ts
      for (const [n, tr] of ce.traces.entries()) {
        const file = join(options.outDir, tr.name);
        await saveTrace(file, shown[n]!);
        r.counterexample.files.push(file);
        files.push(file);
      }
    }
    results.push(r);
    options.onProgress?.(i + 1, todo.length, r);
    await new Promise((resolve) => setImmediate(resolve)); // let timers (progress bars) run
  }
  return {
    seed: options.seed ?? DEFAULT_SEED, runs: options.runs ?? DEFAULT_RUNS, maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    profiles, clauses, results, violated: results.filter((r) => r.verdict === 'violated').length,
    ms: performance.now() - t0, files,
  };
}
