// The differential runner: the same op sequences on the model (profile 6.x) and on the
// live kernel (kernel/harness.c), compared step by step.
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
  type BootConfig, type KernelState, type Op, type StepResult,
} from '../model/index.ts';
import { DEFAULT_BOOTS, runs, type GenOptions } from '../properties/generators/index.ts';
import { deepEqual } from '../model/equal.ts';
import { FsLabeler, labelModelResult } from '../traces/labels.ts';
import { saveTrace } from '../traces/save.ts';
import type { Expectation, Trace, TraceStep } from '../traces/types.ts';
import { isHarnessError, KernelHarness, type HarnessResult, type HarnessRun, type Sequence } from './driver.ts';

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

export function runOnModel(seq: Sequence): ModelRun {
  let state: KernelState;
  try {
    state = boot('6.x', seq.boot);
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

/** The first place where model and kernel differ, or null when they agree throughout. */
export function compareRuns(seq: Sequence, model: ModelRun, kernel: HarnessRun): Divergence | null {
  if ((model.bootError === null) !== (kernel.bootError === null)) return { seq, step: -1, model, kernel };
  if (model.bootError !== null) return null; // both refuse the boot: nothing ran
  for (let i = 0; i < seq.ops.length; i++) {
    const m = model.results[i];
    const k = kernel.results[i];
    if (m === undefined || k === undefined || !sameResult(m, k)) return { seq, step: i, model, kernel };
  }
  return null;
}

export async function checkOnKernel(h: KernelHarness, seq: Sequence): Promise<Divergence | null> {
  return compareRuns(seq, runOnModel(seq), await h.run(seq));
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
export async function shrinkDivergence(h: KernelHarness, d: Divergence, options: ShrinkOptions = {}): Promise<Divergence> {
  let budget = options.budget ?? 400;
  const onModel = options.model ?? runOnModel;
  let best = d;
  const attempt = async (seq: Sequence): Promise<Divergence | null> => {
    if (budget-- <= 0) return null;
    const model = onModel(seq);
    if (model.toolError >= 0 || model.bootError !== null) return null;
    return compareRuns(seq, model, await h.run(seq));
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
export function divergenceTrace(d: Divergence, meta: { seed?: number; index?: number } = {}): Trace {
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
    if (i === d.step) s.note = `live 6.x and the model diverge here`;
    return s as unknown as TraceStep;
  });
  const where = d.step < 0 ? 'at boot' : `at step ${d.step + 1} (${d.seq.ops[d.step]!.op})`;
  return {
    format: 'devpts-trace/1',
    profile: '6.x',
    title: `live kernel vs model: divergence ${where}`,
    ...(Object.keys(d.seq.boot).length > 0 ? { boot: d.seq.boot } : {}),
    steps,
    source: 'kernel',
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    ...(meta.index !== undefined ? { index: meta.index } : {}),
    ...(d.step < 0 ? { bootResults: { model: d.model.bootError, kernel: d.kernel.bootError } } : {}),
  };
}

/** Save a divergence atomically under `dir`; returns the path. */
export async function saveDivergence(dir: string, d: Divergence, meta: { seed?: number; index?: number } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `kernel-divergence-${meta.seed ?? 'x'}-${meta.index ?? 0}.json`;
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
export function kernelRuns(seed: number, count: number, options: GenOptions = KERNEL_GEN, start = 0): Checked[] {
  const out: Checked[] = [];
  const end = start + Math.max(0, count);
  for (let k = Math.floor(start / CHUNK); k * CHUNK < end; k++) {
    const from = Math.max(start - k * CHUNK, 0);
    const upto = Math.min(end - k * CHUNK, CHUNK);
    const sampled = fc.sample(runs('6.x', options), { seed: chunkSeed(seed, k), numRuns: upto });
    for (const r of sampled.slice(from)) {
      const labeler = new FsLabeler<string>();
      out.push({ seq: { boot: r.boot, ops: [...r.ops] }, model: { bootError: null, results: r.results.map((x) => labelModelResult(labeler, x)), toolError: -1 } });
    }
  }
  return out;
}

export function kernelSequences(seed: number, count: number, options: GenOptions = KERNEL_GEN): Sequence[] {
  return kernelRuns(seed, count, options).map((c) => c.seq);
}

// ---- the whole check ------------------------------------------------------------------------

export interface KernelCheckOptions {
  readonly runs: number;
  readonly seed: number;
  /** Where a shrunk divergence is saved (default test-artifacts/kernel). */
  readonly outDir?: string;
  /** Called after each checked sequence (progress display). */
  readonly onProgress?: (checked: number, total: number) => void;
  /** Sequences in flight at once (default 64). */
  readonly window?: number;
  readonly harness?: KernelHarness;
  readonly shrink?: boolean;
  /** The model side (default: the 6.x model's results, as the generator computed them); tests pass a mutant. */
  readonly model?: (seq: Sequence) => ModelRun;
}

export interface KernelCheckReport {
  readonly seed: number;
  readonly runs: number;
  readonly checked: number;
  readonly steps: number;
  readonly seconds: number;
  /** The first divergence found (shrunk), with where it was saved. */
  readonly divergence: (Divergence & { readonly index: number; readonly original: Divergence; readonly file: string | null }) | null;
}

export const DEFAULT_OUT_DIR = join(process.cwd(), 'test-artifacts', 'kernel');

/**
 * Generate `runs` sequences from `seed`, run each on the model and on the kernel, stop at
 * the first divergence: shrink it, save it, report it.
 */
export async function kernelCheck(options: KernelCheckOptions): Promise<KernelCheckReport> {
  const started = performance.now();
  const own = options.harness === undefined;
  const h = options.harness ?? KernelHarness.start();
  const window = options.window ?? 64;
  let checked = 0;
  let steps = 0;
  let found = null as { index: number; d: Divergence } | null;
  try {
    // the next chunk is generated (with its model results) while the kernel runs this one
    const chunkAt = (base: number): Checked[] => kernelRuns(options.seed, Math.min(CHUNK, options.runs - base), KERNEL_GEN, base);
    let chunk = chunkAt(0);
    for (let base = 0; base < options.runs && !found; base += CHUNK) {
      const running = h.runAll(chunk.map((c) => c.seq), window);
      const next = base + CHUNK < options.runs ? chunkAt(base + CHUNK) : [];
      const runs = await running;
      for (const [i, { seq, model }] of chunk.entries()) {
        const d = compareRuns(seq, options.model ? options.model(seq) : model, runs[i]!);
        checked++;
        steps += seq.ops.length;
        options.onProgress?.(checked, options.runs);
        if (d) { found = { index: base + i, d }; break; }
      }
      chunk = next;
    }
    if (!found) return { seed: options.seed, runs: options.runs, checked, steps, seconds: (performance.now() - started) / 1000, divergence: null };
    const shrunk = options.shrink === false ? found.d : await shrinkDivergence(h, found.d, options.model ? { model: options.model } : {});
    let file: string | null = null;
    try {
      file = await saveDivergence(options.outDir ?? DEFAULT_OUT_DIR, shrunk, { seed: options.seed, index: found.index });
    } catch { file = null; }
    return {
      seed: options.seed, runs: options.runs, checked, steps, seconds: (performance.now() - started) / 1000,
      divergence: { ...shrunk, index: found.index, original: found.d, file },
    };
  } finally {
    if (own) await h.close();
  }
}
