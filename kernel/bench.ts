// Throughput of the differential runner, for the bench helper: kernel-checked sequences
// per second, i.e. random sequences generated, run on the model and on the live kernel
// (one harness process, one world per sequence, many in flight) and compared.

import { kernelAvailability } from './build.ts';
import { CHUNK, compareRuns, KERNEL_GEN, kernelRuns, type Checked } from './diff.ts';
import { KernelHarness } from './driver.ts';

export interface KernelRate {
  /** Sequences checked (generated, run on both sides, compared). */
  readonly sequences: number;
  readonly steps: number;
  readonly seconds: number;
  /** sequences / seconds */
  readonly rate: number;
  /** Divergences met on the way (should be 0). */
  readonly divergences: number;
}

/**
 * Check random sequences for about `seconds` seconds and report the rate. Throws
 * Error(reason) where the harness cannot run here (see kernelAvailability).
 */
export async function measureKernelRate(seconds: number, seed = 1): Promise<KernelRate> {
  const a = kernelAvailability();
  if (!a.ok) throw new Error(a.reason);
  const h = KernelHarness.start({ binary: a.binary });
  let sequences = 0, steps = 0, divergences = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  try {
    // generation of chunk k+1 overlaps with the kernel running chunk k
    let chunk: Checked[] = kernelRuns(seed, CHUNK, KERNEL_GEN, 0);
    for (let k = 1; performance.now() < deadline; k++) {
      const running = h.runAll(chunk.map((c) => c.seq), 64);
      const next = kernelRuns(seed, CHUNK, KERNEL_GEN, k * CHUNK);
      const runs = await running;
      for (const [i, { seq, model }] of chunk.entries()) {
        if (compareRuns(seq, model, runs[i]!)) divergences++;
        sequences++;
        steps += seq.ops.length;
      }
      chunk = next;
    }
  } finally {
    await h.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  return { sequences, steps, seconds: elapsed, rate: sequences / elapsed, divergences };
}
