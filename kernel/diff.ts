// The differential runner: the same op sequences on the model (a profile) and on the
// kernel of that profile (kernel/harness.c: the live kernel for 6.x, a QEMU guest for
// the others; kernel/targets.ts), compared step by step.
//
// Comparison: both results with `fs` labelled (devpts1, devpts2, ... in first-seen
// order; the model through traces/labels.ts, the harness by st_dev) must be deeply
// equal, except `log`, which is compared only where both sides report it
// (operations.md). A harness error (not a kernel result) never equals anything.
// A divergence is shrunk by re-running candidates on the harness (each candidate must
// be a valid trace on the model: no tool errors), then saved as a trace whose
// expectations are the kernel's results, with the model's result beside each step.

import fc from 'fast-check';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  boot, BootError, isToolError, step,
  type BootConfig, type KernelState, type Op, type ProfileId, type StepResult,
} from '../model/index.ts';
import { DEFAULT_BOOTS, runs, type GenOptions } from '../properties/generators/index.ts';
import { deepEqual } from '../model/equal.ts';
import { FsLabeler, labelModelResult } from '../traces/labels.ts';
import { saveTrace } from '../traces/save.ts';
import type { Expectation, Trace, TraceStep } from '../traces/types.ts';
import { isHarnessError, KernelHarness, type HarnessResult, type HarnessRun, type Sequence, type SequenceRunner } from './driver.ts';

export type { Sequence } from './driver.ts';

// ---- the model side ------------------------------------------------------------------

export interface ModelRun {
  /** BootError message when the model refuses the boot configuration. */
  readonly bootError: string | null;
  /** Labelled results, one per op (stops early at the first tool error). */
  readonly results: StepResult[];
  /** Index of the first op the model rejects as not well-formed, or -1. */
  readonly toolError: number;
}

export function runOnModel(seq: Sequence, profile: ProfileId = '6.x'): ModelRun {
  let state: KernelState;
  try {
    state = boot(profile, seq.boot);
  } catch (err) {
    if (err instanceof BootError) return { bootError: err.message, results: [], toolError: -1 };
    throw err;
  }
  const labeler = new FsLabeler<string>();
  const results: StepResult[] = [];
  for (const [i, op] of seq.ops.entries()) {
    const out = step(state, op);
    if (isToolError(out.result)) return { bootError: null, results, toolError: i };
    state = out.state;
    results.push(labelModelResult(labeler, out.result));
  }
  return { bootError: null, results, toolError: -1 };
}

// ---- comparison -------------------------------------------------------------------------

/** Does the kernel's result equal the model's (log only where both have it)? */
export function sameResult(model: StepResult, kernel: HarnessResult): boolean {
  if (isToolError(model) || isHarnessError(kernel)) return false;
  const m = { ...model } as Record<string, unknown>;
  const k = { ...kernel } as Record<string, unknown>;
  if (!('log' in m && 'log' in k)) { delete m.log; delete k.log; }
  return deepEqual(m, k);
}

export interface Divergence {
  readonly seq: Sequence;
  /** 0-based index of the first differing step; -1 when the boot itself differs. */
  readonly step: number;
  readonly model: ModelRun;
  readonly kernel: HarnessRun;
}

/**
 * The first place where model and kernel differ, or null when they agree throughout.
 * A lost run (its guest hung or panicked) is neither: the caller counts it apart.
 */
export function compareRuns(seq: Sequence, model: ModelRun, kernel: HarnessRun): Divergence | null {
  if (kernel.lost !== undefined) return null;
  if ((model.bootError === null) !== (kernel.bootError === null)) return { seq, step: -1, model, kernel };
  if (model.bootError !== null) return null; // both refuse the boot: nothing ran
  for (let i = 0; i < seq.ops.length; i++) {
    const m = model.results[i];
    const k = kernel.results[i];
    if (m === undefined || k === undefined || !sameResult(m, k)) return { seq, step: i, model, kernel };
  }
  return null;
}

export async function checkOnKernel(h: SequenceRunner, seq: Sequence, profile: ProfileId = '6.x'): Promise<Divergence | null> {
  return compareRuns(seq, runOnModel(seq, profile), await h.run(seq));
}

// ---- shrinking --------------------------------------------------------------------------

