// Chart paths on kernels: the op sequences that cover the charts' transitions
// (explore/chart-paths.ts) run on the model and on the kernel of their profile, compared
// step by step (kernel/diff.ts sameResult). A path is kernel-checked when the kernel gave
// the model's result at every step (and the model took the path's transition: the
// refinement check, model/charts/observe.ts).
//
// Which kernel runs a profile's sequences is a hook, `(profile, sequences) → runs`: by
// default the profile's own kernel (kernel/targets.ts): the live kernel for 6.x
// (kernel/harness.c in private mount namespaces), a QEMU guest for the others.

import { bootWith, isToolError, labelModelResult, FsLabeler, PROFILES, stepWith, type BootConfig, type Op, type ProfileId, type StepResult } from '../model/index.ts';
import { refinementViolation, type ChartName } from '../model/charts/index.ts';
import { kernelAvailability } from './build.ts';
import { compareRuns, type ModelRun } from './diff.ts';
import { KernelHarness, type HarnessRun, type Sequence } from './driver.ts';
import { openRunner, targetFor, TargetUnavailable } from './targets.ts';

/** A path as data (explore/chart-paths.ts ChartPath): the transition it covers and its ops from boot. */
export interface PathToCheck {
  readonly chart: ChartName;
  readonly transition: string;
  readonly profile: ProfileId;
  readonly boot: BootConfig;
  readonly ops: readonly Op[];
}

/** Runs sequences of a profile on its kernel: the kernel's name and one run per sequence, or why it cannot here. */
export type KernelRunner = (profile: ProfileId, sequences: readonly Sequence[]) => Promise<{ readonly label: string; readonly runs: readonly HarnessRun[] } | { readonly unavailable: string }>;

/** Whether a profile's kernel here is the live one (its sequences must not change host-wide settings). */
export const runsLive = (profile: ProfileId): boolean => profile === '6.x';

/** Each profile on its own kernel (kernel/targets.ts): live 6.x, QEMU guests for the others. */
export const profileKernelRunner: KernelRunner = async (profile, sequences) => {
  let opened;
  try {
    opened = await openRunner(await targetFor(profile));
  } catch (err) {
    if (err instanceof TargetUnavailable) return { unavailable: err.message };
    throw err;
  }
  try {
    return { label: opened.label, runs: await opened.runner.runAll(sequences, 16) };
  } finally {
    await opened.runner.close();
  }
};

/** The live kernel for 6.x; every other profile needs a QEMU guest (issue 11) and is unavailable here. */
export const liveKernelRunner: KernelRunner = async (profile, sequences) => {
  if (profile !== '6.x') return { unavailable: `no kernel for ${profile} on this machine yet (its QEMU guest: issue 11)` };
  const a = kernelAvailability();
  if (!a.ok) return { unavailable: a.reason };
  const h = KernelHarness.start({ binary: a.binary });
  try {
    return { label: 'live 6.x', runs: await h.runAll(sequences, 16) };
  } finally {
    await h.close();
  }
};

export interface PathCheck {
  readonly path: PathToCheck;
  /** The sequence as it ran (handles named, as the model named them). */
  readonly sequence: Sequence;
  /** The model took the path's transition on its last step, agreeing with every chart on the way. */
  readonly modelTakesIt: boolean;
  readonly modelProblem: string | null;
  /** "live 6.x", "QEMU 2.6.39.4 =y", or null when no kernel ran it. */
  readonly kernel: string | null;
  /** The kernel gave the model's result at every step (null: not run). */
  readonly kernelAgrees: boolean | null;
  /** Why it was not run, or where it diverged. */
  readonly note: string | null;
}

/** The model's run of a path: labelled results, handles named by the model, and whether its charts agree. */
function onModel(path: PathToCheck): { sequence: Sequence; model: ModelRun; takes: boolean; problem: string | null } {
  const p = PROFILES[path.profile];
  let s = bootWith(p, path.boot);
  const labeler = new FsLabeler<string>();
  const results: StepResult[] = [];
  const ops: Op[] = [];
  let problem: string | null = null;
  let takes = path.ops.length === 0; // a boot transition is taken by booting
  for (const [i, op0] of path.ops.entries()) {
    const out = stepWith(p, s, op0);
    if (isToolError(out.result)) return { sequence: { boot: path.boot, ops }, model: { bootError: null, results, toolError: i }, takes: false, problem: `step ${i + 1} is not well-formed: ${out.result.error}` };
    // name every handle explicitly (the kernel harness names them as the model does only when told)
    const op = (op0.op === 'open' || op0.op === 'peer') && op0.as === undefined && 'fd' in out.result && out.result.fd !== undefined ? { ...op0, as: out.result.fd } : op0;
    problem ??= refinementViolation(p, s, op, out.result, out.state);
    if (i === path.ops.length - 1) takes = true;
    ops.push(op);
    results.push(labelModelResult(labeler, out.result));
    s = out.state;
  }
  return { sequence: { boot: path.boot, ops }, model: { bootError: null, results, toolError: -1 }, takes: takes && problem === null, problem };
}

/** Run paths on the model and on their profile's kernel (grouped by profile, one runner call each). */
export async function checkPathsOnKernels(paths: readonly PathToCheck[], runner: KernelRunner = profileKernelRunner): Promise<PathCheck[]> {
  const out: PathCheck[] = new Array(paths.length);
  const byProfile = new Map<ProfileId, number[]>();
  for (const [i, p] of paths.entries()) byProfile.set(p.profile, [...(byProfile.get(p.profile) ?? []), i]);
  for (const [profile, indices] of byProfile) {
    const model = indices.map((i) => onModel(paths[i]!));
    // kernel.pty.* are host-wide: a live kernel never runs sysctl steps (a QEMU guest may)
    const runnable = indices.filter((_, k) => !(runsLive(profile) && model[k]!.sequence.ops.some((op) => op.op === 'sysctl')));
    const ran = runnable.length === 0 ? { unavailable: 'nothing to run' } : await runner(profile, runnable.map((i) => model[indices.indexOf(i)]!.sequence));
    for (const [k, i] of indices.entries()) {
      const m = model[k]!;
      const base = { path: paths[i]!, sequence: m.sequence, modelTakesIt: m.takes, modelProblem: m.problem };
      const r = runnable.indexOf(i);
      if (r < 0) { out[i] = { ...base, kernel: null, kernelAgrees: null, note: 'sysctl steps do not run on the live kernel (host-wide settings)' }; continue; }
      if ('unavailable' in ran) { out[i] = { ...base, kernel: null, kernelAgrees: null, note: ran.unavailable }; continue; }
      const d = compareRuns(m.sequence, m.model, ran.runs[r]!);
      out[i] = { ...base, kernel: ran.label, kernelAgrees: d === null, note: d === null ? null : `diverges at ${d.step < 0 ? 'boot' : `step ${d.step + 1}`}: model ${JSON.stringify(m.model.results[d.step])}, kernel ${JSON.stringify(ran.runs[r]!.results[d.step])}` };
    }
  }
  return out;
}
