// The old profiles on their own kernels, under QEMU (kernel/qemu.ts, kernel/targets.ts):
// every corpus trace of 2.6.39-n, 2.6.39-y, 3.4-y, 4.4-n and 4.4-y on its image, a random budget per
// profile, many sequences per boot made independent (restore of the initial instance
// and kernel.pty.*), hung and panicked guests reported as lost, and the host untouched.
// Where QEMU, musl-gcc or the images are missing, one line says so and the suite is
// skipped (CI installs qemu-system-x86 and musl-tools, and lays out ../shared/kernels).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BootConfig, Op, ProfileId } from '../../model/index.ts';
import { corpusFiles } from '../../traces/corpus.ts';
import { loadTrace } from '../../traces/load.ts';
import { compareRuns, genFor, GUEST_GEN, kernelRuns, renderDivergence, runOnModel, type Sequence } from '../../kernel/diff.ts';
import type { HarnessRun } from '../../kernel/driver.ts';
import { guestTools, GuestUnavailable } from '../../kernel/guest-build.ts';
import { GuestPool } from '../../kernel/qemu.ts';
import { kernelsDir, targetFor, TargetUnavailable } from '../../kernel/targets.ts';
import { childrenOf, hostSnapshot, ptysHeldByTree } from './helpers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const OLD: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y'];

/** Can guests run here? null, or the one-line reason. */
async function guestProblem(): Promise<string | null> {
  try {
    guestTools();
    for (const p of OLD) await targetFor(p);
    return null;
  } catch (err) {
    if (err instanceof GuestUnavailable || err instanceof TargetUnavailable) return err.message;
    throw err;
  }
}
const PROBLEM = await guestProblem();

async function pool(profile: ProfileId, options: { guests?: number; answerTimeoutMs?: number } = {}): Promise<GuestPool> {
  const target = await targetFor(profile);
  if (target.kind !== 'guest') throw new Error('not a guest target');
  const { qemu, initramfs } = guestTools();
  return new GuestPool({ qemu, initramfs, image: target.image, guests: options.guests ?? 2, ...(options.answerTimeoutMs ? { answerTimeoutMs: options.answerTimeoutMs } : {}) });
}

/** Every divergence of `runs` against the profile's model, rendered. */
function divergences(profile: ProfileId, seqs: readonly Sequence[], runs: readonly HarnessRun[], names: readonly string[] = []): string[] {
  const out: string[] = [];
  seqs.forEach((seq, i) => {
    const run = runs[i]!;
    if (run.lost !== undefined) { out.push(`${names[i] ?? `sequence ${i + 1}`}: lost: ${run.lost}`); return; }
    const d = compareRuns(seq, runOnModel(seq, profile), run);
    if (d) out.push(`${names[i] ?? `sequence ${i + 1}`}:\n${renderDivergence(d).join('\n')}`);
  });
  return out;
}