/** Ops that only make sense with op i: ops of a spawned process, uses of an opened handle. */
function dependents(ops: readonly Op[], i: number): Set<number> {
  const drop = new Set<number>([i]);
  const pids = new Set<number>();
  const handles = new Set<string>();
  const first = ops[i]!;
  if (first.op === 'spawn') pids.add(first.child);
  if ((first.op === 'open' || first.op === 'peer') && first.as) handles.add(first.as);
  for (let j = i + 1; j < ops.length; j++) {
    const op = ops[j]!;
    const uses = pids.has(op.pid ?? 1) || ('fd' in op && handles.has(op.fd));
    if (!uses) continue;
    drop.add(j);
    if (op.op === 'spawn') pids.add(op.child);
    if ((op.op === 'open' || op.op === 'peer') && op.as) handles.add(op.as);
  }
  return drop;
}

/** Give every successful open/peer its handle name explicitly, so removing steps never renames handles. */
export function withExplicitHandles(seq: Sequence, onModel: (seq: Sequence) => ModelRun = runOnModel): Sequence {
  const model = onModel(seq);
  return {
    boot: seq.boot,
    ops: seq.ops.map((op, i) => {
      if ((op.op !== 'open' && op.op !== 'peer') || op.as !== undefined) return op;
      const r = model.results[i];
      return r && 'ok' in r && r.fd !== undefined ? { ...op, as: r.fd } : op;
    }),
  };
}

export interface ShrinkOptions {
  /** Upper bound on harness re-runs (default 400). */
  readonly budget?: number;
  /** The model side (default runOnModel; tests pass a deliberately wrong one). */
  readonly model?: (seq: Sequence) => ModelRun;
}

/**
 * Shrink a divergent sequence: drop steps (with their dependents), then simpler boots,
 * keeping a candidate only when it is still a valid trace on the model and still
 * diverges on the kernel. Re-runs the harness for every candidate.
 */
export async function shrinkDivergence(h: SequenceRunner, d: Divergence, options: ShrinkOptions = {}): Promise<Divergence> {
  let budget = options.budget ?? 400;
  const onModel = options.model ?? runOnModel;
  let best = d;
  const attempt = async (seq: Sequence): Promise<Divergence | null> => {
    if (budget-- <= 0) return null;
    const model = onModel(seq);
    if (model.toolError >= 0 || model.bootError !== null) return null;
    const run = await h.run(seq);
    return run.lost !== undefined ? null : compareRuns(seq, model, run);
  };
  // cut everything after the divergence first
  const start = withExplicitHandles({ boot: d.seq.boot, ops: d.seq.ops.slice(0, d.step + 1) }, onModel);
  const cut = await attempt(start);
  if (cut) best = cut;
  let progress = true;
  while (progress && budget > 0) {
    progress = false;
    // chunks first (halves, quarters, ...), then single steps with their dependents
    for (let size = Math.floor(best.seq.ops.length / 2); size >= 1 && !progress; size = Math.floor(size / 2)) {
      for (let at = 0; at + size <= best.seq.ops.length && budget > 0; at += size) {
        const drop = new Set<number>();
        for (let i = at; i < at + size; i++) for (const j of dependents(best.seq.ops, i)) drop.add(j);
        if (drop.size >= best.seq.ops.length) continue;
        const found = await attempt({ boot: best.seq.boot, ops: best.seq.ops.filter((_, i) => !drop.has(i)) });
        if (found) {
          best = { ...found, seq: { ...found.seq, ops: found.seq.ops.slice(0, found.step + 1) } };
          progress = true;
          break;
        }
      }
    }
  }
  for (const simpler of simplerBoots(best.seq.boot)) {
    const found = await attempt({ boot: simpler, ops: best.seq.ops });
    if (found) { best = found; break; }
  }
  // the saved trace must show the divergence with the results of exactly these ops
  const final = await attempt(best.seq);
  return final ?? best;
}

function simplerBoots(b: BootConfig): BootConfig[] {
  const out: BootConfig[] = [];
  if (Object.keys(b).length > 0) out.push({});
  if (b.devptsOptions !== undefined && Object.keys(b).length > 1) {
    const { devptsOptions: _d, ...rest } = b;
    out.push(rest);
  }
  return out;
}

// ---- the divergence as a trace ----------------------------------------------------------

/** Kernel result as an expectation: its `log` only where the model has one too. */
function expectationOf(kernel: HarnessResult, model: StepResult | undefined): Expectation | undefined {
  if (isHarnessError(kernel)) return undefined;
  const e = { ...kernel } as Record<string, unknown>;
  if (!(model && 'log' in model)) delete e.log;
  return e as Expectation;
}

