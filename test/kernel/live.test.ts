// The live kernel (6.x) through kernel/harness.c: protocol and input validation, world
// isolation, the behaviours the model was corrected on (each a sequence both sides must
// agree on, with the observed value asserted), the 6.x corpus, and random sequences
// with the host checked before and after. Everything that runs the harness is in this
// one file, so it runs sequentially (the pty count check must not see another suite's
// ptys). Skipped, with the reason printed once by availability.test.ts, where the
// harness cannot run.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../../model/index.ts';
import { corpusFiles } from '../../traces/corpus.ts';
import { expectationHolds } from '../../traces/expect.ts';
import { loadTrace } from '../../traces/load.ts';
import {
  compareRuns, kernelCheck, kernelRuns, renderDivergence, runOnModel, saveDivergence, shrinkDivergence, type Divergence, type ModelRun,
} from '../../kernel/diff.ts';
import { KernelHarness, type HarnessResult } from '../../kernel/driver.ts';
import { kernelReplayer, kernelReplayProblem } from '../../kernel/replay.ts';
import { agree, BINARY, childrenOf, harnessProcesses, hostSnapshot, NO_KERNEL, orphanedHarnesses, ptyFdsOf, ptysHeldByTree, ptysLeftBehind, rawHarness } from './helpers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const KMSG_READABLE = (() => {
  try { closeSync(openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK)); return true; } catch { return false; }
})();