describe('QEMU guests: availability', () => {
  it('run here, or one line says why', (ctx) => {
    if (PROBLEM !== null) {
      console.log(`QEMU kernel checks skipped: ${PROBLEM}`);
      ctx.skip(PROBLEM);
    }
    expect(PROBLEM).toBeNull();
  });

  it('a missing image is one line and exit 77', () => {
    const r = spawnSync(process.execPath, [`${REPO}bin/devpts-check.js`, 'kernel', '--profile', '2.6.39-y', '--runs', '1', '--kernels', '/nonexistent-kernels'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(77);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bzImage-2\.6\.39-y is missing/);
  });

  it('the images are found next to the project root by default', () => {
    expect(kernelsDir()).toBe(fileURLToPath(new URL('../../../shared/kernels', import.meta.url)).replace(/\/$/, ''));
  });
});

describe.skipIf(PROBLEM !== null)('the old profiles on their kernels', () => {
  const before = hostSnapshot();
  const pools = new Map<ProfileId, GuestPool>();
  beforeAll(async () => { for (const p of OLD) pools.set(p, await pool(p)); });
  afterAll(async () => { await Promise.all([...pools.values()].map((p) => p.close())); });

  for (const profile of OLD) {
    it(`${profile}: every corpus trace replays on its kernel, step by step as the model says`, async () => {
      const files = [];
      for (const f of await corpusFiles()) {
        const t = await loadTrace(f);
        if (t.profile === profile) files.push({ f, t });
      }
      expect(files.length).toBeGreaterThan(profile.startsWith('4.4') ? 0 : 10);
      const seqs = files.map(({ t }) => ({ boot: t.boot ?? {}, ops: t.steps }));
      const runs = await pools.get(profile)!.runAll(seqs);
      expect(divergences(profile, seqs, runs, files.map(({ f }) => f.replace(REPO, '')))).toEqual([]);
    }, 240_000);

    it(`${profile}: 300 random sequences (sysctl included) agree with the model`, async () => {
      const checked = kernelRuns(11, 300, genFor(true, profile), 0, profile);
      const seqs = checked.map((c) => c.seq);
      const runs = await pools.get(profile)!.runAll(seqs);
      expect(divergences(profile, seqs, runs)).toEqual([]);
    }, 240_000);
  }

  it('the host\'s mount table is as before, and the guests hold no host pty (guests change only themselves)', async () => {
    expect(hostSnapshot()).toEqual(before);
    // this test file's own processes (the worker and its QEMU guests): not the host-wide kernel.pty.nr, which any terminal changes
    expect(ptysHeldByTree(process.pid)).toBe(0);
  });
});

describe.skipIf(PROBLEM !== null)('many sequences per boot, each independent', () => {
  // a sequence that looks at everything that outlives a namespace
  const probe: Sequence = {
    boot: { devptsOptions: 'gid=5,mode=620' },
    ops: [
      { op: 'open', path: '/dev/ptmx', as: 'm' },
      { op: 'stat', path: '/dev/pts/0' },
      { op: 'stat', path: '/dev/pts/ptmx' },
      { op: 'stat', path: '/dev/pts' },
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', options: 'gid=5,mode=620' },
      { op: 'open', path: '/dev/ptmx', as: 'n' },
      { op: 'sysctl', name: 'kernel.pty.max' },
    ] as Op[],
  };
  // rewrites the initial instance: options, ptmx node, root directory, read-only flag
  const rewrite: Sequence = {
    boot: { devptsOptions: 'uid=7,gid=9,mode=0777,ptmxmode=0666' },
    ops: [
      { op: 'chmod', path: '/dev/pts/ptmx', mode: '0644' },
      { op: 'chown', path: '/dev/pts/ptmx', uid: 7, gid: 9 },
      { op: 'chmod', path: '/dev/pts', mode: '0700' },
      { op: 'chown', path: '/dev/pts', uid: 7, gid: 9 },
      { op: 'open', path: '/dev/ptmx', as: 'keep' },
      { op: 'remount', target: '/dev/pts', options: 'mode=0444', flags: ['ro'] },
      { op: 'sysctl', name: 'kernel.pty.max', value: 3 },
    ] as Op[],
  };
  // fills the pty limit
  const fill: Sequence = {
    boot: {},
    ops: [
      { op: 'sysctl', name: 'kernel.pty.max', value: 2 },
      { op: 'open', path: '/dev/ptmx', as: 'a' }, { op: 'open', path: '/dev/ptmx', as: 'b' }, { op: 'open', path: '/dev/ptmx', as: 'c' },
    ] as Op[],
  };

  for (const profile of ['2.6.39-y', '3.4-y', '2.6.39-n'] as ProfileId[]) {
    it(`${profile}: the same answers first, after a rewrite of the initial instance, after a full pty limit, and last — in one guest`, async () => {
      const p = await pool(profile, { guests: 1 });
      try {
        const batch = [probe, rewrite, probe, fill, probe, rewrite, fill, probe];
        const runs = await p.runAll(batch);
        const probes = [0, 2, 4, 7].map((i) => runs[i]!);
        for (const r of probes) expect(r.lost).toBeUndefined();
        for (const r of probes.slice(1)) expect(r.results).toEqual(probes[0]!.results);
        // and the rewrite and the fill really did what they say (so the test can fail)
        expect(divergences(profile, batch, runs)).toEqual([]);
        expect(runs[3]!.results.at(-1)).toMatchObject({ errno: expect.stringMatching(/^(EIO|ENOSPC)$/) });
        expect(p.history.started).toBe(1); // restored in place, not by a fresh guest
      } finally {
        await p.close();
      }
    }, 180_000);
  }

  it('a sequence that writes into the kernel\'s devtmpfs is undone in place: the next one sees the boot devtmpfs, in the same guest', async () => {
    const p = await pool('3.4-y', { guests: 1 });
    try {
      const mountIt = [{ op: 'mkdir', path: '/tmp/d' }, { op: 'mount', fstype: 'devtmpfs', target: '/tmp/d' }];
      const writer: Sequence = { boot: {}, ops: [...mountIt,
        { op: 'mknod', path: '/tmp/d/new', major: 1, minor: 3 }, { op: 'mkdir', path: '/tmp/d/dir' }, { op: 'touch', path: '/tmp/d/dir/f' },
        { op: 'chmod', path: '/tmp/d/null', mode: '0600' }, { op: 'chown', path: '/tmp/d/tty', uid: 7, gid: 7 },
        { op: 'unlink', path: '/tmp/d/zero' }, { op: 'rename', from: '/tmp/d/console', to: '/tmp/d/console2' }, { op: 'symlink', target: 'null', path: '/tmp/d/ln' }] as Op[] };
      const reader: Sequence = { boot: {}, ops: [...mountIt,
        ...['new', 'dir', 'null', 'tty', 'zero', 'console', 'console2', 'ln', 'ptmx'].map((n) => ({ op: 'stat', path: `/tmp/d/${n}`, nofollow: true }))] as Op[] };
      const seqs = [writer, reader, writer, reader];
      const runs = await p.runAll(seqs);
      expect(divergences('3.4-y', seqs, runs)).toEqual([]);
      expect(runs[1]!.results.slice(2).map((r) => ('errno' in r ? r.errno : (r as { mode: string }).mode))).toEqual(['ENOENT', 'ENOENT', '0666', '0666', '0666', '0600', 'ENOENT', 'ENOENT', '0666']);
      expect(p.history.started).toBe(1); // restored in place, not by a fresh guest
    } finally {
      await p.close();
    }
  }, 180_000);

  it('2.6.39: a sequence that reads kernel.pty.nr after others allocated ptys reads it as the guest\'s first sequence would, in the same guest (the count never goes down: what came before is subtracted)', async () => {
    const p = await pool('2.6.39-y', { guests: 1 });
    try {
      const reader: Sequence = { boot: {}, ops: [{ op: 'sysctl', name: 'kernel.pty.nr' }] as Op[] };
      const counter: Sequence = { boot: {}, ops: [{ op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'sysctl', name: 'kernel.pty.nr' }] as Op[] };
      const runs = await p.runAll([probe, reader, probe, counter]);
      expect(runs[1]!.results).toEqual([{ ok: true, value: 0 }]);
      expect(runs[2]!.results).toEqual(runs[0]!.results);
      expect(runs[3]!.results[1]).toEqual({ ok: true, value: 1 }); // its own pty, not the earlier ones
      expect(p.history.started).toBe(1);
      expect(p.history.retired.some((w) => /never counts down/.test(w))).toBe(false);
    } finally {
      await p.close();
    }
  }, 180_000);
});

describe.skipIf(PROBLEM !== null)('a guest that hangs or panics', () => {
  const seq = (mode: string): Sequence => ({ boot: {} as BootConfig, ops: [{ op: 'chmod', path: '/dev/ptmx', mode }, { op: 'stat', path: '/dev/ptmx' }] as Op[] });

  for (const how of ['hang', 'panic'] as const) {
    it(`${how}: the sequence it was running is lost (named, never a pass or a divergence); the rest run in a new guest`, async () => {
      const p = await pool('2.6.39-y', { guests: 1, answerTimeoutMs: 8_000 });
      try {
        expect((await p.run(seq('0600'))).results[1]).toMatchObject({ mode: '0600' });
        p.running[0]!.sendRaw(`{"debug":"${how}"}`);
        const [lost, next] = await Promise.all([p.run(seq('0640')), p.run(seq('0604'))]);
        expect(lost.lost).toMatch(how === 'hang' ? /the guest hung: no answer in 8 s/ : /the guest kernel panicked: Kernel panic/);
        expect(lost.results).toEqual([]);
        expect(compareRuns(seq('0640'), runOnModel(seq('0640'), '2.6.39-y'), lost)).toBeNull();
        expect(next.lost).toBeUndefined();
        expect(next.results[1]).toMatchObject({ mode: '0604' });
        expect(p.history.started).toBe(2);
      } finally {
        await p.close();
      }
    }, 120_000);
  }

  it('no guest outlives its driver: a driver killed mid-run leaves no QEMU behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { guestTools } = await import('${REPO}kernel/guest-build.ts');
      const { GuestPool } = await import('${REPO}kernel/qemu.ts');
      const { targetFor } = await import('${REPO}kernel/targets.ts');
      const t = await targetFor('2.6.39-y'); const { qemu, initramfs } = guestTools();
      const pool = new GuestPool({ qemu, initramfs, image: t.image, guests: 1 });
      await pool.start();
      console.log('up');
      await new Promise(() => {});
    `], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('up')) resolve(); }));
    const guests = () => childrenOf(child.pid!).flatMap((p) => [p, ...childrenOf(p)]).filter((p) => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('qemu-system'); } catch { return false; } });
    const before = guests();
    expect(before.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (before.some((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(before.filter((p) => existsSync(`/proc/${p}`) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z '))).toEqual([]);
  }, 120_000);

  it('kernelCheck counts a lost sequence apart: neither checked nor a divergence', () => {
    // a 1 ms answer timeout cannot be met: every sequence of the run is lost
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      const { kernelCheck, GUEST_GEN } = await import('${REPO}kernel/diff.ts');
      const { guestTools } = await import('${REPO}kernel/guest-build.ts');
      const { GuestPool } = await import('${REPO}kernel/qemu.ts');
      const { targetFor } = await import('${REPO}kernel/targets.ts');
      const t = await targetFor('2.6.39-y'); const { qemu, initramfs } = guestTools();
      const pool = new GuestPool({ qemu, initramfs, image: t.image, guests: 1, answerTimeoutMs: 1, bootTimeoutMs: 120000, maxBootFailures: 99 });
      const r = await kernelCheck({ runs: 2, seed: 1, profile: '2.6.39-y', harness: pool, gen: GUEST_GEN, batch: 2, outDir: '${REPO}test-artifacts/kernel-lost' });
      pool.kill();
      console.log(JSON.stringify({ checked: r.checked, lost: r.lost.length, divergence: r.divergence !== null }));
    `], { encoding: 'utf8', timeout: 120_000, cwd: REPO, input: '' });
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { checked: number; lost: number; divergence: boolean };
    expect(out.lost).toBeGreaterThan(0);
    expect(out.divergence).toBe(false);
    expect(out.checked + out.lost).toBe(2);
  }, 150_000);
});