/**
 * The trace of a divergence: every step expects what the live kernel did (so replaying
 * it on the model fails exactly where the model is wrong), and carries the model's
 * result as `result` and the kernel's as `kernel`.
 */
export interface DivergenceMeta {
  readonly seed?: number;
  readonly index?: number;
  /** The model's profile (default 6.x). */
  readonly profile?: ProfileId;
  /** The kernel, as reports name it ("live 6.18.44", "QEMU 2.6.39.4 =y"; default "live 6.x"). */
  readonly kernel?: string;
}

export function divergenceTrace(d: Divergence, meta: DivergenceMeta = {}): Trace {
  const steps: TraceStep[] = d.seq.ops.map((op, i) => {
    const s: Record<string, unknown> = { ...op };
    const k = d.kernel.results[i];
    const m = d.model.results[i];
    if (k !== undefined) {
      const e = expectationOf(k, m);
      if (e) s.expect = e;
      s.kernel = k;
    }
    if (m !== undefined) s.result = m;
    if (i === d.step) s.note = `${meta.kernel ?? 'live 6.x'} and the model diverge here`;
    return s as unknown as TraceStep;
  });
  const where = d.step < 0 ? 'at boot' : `at step ${d.step + 1} (${d.seq.ops[d.step]!.op})`;
  return {
    format: 'devpts-trace/1',
    profile: meta.profile ?? '6.x',
    title: `${meta.kernel ?? 'live kernel'} vs model: divergence ${where}`,
    ...(Object.keys(d.seq.boot).length > 0 ? { boot: d.seq.boot } : {}),
    steps,
    source: 'kernel',
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    ...(meta.index !== undefined ? { index: meta.index } : {}),
    ...(d.step < 0 ? { bootResults: { model: d.model.bootError, kernel: d.kernel.bootError } } : {}),
  };
}

/** Save a divergence atomically under `dir`; returns the path. */
export async function saveDivergence(dir: string, d: Divergence, meta: DivergenceMeta = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `kernel-divergence-${meta.profile && meta.profile !== '6.x' ? `${meta.profile}-` : ''}${meta.seed ?? 'x'}-${meta.index ?? 0}.json`;
  const path = join(dir, name);
  await saveTrace(path, divergenceTrace(d, meta));
  return path;
}

/** One line per step of a divergence: op, model result, kernel result, a mark where they differ. */
export function renderDivergence(d: Divergence): string[] {
  const lines: string[] = [];
  const show = (r: unknown) => (r === undefined ? '—' : JSON.stringify(r));
  if (d.step < 0) {
    lines.push(`  boot ${JSON.stringify(d.seq.boot)}: model ${show(d.model.bootError ?? 'ok')}, kernel ${show(d.kernel.bootError ?? 'ok')}`);
  }
  d.seq.ops.forEach((op, i) => {
    const mark = i === d.step ? '✗' : ' ';
    lines.push(`${mark} ${String(i + 1).padStart(2)} ${JSON.stringify(op)}`);
    if (i === d.step || (d.model.results[i] !== undefined && d.kernel.results[i] !== undefined && !sameResult(d.model.results[i]!, d.kernel.results[i]!))) {
      lines.push(`       model:  ${show(d.model.results[i])}`);
      lines.push(`       kernel: ${show(d.kernel.results[i])}`);
    } else {
      lines.push(`       both:   ${show(d.kernel.results[i])}`);
    }
  });
  return lines;
}

// ---- random sequences -----------------------------------------------------------------------

/**
 * The generator options of the live-kernel runs: never `sysctl` (host-wide), few open
 * ptys (the pty limit is global); limit cases come from `max=`, in mount options and in
 * two extra boots whose /dev/pts instance holds one or two ptys.
 */
export const KERNEL_GEN: GenOptions = {
  exclude: ['sysctl'], maxOpenPtys: 4, maxSteps: 16,
  boots: [...DEFAULT_BOOTS, { devptsOptions: 'max=1' }, { devptsOptions: 'max=2,ptmxmode=0666' }],
};

/** A generated sequence with the model's (labelled) results, which the generator computed anyway. */
export interface Checked { readonly seq: Sequence; readonly model: ModelRun }

