// Shared by the live-kernel suites: whether the harness can run here (computed once per
// worker, at collection time, so describe.skipIf can use it), and small helpers.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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

/** The caller's mount table: what a world must never change. */
export function hostSnapshot(): { mountinfo: string } {
  return { mountinfo: readFileSync('/proc/self/mountinfo', 'utf8') };
}

/**
 * Pty ends a process holds open: file descriptors on a ptmx (c 5:2, a master) or a pty
 * slave (c 136-143:N). Counted by device number from /proc/<pid>/fd, so it sees the
 * ptys of the harness's own processes only, whatever other programs on the machine do
 * (kernel.pty.nr is host-wide: any terminal opening changes it).
 */
export function ptyFdsOf(pid: number): number {
  let n = 0;
  let fds: string[];
  try { fds = readdirSync(`/proc/${pid}/fd`); } catch { return 0; } // gone meanwhile
  for (const fd of fds) {
    try {
      const st = statSync(`/proc/${pid}/fd/${fd}`);
      if (!st.isCharacterDevice()) continue;
      const major = Number((BigInt(st.rdev) >> 8n) & 0xfffn);
      const minor = Number((BigInt(st.rdev) & 0xffn) | ((BigInt(st.rdev) >> 12n) & ~0xffn));
      if ((major === 5 && minor === 2) || (major >= 136 && major <= 143)) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

/** `pid` and all its descendants (from /proc, at this moment). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const c of childrenOf(out[i]!)) if (!out.includes(c)) out.push(c);
  return out;
}

/** Pty ends held by a process and its descendants. */
export const ptysHeldByTree = (pid: number): number => processTree(pid).reduce((n, p) => n + ptyFdsOf(p), 0);

/** Processes running this checkout's harness binary that lost their parent (reparented to init): a world left behind. */
export function orphanedHarnesses(binary: string = BINARY): number[] {
  return harnessProcesses().filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      // reparented to init, or to a subreaper such as systemd --user
      const adopted = ppid === 1 || readFileSync(`/proc/${ppid}/comm`, 'utf8').trim() === 'systemd';
      return adopted && readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith(binary);
    } catch { return false; }
  });
}

/** Pty ends held by orphaned harness processes, waiting up to `ms` for worlds being torn down right now to finish. */
export async function ptysLeftBehind(ms = 5_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const held = orphanedHarnesses().reduce((n, p) => n + ptyFdsOf(p), 0);
    if (held === 0 || Date.now() >= deadline) return held;
    await new Promise((r) => setTimeout(r, 100));
  }
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