describe('6.1 (the legacy mount API generation) on Debian\'s 6.1 kernel', () => {
  let problem: string | null = null;
  let p: GuestPool | null = null;
  beforeAll(async () => {
    try {
      const target = await targetFor('6.1'); // fetches the kernel package on first use
      if (target.kind !== 'guest') throw new Error('not a guest');
      const { qemu, initramfs } = guestTools();
      p = new GuestPool({ qemu, initramfs, image: target.image, guests: 2 });
    } catch (err) {
      problem = (err as Error).message;
    }
  }, 300_000);
  afterAll(async () => { await p?.close(); });

  it('its corpus traces and 100 random sequences agree with the model (or one line says why it cannot run)', async (ctx) => {
    if (problem !== null || p === null) { console.log(`6.1 kernel checks skipped: ${problem}`); ctx.skip(); return; }
    const seqs: Sequence[] = [];
    for (const f of await corpusFiles()) {
      const t = await loadTrace(f);
      if (t.profile === '6.1') seqs.push({ boot: t.boot ?? {}, ops: t.steps });
    }
    expect(seqs.length).toBeGreaterThan(0);
    for (const c of kernelRuns(11, 100, genFor(true, '6.1'), 0, '6.1')) seqs.push(c.seq);
    const runs = await p.runAll(seqs);
    expect(divergences('6.1', seqs, runs)).toEqual([]);
  }, 300_000);
});