/** Sequences come in chunks; chunk k of a seed is sampled from its own derived seed. */
export const CHUNK = 200;
const chunkSeed = (seed: number, k: number): number => (seed * 65537 + k) % 0x7fffffff;

/**
 * Sequences [start, start + count) of the stream of `seed`, with the model's results.
 * Deterministic: sequence i is the (i mod CHUNK)-th sample of chunk floor(i / CHUNK), so
 * any range can be made without making what comes before it.
 */
export function kernelRuns(seed: number, count: number, options: GenOptions = KERNEL_GEN, start = 0, profile: ProfileId = '6.x'): Checked[] {
  const out: Checked[] = [];
  const end = start + Math.max(0, count);
  for (let k = Math.floor(start / CHUNK); k * CHUNK < end; k++) {
    const from = Math.max(start - k * CHUNK, 0);
    const upto = Math.min(end - k * CHUNK, CHUNK);
    const sampled = fc.sample(runs(profile, options), { seed: chunkSeed(seed, k), numRuns: upto });
    for (const r of sampled.slice(from)) {
      const labeler = new FsLabeler<string>();
      out.push({ seq: { boot: r.boot, ops: [...r.ops] }, model: { bootError: null, results: r.results.map((x) => labelModelResult(labeler, x)), toolError: -1 } });
    }
  }
  return out;
}

export function kernelSequences(seed: number, count: number, options: GenOptions = KERNEL_GEN, profile: ProfileId = '6.x'): Sequence[] {
  return kernelRuns(seed, count, options, 0, profile).map((c) => c.seq);
}

/**
 * The generator options of guest runs: a guest is a throw-away machine, so `sysctl`
 * (kernel.pty.max / reserve, and reads) is generated too, and more ptys may be open.
 */
export const GUEST_GEN: GenOptions = {
  maxOpenPtys: 6, maxSteps: 16,
  boots: KERNEL_GEN.boots!,
};

/**
 * The generator options for a profile's kernel: the live host never gets `sysctl`. 4.4-n:
 * no boot without init's devpts mount. The kernel's own instance has `max` 0 until the
 * first devpts mount (new_pts_fs_info, mount_single; the model's Profile.initialOptions),
 * and a guest's harness has mounted it (at /restore) before its first sequence, so that
 * never-mounted state cannot be reached in a guest that runs batches.
 */
export function genFor(guest: boolean, profile: ProfileId = '6.x'): GenOptions {
  if (!guest) return KERNEL_GEN;
  if (profile === '4.4-n') return { ...GUEST_GEN, boots: GUEST_GEN.boots!.filter((b) => b.mountDevpts !== false) };
  // 4.7 on: the reserve pool is for instances mounted from init_task's mount namespace,
  // and a world is never in it (the harness unshares first): with kernel.pty.max and
  // reserve changed, every instance of a world would count as a container's. No sysctl
  // writes there; the limit rules of 6.x rest on the live observations (S4g).
  if (profile === '6.1') return { ...GUEST_GEN, exclude: ['sysctl'] };
  return GUEST_GEN;
}

// ---- the whole check ------------------------------------------------------------------------

export interface KernelCheckOptions {
  readonly runs: number;
  readonly seed: number;
  /** The model's profile (default 6.x, checked on the live kernel). */
  readonly profile?: ProfileId;
  /** The kernel as reports name it ("QEMU 2.6.39.4 =y"). */
  readonly kernel?: string;
  /** Where a shrunk divergence (and a lost sequence) is saved (default test-artifacts/kernel). */
  readonly outDir?: string;
  /** Called after each checked sequence (progress display). */
  readonly onProgress?: (checked: number, total: number) => void;
  /** Sequences in flight at once on the live harness (default 64). */
  readonly window?: number;
  /** What runs the sequences (default: a live harness of its own). */
  readonly harness?: SequenceRunner;
  /** Generator options (default KERNEL_GEN: no sysctl). */
  readonly gen?: GenOptions;
  /** Sequences handed to the runner together (default CHUNK; guests take all at once). */
  readonly batch?: number;
  readonly shrink?: boolean;
  /** The model side (default: the profile's model results, as the generator computed them); tests pass a mutant. */
  readonly model?: (seq: Sequence) => ModelRun;
}

/** A sequence that was not checked: its guest hung or panicked (never a pass, never a divergence). */
export interface LostSequence {
  /** 0-based index in the run. */
  readonly index: number;
  readonly why: string;
  /** Where the sequence was saved (a trace that replays it), or null. */
  readonly file: string | null;
}