describe.skipIf(NO_KERNEL)('live kernel harness', () => {
  let h: KernelHarness;
  beforeAll(() => { h = KernelHarness.start({ binary: BINARY }); });
  afterAll(async () => { await h?.close(); });

  describe('protocol and input validation: {error}, never a crash', () => {
    it('answers one line per input line, bad lines with an error', () => {
      const out = rawHarness([
        '{"op":"stat","path":"/"}',
        '{"boot":{}}',
        '{"op":"frobnicate"}',
        'this is not JSON',
        '[1,2]',
        '{"op":"open","path":5}',
        '{"op":"open"}',
        '{"op":"close","fd":"nope"}',
        '{"op":"unlockpt","fd":7}',
        '{"op":"stat","pid":9,"path":"/"}',
        '{"op":"sysctl","name":"kernel.pty.max","value":1}',
        '{"op":"mount","fstype":"proc","target":"/tmp"}',
        '{"op":"mount","fstype":"nosuchfs","target":"/tmp"}',
        '{"op":"chmod","path":"/dev/ptmx","mode":"999"}',
        '{"op":"mknod","path":"/tmp/tty1","major":4,"minor":1}',
        '{"op":"open","path":"/tmp/tty1"}',
        '{"op":"stat","path":"/dev/ptmx"}',
        '{"end":true}',
        '{"end":true}',
      ]);
      expect(out).toHaveLength(19);
      expect(out[0]!.error).toMatch(/outside a sequence/);
      expect(out[1]).toEqual({ ok: true });
      expect(out[2]!.error).toBe('unknown op "frobnicate"');
      expect(out[3]!.error).toMatch(/^bad JSON/);
      expect(out[4]!.error).toMatch(/JSON object/);
      expect(out[5]!.error).toMatch(/"path" must be a path \(a string\)/); // relative and empty paths are fine
      expect(out[6]!.error).toMatch(/missing "path"/);
      expect(out[7]!.error).toMatch(/no open handle "nope"/);
      expect(out[8]!.error).toMatch(/handle name \(a string\)/); // any string is a name
      expect(out[9]!.error).toMatch(/process 9 does not exist/);
      expect(out[10]!.error).toMatch(/never changes host-wide settings/);
      expect(out[11]!.error).toMatch(/refuses to mount/);
      expect(out[12]).toEqual({ errno: 'ENODEV' }); // unknown type: what get_fs_type says, without modprobe
      expect(out[13]!.error).toMatch(/octal mode/);
      expect(out[14]).toEqual({ ok: true });
      expect(out[15]!.error).toMatch(/refuses to open char device 4:1/);
      expect(out[16]).toMatchObject({ ok: true, type: 'chr', rdev: '5:2' }); // the sequence goes on after bad steps
      expect(out[17]).toEqual({ end: true });
      expect(out[18]!.error).toMatch(/outside a sequence/);
    });

    it('handles belong to their process, names are unique, automatic names count every open and peer', () => {
      const out = rawHarness([
        '{"boot":{}}',
        '{"op":"open","path":"/dev/ptmx"}',
        '{"op":"open","path":"/dev/ptmx","as":"m"}',
        '{"op":"open","path":"/dev/ptmx","as":"m"}',
        '{"op":"open","path":"/nonexistent"}',
        '{"op":"unlockpt","fd":"m"}',
        '{"op":"peer","fd":"m"}',
        '{"op":"spawn","child":2}',
        '{"op":"close","pid":2,"fd":"m"}',
        '{"op":"spawn","child":2}',
        '{"op":"exit","pid":2}',
        '{"op":"exit","pid":2}',
        '{"end":true}',
      ]);
      expect(out.slice(1, 12)).toEqual([
        { ok: true, fd: 'fd1', index: 0 }, { ok: true, fd: 'm', index: 1 }, { error: 'handle "m" is already open' },
        { errno: 'ENOENT' }, { ok: true }, { ok: true, fd: 'fd3' }, { ok: true },
        { error: 'process 2 has no open handle "m"' }, { error: 'process 2 already exists' }, { ok: true },
        { error: 'process 2 does not exist' },
      ]);
    });

    it('a boot the kernel refuses is an error for the boot and every step', () => {
      const out = rawHarness(['{"boot":{"devptsOptions":"bogus"}}', '{"op":"stat","path":"/"}', '{"end":true}', '{"boot":{"ptmxMode":"x"}}', '{"end":true}']);
      expect(out[0]!.error).toMatch(/boot: init's devpts mount on \/dev\/pts: EINVAL/);
      expect(out[1]!.error).toBe('boot failed');
      expect(out[3]!.error).toMatch(/ptmxMode/);
    });

    it('a sequence that runs out of time answers an error for the rest, and the next one runs', async () => {
      const lines = ['{"boot":{}}', '{"op":"open","path":"/dev/ptmx","as":"m"}'];
      for (let i = 0; i < 400_000; i++) lines.push('{"op":"readdir","path":"/dev/pts"}');
      lines.push('{"end":true}', '{"boot":{}}', '{"op":"open","path":"/dev/ptmx"}', '{"end":true}');
      const before = hostSnapshot();
      const out = rawHarness(lines, ['--timeout', '1']);
      expect(out[1]).toEqual({ ok: true, fd: 'm', index: 0 });
      expect(out[400_001]).toEqual({ error: 'harness: the sequence ran out of time (1 s)' });
      expect(out.slice(-3)).toEqual([{ ok: true }, { ok: true, fd: 'fd1', index: 0 }, { end: true }]);
      expect(hostSnapshot()).toEqual(before);
      expect(await ptysLeftBehind()).toBe(0); // the timed-out world's master is gone with it
    }, 60_000);
  });

  describe('the world: nothing of the host is reachable', () => {
    it('/.. stays at /, absolute symlinks resolve inside the world', async () => {
      const r = await h.run({
        boot: {}, ops: [
          { op: 'readdir', path: '/' },
          { op: 'readdir', path: '/../../..' },
          { op: 'stat', path: '/../../etc/passwd' },
          { op: 'symlink', target: '/etc', path: '/tmp/etc' },
          { op: 'stat', path: '/tmp/etc/passwd' },
          { op: 'symlink', target: '/../../../../', path: '/tmp/up' },
          { op: 'readdir', path: '/tmp/up' },
          { op: 'symlink', target: '../../../../../proc/self', path: '/tmp/self' },
          { op: 'stat', path: '/tmp/self' },
          { op: 'bind', source: '/proc', target: '/tmp' },
          { op: 'stat', path: '/proc/self/mountinfo' },
        ],
      });
      expect(r.results).toEqual([
        { ok: true, entries: ['dev', 'tmp'] }, { ok: true, entries: ['dev', 'tmp'] }, { errno: 'ENOENT' },
        { ok: true }, { errno: 'ENOENT' }, { ok: true }, { ok: true, entries: ['dev', 'tmp'] },
        { ok: true }, { errno: 'ENOENT' }, { errno: 'ENOENT' }, { errno: 'ENOENT' },
      ]);
    });

    it('is laid out as the boot says', async () => {
      const r = await h.run({ boot: { ptmxMode: '0620', devptsOptions: 'gid=5,mode=620' }, ops: [
        { op: 'stat', path: '/dev' }, { op: 'stat', path: '/dev/ptmx' }, { op: 'stat', path: '/tmp' },
        { op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'stat', path: '/dev/pts/0' }, { op: 'stat', path: '/dev/pts/ptmx' },
      ] });
      expect(r.results).toEqual([
        { ok: true, type: 'dir', mode: '0755', uid: 0, gid: 0, fs: 'other' },
        { ok: true, type: 'chr', mode: '0620', uid: 0, gid: 0, rdev: '5:2', fs: 'other' },
        { ok: true, type: 'dir', mode: '01777', uid: 0, gid: 0, fs: 'other' },
        { ok: true, fd: 'm', index: 0 },
        { ok: true, type: 'chr', mode: '0620', uid: 0, gid: 5, rdev: '136:0', fs: 'devpts1' },
        { ok: true, type: 'chr', mode: '0000', uid: 0, gid: 0, rdev: '5:2', fs: 'devpts1' },
      ]);
      const bare = await h.run({ boot: { mountDevpts: false }, ops: [{ op: 'readdir', path: '/dev/pts' }, { op: 'open', path: '/dev/ptmx' }] });
      expect(bare.results).toEqual([{ ok: true, entries: [] }, { errno: 'ENODEV' }]);
    });

    it('labels instances by st_dev in first-seen order, and a new instance never takes a dead one\'s label', async () => {
      await agree(h, {}, [
        { op: 'mkdir', path: '/tmp/a' },
        { op: 'mount', fstype: 'devpts', target: '/tmp/a' },
        { op: 'stat', path: '/tmp/a' },            // devpts1
        { op: 'stat', path: '/dev/pts' },          // devpts2
        { op: 'umount', target: '/tmp/a' },        // the first instance dies; its st_dev may be reused
        { op: 'mount', fstype: 'devpts', target: '/tmp/a' },
        { op: 'stat', path: '/tmp/a/ptmx' },       // devpts3
        { op: 'stat', path: '/dev/pts/ptmx' },     // devpts2
      ]).then((r) => expect(r.filter((x) => 'fs' in x).map((x) => (x as { fs: string }).fs)).toEqual(['devpts1', 'devpts2', 'devpts3', 'devpts2']));
    });

    it.skipIf(!KMSG_READABLE)('reports the devpts console lines a step produced', async () => {
      const r = await agree(h, {}, [
        { op: 'mount', fstype: 'devpts', target: '/tmp', options: 'mode=0620,bogus' },
        { op: 'mount', fstype: 'devpts', target: '/tmp', options: 'uid=abc' },
        { op: 'mount', fstype: 'devpts', target: '/tmp', options: 'newinstance=1' },
        { op: 'mount', fstype: 'devpts', target: '/tmp', options: 'gid=5' },
      ]);
      expect(r).toEqual([
        { errno: 'EINVAL', log: ["devpts: Unknown parameter 'bogus'"] },
        { errno: 'EINVAL', log: ["devpts: Bad value for 'uid'", "devpts: Bad value for 'uid'"] },
        { errno: 'EINVAL', log: ["devpts: Unexpected value for 'newinstance'"] },
        { ok: true },
      ]);
    });
  });

  // Each divergence the random runs found, resolved in the model (model/ comments say
  // "live 6.x: ..."): both sides must agree, and the observed values are asserted.
  describe('model corrections observed on the live kernel', () => {
    const expectAgree = async (ops: Op[], expected: (HarnessResult | null)[]) => {
      const r = await agree(h, {}, ops);
      expected.forEach((e, i) => {
        if (e === null) return;
        const { log: _log, ...actual } = r[i] as HarnessResult & { log?: string[] }; // console lines: see 'reports the devpts console lines'
        expect('log' in e ? r[i] : actual, `step ${i + 1}`).toEqual(e);
      });
    };

    it('tmpfs checks its options on mount and remount; remount ignores mode/uid/gid; "ro" reaches the superblock', async () => {
      await expectAgree([
        { op: 'mkdir', path: '/tmp/a' }, { op: 'mkdir', path: '/tmp/b' },
        { op: 'mount', fstype: 'tmpfs', target: '/tmp/a', options: 'bogus' },
        { op: 'mount', fstype: 'tmpfs', target: '/tmp/a', options: 'mode=0620,uid=0x10,gid=010' },
        { op: 'stat', path: '/tmp/a' },
        { op: 'bind', source: '/tmp/a', target: '/tmp/b' },
        { op: 'remount', target: '/tmp/a', options: 'ptmxmode=0666' },
        { op: 'remount', target: '/tmp/a', options: 'mode=8' },
        { op: 'remount', target: '/tmp/a', options: 'noswap' },
        { op: 'remount', target: '/tmp/a', options: 'mode=0700,,uid=0' },
        { op: 'stat', path: '/tmp/b' },
        { op: 'remount', target: '/tmp/a', options: 'ro' },
        { op: 'mkdir', path: '/tmp/b/x' },
        { op: 'remount', target: '/tmp/a' },
        { op: 'mkdir', path: '/tmp/b/x' },
        { op: 'remount', target: '/tmp/a', flags: ['ro'] },
        { op: 'mkdir', path: '/tmp/b/y' },
        { op: 'remount', target: '/tmp/a', options: '' },
        { op: 'mkdir', path: '/tmp/b/y' },
      ], [null, null, { errno: 'EINVAL' }, { ok: true }, { ok: true, type: 'dir', mode: '0620', uid: 16, gid: 8, fs: 'other' }, { ok: true },
        { errno: 'EINVAL' }, { errno: 'EINVAL' }, { errno: 'EINVAL' }, { ok: true }, { ok: true, type: 'dir', mode: '0620', uid: 16, gid: 8, fs: 'other' },
        { ok: true }, { errno: 'EROFS' }, { ok: true }, { ok: true }, { ok: true }, { errno: 'EROFS' }, { ok: true }, { ok: true }]);
    });

    it('the root filesystem (devtmpfs-like, i.e. shmem) parses remount options like tmpfs', async () => {
      await expectAgree([
        { op: 'mkdir', path: '/tmp/a' }, { op: 'bind', source: '/tmp/a', target: '/dev/pts' },
        { op: 'remount', target: '/dev/pts', options: 'ptmxmode=000,newinstance' },
      ], [null, null, { errno: 'EINVAL' }]);
    });

    it('TIOCGPTPEER still finds the sibling pts after the ptmx node it was opened through is unlinked', async () => {
      await expectAgree([
        { op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'unlink', path: '/dev/ptmx' },
        { op: 'peer', fd: 'm', as: 'p1' }, { op: 'unlockpt', fd: 'm' }, { op: 'peer', fd: 'm', as: 'p2' },
        { op: 'remount', target: '/', flags: ['ro'] }, { op: 'close', fd: 'm' }, { op: 'remount', target: '/', flags: ['ro'] },
      ], [null, { ok: true }, { errno: 'EIO' }, { ok: true }, { ok: true, fd: 'p2' }, { errno: 'EBUSY' }, { ok: true }, { ok: true }]);
    });

    it('unlink detaches mounts on the dentry in other namespaces', async () => {
      await expectAgree([
        { op: 'spawn', child: 2, newns: true },
        { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/dev/ptmx' },
        { op: 'open', pid: 2, path: '/dev/ptmx', as: 'm' },
        { op: 'unlink', path: '/dev/ptmx' },
        { op: 'stat', pid: 2, path: '/dev/ptmx' },
        { op: 'umount', pid: 2, target: '/dev/ptmx' },
        { op: 'peer', pid: 2, fd: 'm', as: 'p' },
        { op: 'unlockpt', pid: 2, fd: 'm' },
        { op: 'peer', pid: 2, fd: 'm', as: 'q' },
      ], [null, null, null, { ok: true }, { errno: 'ENOENT' }, { errno: 'ENOENT' }, { errno: 'EIO' }, { ok: true }, { ok: true, fd: 'q' }]);
    });

    it('a mount on the same dentry through another mount of its filesystem makes unlink EBUSY', async () => {
      await expectAgree([
        { op: 'mkdir', path: '/tmp/b' }, { op: 'bind', source: '/dev', target: '/tmp/b' },
        { op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' },
        { op: 'unlink', path: '/tmp/b/ptmx' },
      ], [null, null, null, { errno: 'EBUSY' }]);
    });

    it('unlink inside devpts is EPERM before a mount on the node makes it EBUSY', async () => {
      await expectAgree([
        { op: 'mkdir', path: '/tmp/a' },
        { op: 'mount', fstype: 'devpts', target: '/tmp/a', options: 'ptmxmode=0606', flags: ['nodev'] },
        { op: 'bind', source: '/dev/pts/ptmx', target: '/tmp/a/ptmx' },
        { op: 'unlink', path: '/tmp/a/ptmx' },
      ], [null, null, null, { errno: 'EPERM' }]);
    });

    it('mount parses its options before refusing a non-directory target', async () => {
      await expectAgree([
        { op: 'touch', path: '/tmp/f' },
        { op: 'mount', fstype: 'devpts', target: '/tmp/f', options: 'newinstance,newinstance=1' },
        { op: 'mount', fstype: 'devpts', target: '/tmp/f', options: 'bogus' },
        { op: 'mount', fstype: 'tmpfs', target: '/tmp/f', options: 'bogus' },
        { op: 'mount', fstype: 'devpts', target: '/tmp/f' },
        { op: 'mount', fstype: 'tmpfs', target: '/tmp/f' },
      ], [null, { errno: 'EINVAL' }, { errno: 'EINVAL' }, { errno: 'EINVAL' }, { errno: 'ENOTDIR' }, { errno: 'ENOTDIR' }]);
    });

    it('mount, remount, umount and bind resolve the target before the privilege check', async () => {
      await expectAgree([
        { op: 'spawn', child: 2 }, { op: 'setuid', pid: 2, uid: 1000 },
        { op: 'mount', pid: 2, fstype: 'devpts', target: '/nonexistent' },
        { op: 'mount', pid: 2, fstype: 'devpts', target: '/tmp' },
        { op: 'remount', pid: 2, target: '/nonexistent' },
        { op: 'umount', pid: 2, target: '/nonexistent' },
        { op: 'umount', pid: 2, target: '/dev/pts' },
        { op: 'bind', pid: 2, source: '/nonexistent', target: '/tmp' },
        { op: 'bind', pid: 2, source: '/dev', target: '/nonexistent' },
        { op: 'bind', source: '/nonexistent', target: '/nonexistent2' },
      ], [null, null, { errno: 'ENOENT' }, { errno: 'EPERM' }, { errno: 'ENOENT' }, { errno: 'ENOENT' }, { errno: 'EPERM' },
        { errno: 'EPERM' }, { errno: 'ENOENT' }, { errno: 'ENOENT' }]);
    });

    it('remount read-only is EBUSY while a slave outlives its master (its node is unlinked but open)', async () => {
      await expectAgree([
        { op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'unlockpt', fd: 'm' }, { op: 'open', path: '/dev/pts/0', as: 's' },
        { op: 'remount', target: '/dev/pts', flags: ['ro'] }, { op: 'remount', target: '/dev/pts' },
        { op: 'close', fd: 'm' },
        { op: 'remount', target: '/dev/pts', options: 'bogus,ro' },
        { op: 'remount', target: '/dev/pts', flags: ['ro'] },
        { op: 'remount', target: '/dev/pts', options: 'ro' },
        { op: 'close', fd: 's' },
        { op: 'remount', target: '/dev/pts', options: 'ro' },
      ], [null, null, null, { ok: true }, { ok: true }, { ok: true }, { errno: 'EINVAL' }, { errno: 'EBUSY' }, { errno: 'EBUSY' }, { ok: true }, { ok: true }]);
    });

    it('remount read-only is EBUSY while a tmpfs file is open for writing', async () => {
      await expectAgree([
        { op: 'mkdir', path: '/tmp/a' }, { op: 'mount', fstype: 'tmpfs', target: '/tmp/a' }, { op: 'touch', path: '/tmp/a/f' },
        { op: 'open', path: '/tmp/a/f', as: 'f' }, { op: 'remount', target: '/tmp/a', flags: ['ro'] },
        { op: 'close', fd: 'f' }, { op: 'remount', target: '/tmp/a', flags: ['ro'] },
      ], [null, null, null, { ok: true, fd: 'f' }, { errno: 'EBUSY' }, { ok: true }, { ok: true }]);
    });

    it('chown with uid or gid 4294967295 ((uid_t)-1) leaves that id as it is', async () => {
      await expectAgree([
        { op: 'touch', path: '/tmp/f' }, { op: 'chown', path: '/tmp/f', uid: 1000, gid: 1000 },
        { op: 'chmod', path: '/tmp/f', mode: '06755' }, { op: 'chown', path: '/tmp/f', uid: 4294967295, gid: 4294967295 },
        { op: 'stat', path: '/tmp/f' }, { op: 'chmod', path: '/tmp/f', mode: '06745' },
        { op: 'spawn', child: 2 }, { op: 'setuid', pid: 2, uid: 1000, gid: 1000 },
        { op: 'chown', pid: 2, path: '/tmp/f', uid: 4294967295, gid: 1000 }, { op: 'stat', path: '/tmp/f' },
        { op: 'chown', pid: 2, path: '/tmp/f', uid: 4294967295, gid: 5 },
        { op: 'chown', path: '/tmp/f', uid: 4294967295, gid: 5 }, { op: 'stat', path: '/tmp/f' },
      ], [null, null, null, { ok: true }, { ok: true, type: 'reg', mode: '0755', uid: 1000, gid: 1000, fs: 'other' }, null, null, null,
        { ok: true }, { ok: true, type: 'reg', mode: '02745', uid: 1000, gid: 1000, fs: 'other' },
        { errno: 'EPERM' }, { ok: true }, { ok: true, type: 'reg', mode: '02745', uid: 1000, gid: 5, fs: 'other' }]);
    });

    it('a spawned child holds none of its parent\'s ptys: closing in the parent frees the index at once', async () => {
      await expectAgree([
        { op: 'open', path: '/dev/pts/ptmx', as: 'a' }, { op: 'open', path: '/dev/pts/ptmx', as: 'b' },
        { op: 'spawn', child: 2 }, { op: 'close', fd: 'b' }, { op: 'open', path: '/dev/pts/ptmx', as: 'c' },
      ], [null, { ok: true, fd: 'b', index: 1 }, null, null, { ok: true, fd: 'c', index: 1 }]);
    });
  });

  describe('shrinking re-runs the harness', () => {
    it('shrinks a divergence with a deliberately wrong model to its essential steps', async () => {
      // a mutant model that gets every readdir of a devpts directory wrong
      const mutant = (seq: { boot: object; ops: readonly Op[] }): ModelRun => {
        const m = runOnModel(seq as never);
        return { ...m, results: m.results.map((r, i) => (seq.ops[i]!.op === 'readdir' && 'entries' in r && r.entries!.includes('ptmx') ? { ok: true as const, entries: [] } : r)) };
      };
      const ops: Op[] = [
        { op: 'mkdir', path: '/tmp/a' }, { op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'spawn', child: 2 },
        { op: 'stat', pid: 2, path: '/dev' }, { op: 'touch', path: '/tmp/a/f' }, { op: 'readdir', path: '/dev/pts' },
        { op: 'close', fd: 'm' }, { op: 'readdir', path: '/tmp' },
      ];
      const seq = { boot: { devptsOptions: 'gid=5' }, ops };
      const d = compareRuns(seq, mutant(seq), await h.run(seq)) as Divergence;
      expect(d.step).toBe(5);
      const shrunk = await shrinkDivergence(h, d, { model: mutant });
      expect(shrunk.seq).toEqual({ boot: {}, ops: [{ op: 'readdir', path: '/dev/pts' }] });
      expect(shrunk.step).toBe(0);
    });
  });

  describe('kernelCheck stops at the first divergence, shrinks it and saves it', () => {
    it('with a model that is wrong about pty indices after the first', async () => {
      const mutant = (seq: { boot: object; ops: readonly Op[] }): ModelRun => {
        const m = runOnModel(seq as never);
        return { ...m, results: m.results.map((r) => ('index' in r && r.index! >= 1 ? { ...r, index: r.index! + 100 } : r)) };
      };
      const dir = mkdtempSync(join(tmpdir(), 'kernel-check-'));
      try {
        const report = await kernelCheck({ runs: 400, seed: 11, harness: h, outDir: dir, model: mutant });
        const d = report.divergence!;
        expect(d).not.toBeNull();
        expect(report.checked).toBe(d.index + 1);
        expect(d.seq.ops.length).toBeLessThanOrEqual(d.original.seq.ops.length);
        // shrunk to two opens of the same instance (the second gets index 1 on the kernel)
        expect(d.seq.ops.filter((o) => o.op === 'open').length).toBeGreaterThanOrEqual(2);
        expect(d.kernel.results[d.step]).toMatchObject({ ok: true, index: 1 });
        expect(d.file).not.toBeNull();
        const saved = await loadTrace(d.file!);
        expect(saved).toMatchObject({ profile: '6.x', seed: 11, index: d.index, source: 'kernel' });
        expect(saved.steps[d.step]!.expect).toMatchObject({ index: 1 });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('the 6.x corpus replays on the live kernel', async () => {
    const files: string[] = [];
    for (const f of await corpusFiles()) if ((await loadTrace(f)).profile === '6.x') files.push(f);
    it('has 6.x traces', () => expect(files.length).toBeGreaterThan(0));
    it.each(files.map((f) => [f.slice(f.lastIndexOf('/') + 1), f]))('%s', async (_name, file) => {
      const trace = await loadTrace(file);
      const problem = kernelReplayProblem(trace);
      if (problem) return; // sysctl: host-wide, model only (the trace stays a model test)
      const outcome = await kernelReplayer({ harness: h })(trace, file);
      const diverging = outcome.steps.filter((s) => s.holds === false);
      expect(diverging.map((s) => `step ${s.index} ${s.op.op}: model ${JSON.stringify(s.expect)} kernel ${JSON.stringify(s.result)}`)).toEqual([]);
      // and the trace's own expectations hold on the kernel (log only where the kernel reports one)
      for (const s of outcome.steps) {
        if (!s.op.expect) continue;
        const e = { ...s.op.expect } as Record<string, unknown>;
        if (!('log' in s.result)) delete e.log;
        expect(expectationHolds(e, s.result), `step ${s.index} (${s.op.op}) expects ${JSON.stringify(e)}, kernel ${JSON.stringify(s.result)}`).toBe(true);
      }
    });
  });

  describe('the command line', () => {
    const cli = (args: string[], opts: { uid?: number } = {}) => {
      const argv = ['bin/devpts-check.js', ...args];
      const [cmd, full] = opts.uid === undefined
        ? [process.execPath, argv]
        : ['setpriv', [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', '--inh-caps=-all', process.execPath, ...argv]];
      return spawnSync(cmd, full, { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
    };
    it('kernel: seed and replay line, agreement, exit 0; --json; bad flags exit 2', () => {
      const r = cli(['kernel', '--runs', '30', '--seed', '3']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^6\.x on live [\d.]+ · seed 3 · 30 sequences · the same run again: devpts-check kernel --profile 6\.x --seed 3 --runs 30$/m);
      expect(r.stdout).toMatch(/30 sequences \(\d+ steps\): model 6\.x and live [\d.]+ agree/);
      const j = cli(['kernel', '--runs', '10', '--seed', '3', '--json']);
      expect(j.status).toBe(0);
      expect(JSON.parse(j.stdout)).toMatchObject({ seed: 3, runs: 10, checked: 10, divergence: null, replay: 'devpts-check kernel --profile 6.x --seed 3 --runs 10' });
      expect(cli(['kernel', '--runs', '0']).status).toBe(2);
    });
    it('a saved counterexample demonstrates its finding on the live kernel: its evidence steps agree (U6, R2 on 6.x)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'kernel-evidence-'));
      try {
        expect(cli(['explore', '--profile', '6.x', '--clause', 'U6,R2', '--out', dir, '--no-progress']).status).toBe(12);
        const r = cli(['replay', '--kernel', join(dir, 'U6-6.x-small.json'), join(dir, 'R2-6.x-small.json')]);
        expect(r.status, r.stderr).toBe(0);
        // /dev/pts/ptmx 0666 before the remount, 0000 after: on the kernel, not only on the model
        expect(r.stdout).toMatch(/stat +path=\/dev\/pts\/ptmx +ok type=chr mode=0666 .*✓ · evidence/);
        expect(r.stdout).toMatch(/stat +path=\/dev\/pts\/ptmx +ok type=chr mode=0000 .*✓ · evidence/);
        expect(r.stdout).toMatch(/stat +path=\/tmp\/pts +ENOENT +✓ · evidence/);
        expect(r.stdout).toContain('2 traces: 0 hold, 2 reproduce their violation, 0 fail');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
    it.skipIf(process.getuid?.() !== 0 || spawnSync('setpriv', ['--version']).status !== 0)('without CAP_SYS_ADMIN: one line saying why, exit 77', () => {
      const r = cli(['kernel', '--runs', '5'], { uid: 65534 });
      expect(r.status).toBe(77);
      expect(r.stderr.trim().split('\n')).toEqual(['devpts-check: live-kernel checks skipped: no CAP_SYS_ADMIN (not root: uid 65534): the harness needs it for unshare(CLONE_NEWNS) and mounts']);
      expect(cli(['replay', '--kernel', 'traces/corpus/D1--6.x.json'], { uid: 65534 }).status).toBe(77);
    });
    it('replay --kernel: a 6.x trace diffed with the model on the live kernel, exit 0; another profile on its QEMU kernel (exit 77 in one line where that cannot run)', async () => {
      const six = (await corpusFiles()).find((f) => f.endsWith('D1--6.x.json'))!;
      const r = cli(['replay', '--kernel', six]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/live [\d.]+ vs model/);
      const other = (await corpusFiles()).find((f) => f.endsWith('K11--2.6.39-y.json'))!;
      const old = cli(['replay', '--kernel', other]);
      if (old.status === 77) expect(old.stderr.trim().split('\n')).toHaveLength(1);
      else {
        expect(old.status).toBe(0);
        expect(old.stdout).toContain('QEMU 2.6.39.4 =y vs model');
      }
      const none = cli(['replay', '--kernel', '--kernels', '/nonexistent', other]);
      expect(none.status).toBe(77);
      expect(none.stderr).toMatch(/bzImage-2\.6\.39-y is missing/);
    });
    it('a saved divergence (against a wrong model) is a trace that replays on the model and on the kernel', async () => {
      const seq = { boot: {}, ops: [{ op: 'readdir', path: '/dev/pts' }] as Op[] };
      const wrong: ModelRun = { bootError: null, toolError: -1, results: [{ ok: true, entries: [] }] };
      const d = compareRuns(seq, wrong, await h.run(seq))!;
      const dir = mkdtempSync(join(tmpdir(), 'kernel-div-'));
      try {
        const file = await saveDivergence(dir, d, { seed: 1, index: 0 });
        const r = cli(['replay', '--kernel', file]);
        expect(r.status).toBe(0); // the real model agrees with the kernel here
        const onModel = cli(['replay', file]);
        expect(onModel.status).toBe(0); // the trace expects the kernel's results, which the model gives
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('random sequences: model and kernel agree, the host is untouched', () => {
    const SEED = Number(process.env.DEVPTS_KERNEL_SEED ?? 20261129);
    const check = async (seed: number, count: number): Promise<void> => {
      const checked = kernelRuns(seed, count);
      const runs = await h.runAll(checked.map((c) => c.seq), 64);
      for (const [i, c] of checked.entries()) {
        const d = compareRuns(c.seq, c.model, runs[i]!);
        if (!d) continue;
        const shrunk = await shrinkDivergence(h, d);
        throw new Error(`seed ${seed}, sequence ${i + 1}: model and live kernel diverge (replay: devpts-check kernel --seed ${seed} --runs ${count})\n${renderDivergence(shrunk).join('\n')}`);
      }
    };

    // The pty checks below must be able to fail: a deliberate leak, in both places a leak can hide.
    // `script` holds a pty pair (master and slave) as long as its command runs.
    it('the pty count sees ptys a process of the harness tree keeps open, and sees them go', async () => {
      const holder = spawn('script', ['-qfc', 'sleep 30', '/dev/null'], { stdio: ['ignore', 'ignore', 'ignore'] });
      try {
        const deadline = Date.now() + 10_000;
        while (ptysHeldByTree(holder.pid!) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(ptysHeldByTree(holder.pid!)).toBeGreaterThanOrEqual(2); // would fail the 1,000-sequence test
      } finally {
        holder.kill('SIGKILL');
        await new Promise((r) => holder.once('exit', r));
      }
      expect(ptyFdsOf(holder.pid!)).toBe(0);
    }, 30_000);

    it('the pty count sees a world left behind (an orphaned harness process holding a pty), and sees it go', async () => {
      // a process named like the harness binary, holding a pty, adopted by init: what a leaked world looks like
      spawnSync('setsid', ['-f', 'bash', '-c', 'exec -a "$0" script -qfc "sleep 30" /dev/null </dev/null >/dev/null 2>&1', BINARY]);
      try {
        // wait until the orphan is there and its `script` has opened its pty (it may be found before that)
        const held = () => orphanedHarnesses().reduce((n, p) => n + ptyFdsOf(p), 0);
        const deadline = Date.now() + 10_000;
        while (held() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(orphanedHarnesses().length).toBeGreaterThanOrEqual(1);
        expect(held()).toBeGreaterThanOrEqual(1);
      } finally {
        for (const p of orphanedHarnesses()) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
      }
      expect(await ptysLeftBehind()).toBe(0);
    }, 30_000);

    it('1,000 sequences leave mountinfo, the ptys and the process tree as they were', async () => {
      const before = hostSnapshot();
      const children = childrenOf(process.pid);
      const local = KernelHarness.start({ binary: BINARY });
      const pid = local.pid!;
      try {
        const checked = kernelRuns(SEED, 1000);
        const runs = await local.runAll(checked.map((c) => c.seq), 64);
        const diverging = checked.map((c, i) => compareRuns(c.seq, c.model, runs[i]!)).filter((d) => d !== null);
        expect(diverging.map((d) => renderDivergence(d!).join('\n'))).toEqual([]);
        // while it runs, the harness holds no world open between sequences, and no pty
        expect(childrenOf(pid)).toEqual([]);
        expect(ptysHeldByTree(pid)).toBe(0);
      } finally {
        await local.close();
      }
      // only what the harness did is measured: its processes' ptys (kernel.pty.nr counts every terminal on the machine)
      expect(hostSnapshot()).toEqual(before);
      expect(await ptysLeftBehind()).toBe(0);
      expect(childrenOf(process.pid).filter((p) => !children.includes(p))).toEqual([]);
      expect(harnessProcesses().filter((p) => p === pid || childrenOf(pid).includes(p))).toEqual([]);
    }, 120_000);

    it('another 1,500 sequences agree step by step', async () => {
      await check(SEED + 1, 1500);
    }, 120_000);
  });
});
