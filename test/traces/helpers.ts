// Shared bits of the trace tests: a small valid trace, and a scratch folder per test.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Trace } from '../../traces/types.ts';

/** The example of trace-format.md: a newinstance mount without a /dev/ptmx redirect (U5). */
export function u5Trace(): Trace {
  return {
    format: 'devpts-trace/1',
    profile: '2.6.39-y',
    title: 'multi-instance mount without a /dev/ptmx redirect',
    clauses: ['U5'],
    boot: { devptsOptions: '' },
    steps: [
      { op: 'spawn', pid: 1, child: 2, newns: true },
      { op: 'umount', pid: 2, target: '/dev/pts' },
      { op: 'mount', pid: 2, fstype: 'devpts', target: '/dev/pts', options: 'newinstance', expect: { ok: true } },
      { op: 'open', pid: 2, path: '/dev/ptmx', as: 'm', expect: { ok: true, index: 0 } },
      { op: 'readdir', pid: 2, path: '/dev/pts', expect: { ok: true, entries: ['ptmx'] } },
    ],
  };
}

/** The same trace as JSON text, with a change applied to the parsed object first. */
export function u5Text(change: (t: Record<string, unknown> & { steps: Record<string, unknown>[] }) => void = () => {}): string {
  const t = JSON.parse(JSON.stringify(u5Trace()));
  change(t);
  return JSON.stringify(t, null, 2);
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function scratchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'devpts-traces-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
