// Comparison clauses (D5, U1, R1, R2): the same generated sequence under two profiles,
// compared step by step. The sequence is generated against the *driver*
// profile (the one whose state the premise is judged in) and replayed on the other.
// Results are compared with `fs` relabelled per run (devpts1, devpts2, ... in order of
// first appearance), so instance ids compare; console lines (`log`) are compared only
// where both sides report them (operations.md).

import { FsLabeler, labelModelResult, type StepResult } from '../model/index.ts';
import type { Premise, RunCheck, Violation } from './checks.ts';
import { describeOp, describeResult } from './describe.ts';
import { deepEqual, DEVPTS_ROOT_INO, hasItem, legacyKnown, namesDevptsPtmx, optionItems, resolveAs } from './observe.ts';
import { executeUpTo, type Run, type Subject } from './run.ts';

/** Mount options valid on every CONFIG=y kernel and on 6.x (R2's premise; the generator's `newinstanceValid` items). */
export const VALID_ON_BOTH: readonly string[] = ['ptmxmode=0666', 'mode=0620', 'gid=5', 'ptmxmode=000', 'uid=1000', 'mode=620', 'ptmxmode=0644', 'mode=0600'];

/** A run's results, relabelled; with `dropPtmx`, a devpts listing loses its "ptmx" entry (the one difference D5 allows). */
export function comparableResults(run: Run, dropPtmx: boolean): StepResult[] {
  const labeler = new FsLabeler<string>();
  return run.results.map((r, i) => {
    let out = labelModelResult(labeler, r);
    const op = run.ops[i]!;
    if (dropPtmx && op.op === 'readdir' && 'entries' in out && out.entries) {
      const at = resolveAs(run.states[i]!, op.pid ?? 1, op.path);
      if (at && at.node.devpts && at.pos.ino === DEVPTS_ROOT_INO) out = { ...out, entries: out.entries.filter((e) => e !== 'ptmx') };
    }
    return out;
  });
}

function sameForComparison(a: StepResult, b: StepResult): boolean {
  const la = (a as { log?: unknown }).log, lb = (b as { log?: unknown }).log;
  if (la !== undefined && lb !== undefined) return deepEqual(a, b);
  const { log: _a, ...ra } = a as StepResult & { log?: unknown };
  const { log: _b, ...rb } = b as StepResult & { log?: unknown };
  return deepEqual(ra, rb);
}

/** The first step where two runs of the same ops differ. */
export function firstDivergence(a: Run, b: Run, dropPtmx: boolean): Violation | null {
  const ra = comparableResults(a, dropPtmx);
  const rb = comparableResults(b, dropPtmx);
  for (let i = 0; i < a.ops.length; i++) {
    if (i >= rb.length) {
      return { step: i, other: b, message: `step ${i + 1} (${describeOp(a.ops[i]!)}): ${a.subject.name} gives ${describeResult(ra[i]!)}, ${b.subject.name} cannot run it (an earlier step went differently)` };
    }
    if (!sameForComparison(ra[i]!, rb[i]!)) {
      return { step: i, other: b, message: `step ${i + 1} (${describeOp(a.ops[i]!)}): ${a.subject.name} gives ${describeResult(ra[i]!)}, ${b.subject.name} gives ${describeResult(rb[i]!)}` };
    }
  }
  return null;
}

/** A comparison property: the premise (judged on the driver's run), then the other subject replays the ops. */
export function comparison(other: Subject, premise: Premise, dropPtmx: boolean): RunCheck {
  return (run, witness) => {
    if (premise(run) !== null) return null;
    witness();
    return firstDivergence(run, executeUpTo(other, run), dropPtmx);
  };
}

// ---- premises ------------------------------------------------------------------------

const allData = (run: Run): (string | undefined)[] => [
  ...(run.boot.mountDevpts === false ? [] : [run.boot.devptsOptions]),
  ...run.ops.map((op) => (op.op === 'mount' && op.fstype === 'devpts') || op.op === 'remount' ? op.options : undefined),
];

export const noNewinstance: Premise = (run) => (allData(run).some((d) => hasItem(d, 'newinstance')) ? 'uses newinstance' : null);

export const neverNamesDevptsPtmx: Premise = (run) => {
  for (let i = 0; i < run.ops.length; i++) if (namesDevptsPtmx(run.states[i]!, run.ops[i]!)) return `step ${i + 1} names a devpts ptmx node`;
  return null;
};

export const legacyValidOptions: Premise = (run) =>
  allData(run).some((d) => optionItems(d).some((i) => !legacyKnown(i))) ? 'uses an option the legacy parser does not know' : null;

export const noNewOptions: Premise = (run) =>
  allData(run).some((d) => optionItems(d).some((i) => i.startsWith('newinstance') || i.startsWith('ptmxmode'))) ? 'uses newinstance or ptmxmode' : null;

export const both = (...ps: Premise[]): Premise => (run) => {
  for (const p of ps) { const why = p(run); if (why !== null) return why; }
  return null;
};

/**
 * R2's premise: every devpts mount (boot included) uses newinstance with options valid on
 * both kernels (remounts too), no op that exists in only one of them or is a limit knob
 * (TIOCGPTPEER, sysctl), and /dev/ptmx is a symlink to pts/ptmx before any pty is opened.
 */
export const r2Premise: Premise = (run) => {
  const valid = new Set([...VALID_ON_BOTH, 'newinstance']);
  if (run.boot.mountDevpts === false || !hasItem(run.boot.devptsOptions, 'newinstance')) return 'boot mount without newinstance';
  if (optionItems(run.boot.devptsOptions).some((i) => !valid.has(i))) return 'boot options not valid on both kernels';
  let redirected = false;
  for (let i = 0; i < run.ops.length; i++) {
    const op = run.ops[i]!;
    if (op.op === 'peer' || op.op === 'sysctl') return `uses ${op.op}`;
    if (op.op === 'mount' && op.fstype === 'devpts' && !hasItem(op.options, 'newinstance')) return 'a devpts mount without newinstance';
    if (((op.op === 'mount' && op.fstype === 'devpts') || op.op === 'remount') && optionItems(op.options).some((it) => !valid.has(it))) return 'options not valid on both kernels';
    if (!redirected && op.op === 'open' && 'index' in run.results[i]!) {
      const link = resolveAs(run.states[i]!, 1, '/dev/ptmx', true);
      if (!link || link.node.type !== 'lnk' || !['pts/ptmx', '/dev/pts/ptmx'].includes(link.node.target!)) return 'a pty opened before /dev/ptmx → pts/ptmx';
      redirected = true;
    }
  }
  return null;
};
