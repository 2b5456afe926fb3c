// Shared by the live-kernel suites: whether the harness can run here (computed once per
// worker, at collection time, so describe.skipIf can use it), and small helpers.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { BootConfig, Op } from '../../model/index.ts';
import { kernelAvailability } from '../../kernel/build.ts';
import { compareRuns, renderDivergence, runOnModel, type Divergence } from '../../kernel/diff.ts';
import type { HarnessResult, KernelHarness } from '../../kernel/driver.ts';

export const KERNEL = kernelAvailability();
/** describe.skipIf(NO_KERNEL)(...): the reason is printed once, by availability.test.ts. */
export const NO_KERNEL = !KERNEL.ok;
export const BINARY = KERNEL.ok ? KERNEL.binary : '';

/** Raw protocol: feed lines to a fresh harness process, get its answer lines parsed. */
export function rawHarness(lines: readonly string[], args: readonly string[] = []): Record<string, unknown>[] {
  const r = spawnSync(BINARY, [...args], { input: `${lines.join('\n')}\n`, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`harness exited ${r.status} ${r.signal ?? ''}: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Run on the kernel; throw with the rendered divergence unless the model agrees at every step. */
export async function agree(h: KernelHarness, boot: BootConfig, ops: Op[]): Promise<HarnessResult[]> {
  const seq = { boot, ops };
  const model = runOnModel(seq);
  if (model.toolError >= 0) throw new Error(`the model rejects step ${model.toolError + 1}: ${JSON.stringify(ops[model.toolError])}`);
  const run = await h.run(seq);
  const d: Divergence | null = compareRuns(seq, model, run);
  if (d) throw new Error(`model and live kernel diverge:\n${renderDivergence(d).join('\n')}`);
  return run.results;
}

/** Mount table and pty count of the caller: what a world must never change. */
export function hostSnapshot(): { mountinfo: string; ptyNr: string } {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  return { mountinfo, ptyNr: readFileSync('/proc/sys/kernel/pty/nr', 'utf8').trim() };
}

/**
 * The snapshot once it equals `before`, waiting up to `ms` for the pty count to settle
 * (ptys of other programs on the machine come and go; a leak of ours would stay).
 */
export async function settledSnapshot(before: ReturnType<typeof hostSnapshot>, ms = 10_000): Promise<ReturnType<typeof hostSnapshot>> {
  const deadline = Date.now() + ms;
  let now = hostSnapshot();
  while (now.ptyNr !== before.ptyNr && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    now = hostSnapshot();
  }
  return now;
}

/** Live processes whose parent is `pid` (from /proc). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/** Processes running a harness binary (any of build/kernel/harness-*). */
export function harnessProcesses(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes('/build/kernel/harness-')) out.push(Number(name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}