export interface KernelCheckReport {
  readonly seed: number;
  readonly runs: number;
  readonly profile: ProfileId;
  readonly kernel: string;
  /** Sequences compared (lost ones not counted). */
  readonly checked: number;
  readonly steps: number;
  readonly seconds: number;
  readonly lost: readonly LostSequence[];
  /** The first divergence found (shrunk), with where it was saved. */
  readonly divergence: (Divergence & { readonly index: number; readonly original: Divergence; readonly file: string | null }) | null;
}

export const DEFAULT_OUT_DIR = join(process.cwd(), 'test-artifacts', 'kernel');

/** Save a lost sequence as a trace (no expectations: nothing is known of it), so it can be replayed. */
async function saveLost(dir: string, seq: Sequence, why: string, meta: DivergenceMeta): Promise<string | null> {
  try {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `kernel-lost-${meta.profile ?? '6.x'}-${meta.seed ?? 'x'}-${meta.index ?? 0}.json`);
    await saveTrace(path, {
      format: 'devpts-trace/1', profile: meta.profile ?? '6.x',
      title: `not checked on ${meta.kernel ?? 'the kernel'}: ${why}`,
      ...(Object.keys(seq.boot).length > 0 ? { boot: seq.boot } : {}),
      steps: seq.ops.map((op) => ({ ...op }) as TraceStep), source: 'kernel', lost: why,
      ...(meta.seed !== undefined ? { seed: meta.seed } : {}), ...(meta.index !== undefined ? { index: meta.index } : {}),
    });
    return path;
  } catch {
    return null;
  }
}

/**
 * Generate `runs` sequences from `seed`, run each on the model and on the kernel, stop at
 * the first divergence: shrink it, save it, report it. Lost sequences (a guest that hung
 * or panicked) are saved and reported apart, and the run goes on.
 */
export async function kernelCheck(options: KernelCheckOptions): Promise<KernelCheckReport> {
  const started = performance.now();
  const profile = options.profile ?? '6.x';
  const kernel = options.kernel ?? 'live 6.x';
  const gen = options.gen ?? KERNEL_GEN;
  const own = options.harness === undefined;
  const h: SequenceRunner = options.harness ?? KernelHarness.start();
  const window = options.window ?? 64;
  const batch = Math.max(1, options.batch ?? CHUNK);
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  let checked = 0;
  let steps = 0;
  const lost: LostSequence[] = [];
  let found = null as { index: number; d: Divergence } | null;
  const meta = (index: number): DivergenceMeta => ({ seed: options.seed, index, profile, kernel });
  try {
    // the next batch is generated (with its model results) while the kernel runs this one
    const batchAt = (base: number): Checked[] => kernelRuns(options.seed, Math.min(batch, options.runs - base), gen, base, profile);
    let chunk = batchAt(0);
    for (let base = 0; base < options.runs && !found; base += batch) {
      const running = h.runAll(chunk.map((c) => c.seq), window);
      const next = base + batch < options.runs ? batchAt(base + batch) : [];
      const runs = await running;
      for (const [i, { seq, model }] of chunk.entries()) {
        const run = runs[i]!;
        if (run.lost !== undefined) {
          lost.push({ index: base + i, why: run.lost, file: await saveLost(outDir, seq, run.lost, meta(base + i)) });
          continue;
        }
        const d = compareRuns(seq, options.model ? options.model(seq) : model, run);
        checked++;
        steps += seq.ops.length;
        options.onProgress?.(checked + lost.length, options.runs);
        if (d) { found = { index: base + i, d }; break; }
      }
      chunk = next;
    }
    const base = { seed: options.seed, runs: options.runs, profile, kernel, checked, steps, lost };
    if (!found) return { ...base, seconds: (performance.now() - started) / 1000, divergence: null };
    const onModel = options.model ?? ((seq: Sequence) => runOnModel(seq, profile));
    const shrunk = options.shrink === false ? found.d : await shrinkDivergence(h, found.d, { model: onModel });
    let file: string | null = null;
    try {
      file = await saveDivergence(outDir, shrunk, meta(found.index));
    } catch { file = null; }
    return { ...base, seconds: (performance.now() - started) / 1000, divergence: { ...shrunk, index: found.index, original: found.d, file } };
  } finally {
    if (own) await h.close();
  }
}
