// Throughput of the differential runner, for the bench helper: kernel-checked sequences
// per second, i.e. random sequences generated, run on the model and on the kernel (the
// live kernel: one harness process, one world per sequence, many in flight; the old
// profiles: a pool of QEMU guests that preload their share, boots included) and compared.

import { kernelAvailability } from './build.ts';
import type { ProfileId } from '../model/index.ts';
import { CHUNK, compareRuns, genFor, KERNEL_GEN, kernelRuns, type Checked } from './diff.ts';
import { guestStarted, openRunner, targetFor } from './targets.ts';
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

export interface GuestRate extends KernelRate {
  readonly profile: ProfileId;
  readonly kernel: string;
  readonly guests: number;
  /** Sequences lost with their guest (should be 0). */
  readonly lost: number;
}

/**
 * Kernel-checked sequences per second on a profile's QEMU kernel: `count` random
 * sequences (sysctl included) generated, run in a pool of `guests` guests, boots included,
 * and compared with the model. Throws Error(reason) where guests cannot run here.
 */
export async function measureGuestRate(profile: ProfileId, count = 600, guests = 3, seed = 1): Promise<GuestRate> {
  const target = await targetFor(profile);
  if (target.kind !== 'guest') throw new Error(`${profile} is not checked under QEMU`);
  const started = performance.now();
  const checked = kernelRuns(seed, count, genFor(true, profile), 0, profile);
  const opened = await openRunner(target, { guests });
  let runs;
  let label = opened.label;
  try {
    const all = opened.runner.runAll(checked.map((c) => c.seq));
    label = (await guestStarted(opened)).label;
    runs = await all;
  } finally {
    await opened.runner.close();
  }
  const seconds = (performance.now() - started) / 1000;
  let divergences = 0, lost = 0, steps = 0;
  for (const [i, { seq, model }] of checked.entries()) {
    if (runs[i]!.lost !== undefined) { lost++; continue; }
    if (compareRuns(seq, model, runs[i]!)) divergences++;
    steps += seq.ops.length;
  }
  return { profile, kernel: label, guests, sequences: count - lost, steps, seconds, rate: (count - lost) / seconds, divergences, lost };
}
