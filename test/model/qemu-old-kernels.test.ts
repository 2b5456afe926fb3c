// Rules the model learnt from the old kernels themselves (QEMU 2.6.39.4, 3.4.113, 4.4.178
// guests; kernel/qemu.ts): each was a divergence of `devpts-check kernel --profile P`,
// each has its corpus trace (traces/corpus/qemu-*.json) that replays on the kernel.

import { describe, expect, it } from 'vitest';
import { run } from './helpers.ts';

describe('unlink of a name another namespace has mounted on (fs/namei.c vfs_unlink)', () => {
  const ops = [
    { op: 'spawn', child: 2, newns: true },
    { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/dev/ptmx' },
    { op: 'unlink', path: '/dev/ptmx' },
    { op: 'stat', pid: 2, path: '/dev/ptmx' },
  ] as const;

  it('2.6.39 and 3.4: EBUSY, the mount in the child namespace makes the dentry busy (d_mountpoint; QEMU 2.6.39.4 =y)', () => {
    for (const p of ['2.6.39-y', '3.4-y'] as const) {
      const r = run(p, ops as never);
      expect(r.results[2]).toEqual({ errno: 'EBUSY' });
      expect(r.results[3]).toMatchObject({ ok: true, fs: expect.stringMatching(/^devpts/) }); // the child's bind is still there
    }
  });

  it('2.6.39-n: EBUSY too, for a bind of the host /dev/pts onto a /tmp directory it then tries to remove the node under', () => {
    const r = run('2.6.39-n', [
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'touch', path: '/tmp/a/f' },
      { op: 'spawn', child: 2, newns: true },
      { op: 'bind', pid: 2, source: '/dev/ptmx', target: '/tmp/a/f' },
      { op: 'unlink', path: '/tmp/a/f' },
    ]);
    expect(r.last).toEqual({ errno: 'EBUSY' });
  });

  it('6.x: ok, the mounts in other namespaces are detached (is_local_mountpoint + detach_mounts, 3.18 on; live 6.x)', () => {
    const r = run('6.x', ops as never);
    expect(r.results[2]).toEqual({ ok: true });
    expect(r.results[3]).toEqual({ errno: 'ENOENT' });
  });

  it('the caller\'s own mount point is EBUSY on every profile', () => {
    for (const p of ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const) {
      const r = run(p, [
        { op: 'mkdir', path: '/tmp/a' }, { op: 'touch', path: '/tmp/a/f' },
        { op: 'bind', source: '/dev/ptmx', target: '/tmp/a/f' }, { op: 'unlink', path: '/tmp/a/f' },
      ]);
      expect(r.last).toEqual({ errno: 'EBUSY' });
    }
  });
});

describe('2.6.39-n: every mount is mount_single\'s remount of the one superblock (fs/super.c do_remount_sb)', () => {
  it('a read-only mount anywhere makes the single instance read-only everywhere: unlink in /dev/pts is EROFS (QEMU 2.6.39.4 =n)', () => {
    const r = run('2.6.39-n', [
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', flags: ['ro'] },
      { op: 'unlink', path: '/dev/pts/0' },
      { op: 'chmod', path: '/dev/pts', mode: '0700' },
    ]);
    expect(r.results[2]).toEqual({ errno: 'EROFS' });
    expect(r.results[3]).toEqual({ errno: 'EROFS' });
  });

  it('a later read-write mount makes it read-write again', () => {
    const r = run('2.6.39-n', [
      { op: 'mkdir', path: '/tmp/a' }, { op: 'mkdir', path: '/tmp/b' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', flags: ['ro'] },
      { op: 'mount', fstype: 'devpts', target: '/tmp/b' },
      { op: 'chmod', path: '/dev/pts', mode: '0700' },
    ]);
    expect(r.last).toEqual({ ok: true });
  });

  it('a bogus option stops the remount before the flags: the instance stays read-write', () => {
    const r = run('2.6.39-n', [
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', options: 'bogus', flags: ['ro'] },
      { op: 'chmod', path: '/dev/pts', mode: '0700' },
    ]);
    expect(r.results[1]).toMatchObject({ ok: true, log: ['devpts: called with bogus options'] });
    expect(r.last).toEqual({ ok: true });
  });

  it('=y: a read-only plain mount of the initial instance is read-only itself only (no remount of the superblock)', () => {
    const r = run('2.6.39-y', [
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', flags: ['ro'] },
      { op: 'chmod', path: '/dev/pts', mode: '0700' },
      { op: 'chmod', path: '/tmp/a', mode: '0700' },
    ]);
    expect(r.results[2]).toEqual({ ok: true });
    expect(r.results[3]).toEqual({ errno: 'EROFS' });
  });
});

describe('4.4 (QEMU 4.4.178 =y / =n): 3.4\'s devpts with newer tty and VFS rules', () => {
  it('TIOCGPTPEER (before 4.13) is an unknown ioctl: ENOTTY on 4.4, EINVAL on 3.4 (tty_ioctl turns ENOIOCTLCMD into ENOTTY from 4.x)', () => {
    const ops = [{ op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'peer', fd: 'm' }] as const;
    for (const p of ['4.4-y', '4.4-n'] as const) expect(run(p, ops as never).last).toEqual({ errno: 'ENOTTY' });
    for (const p of ['2.6.39-n', '2.6.39-y', '3.4-y'] as const) expect(run(p, ops as never).last).toEqual({ errno: 'EINVAL' });
  });

  it('unlink of a name another namespace mounted on detaches that mount (3.18 on), as on 6.x', () => {
    const r = run('4.4-y', [
      { op: 'spawn', child: 2, newns: true },
      { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/dev/ptmx' },
      { op: 'unlink', path: '/dev/ptmx' },
      { op: 'stat', pid: 2, path: '/dev/ptmx' },
    ]);
    expect(r.results[2]).toEqual({ ok: true });
    expect(r.results[3]).toEqual({ errno: 'ENOENT' });
  });

  it('=n: before anything mounts devpts, every ptmx open is ENOSPC (new_pts_fs_info leaves max 0; mount_single never parses for kern_mount); the first mount resets it', () => {
    const r = run('4.4-n', [
      { op: 'open', path: '/dev/ptmx', as: 'a' },
      { op: 'mount', fstype: 'devpts', target: '/dev/pts' },
      { op: 'open', path: '/dev/ptmx', as: 'b' },
    ], { mountDevpts: false });
    expect(r.results[0]).toEqual({ errno: 'ENOSPC' });
    expect(r.results[2]).toMatchObject({ ok: true, index: 0 });
    expect(run('2.6.39-n', [{ op: 'open', path: '/dev/ptmx' }], { mountDevpts: false }).last).toMatchObject({ ok: true, index: 0 });
  });

  it('=n: the limits are 3.4\'s (a global count, ENOSPC), the options 2.6.39-n\'s (ptmxmode, newinstance and max are bogus)', () => {
    const r = run('4.4-n', [
      { op: 'sysctl', name: 'kernel.pty.max', value: 1 },
      { op: 'open', path: '/dev/ptmx', as: 'a' },
      { op: 'open', path: '/dev/ptmx', as: 'b' },
      { op: 'mkdir', path: '/tmp/a' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/a', options: 'max=4' },
    ]);
    expect(r.results[2]).toEqual({ errno: 'ENOSPC' });
    expect(r.results[4]).toMatchObject({ ok: true, log: ['devpts: called with bogus options'] });
  });
});

describe('tmpfs options up to 4.4 (mm/shmem.c shmem_parse_options)', () => {
  it('a remount skips mode=, uid= and gid= without reading them: "mode=8" is ok on 2.6.39, 3.4, 4.4 (QEMU 2.6.39.4 =y), EINVAL on 6.x', () => {
    const ops = [{ op: 'mkdir', path: '/tmp/a' }, { op: 'mount', fstype: 'tmpfs', target: '/tmp/a' }, { op: 'remount', target: '/tmp/a', options: 'mode=07777,,mode=8' }] as const;
    for (const p of ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y'] as const) expect(run(p, ops as never).last, p).toEqual({ ok: true });
    expect(run('6.x', ops as never).last).toEqual({ errno: 'EINVAL' });
  });

  it('a mount still checks them, and every item needs a value: "ro" or "newinstance" in the data is EINVAL', () => {
    for (const options of ['mode=8', 'ro', 'newinstance', 'uid=x']) {
      expect(run('2.6.39-y', [{ op: 'mkdir', path: '/tmp/a' }, { op: 'mount', fstype: 'tmpfs', target: '/tmp/a', options }]).last, options).toEqual({ errno: 'EINVAL' });
    }
    expect(run('2.6.39-y', [{ op: 'mkdir', path: '/tmp/a' }, { op: 'mount', fstype: 'tmpfs', target: '/tmp/a', options: 'mode=0700,uid=0x10,gid=010' }, { op: 'stat', path: '/tmp/a' }]).last)
      .toMatchObject({ mode: '0700', uid: 16, gid: 8 });
  });
});

describe('kernel.pty.nr', () => {
  const ops = [
    { op: 'open', path: '/dev/ptmx', as: 'a' }, { op: 'sysctl', name: 'kernel.pty.nr' },
    { op: 'close', fd: 'a' }, { op: 'sysctl', name: 'kernel.pty.nr' },
    { op: 'open', path: '/dev/ptmx', as: 'b' }, { op: 'sysctl', name: 'kernel.pty.nr' },
  ] as const;
  const values = (p: Parameters<typeof run>[0]) => { const r = run(p, ops as never); return [1, 3, 5].map((i) => (r.results[i] as { value?: number }).value); };

  it('2.6.39 only counts up: every pty allocated since boot (pty_unix98_remove never runs; QEMU 2.6.39.4 =y: 1, 1, 2)', () => {
    expect(values('2.6.39-y')).toEqual([1, 1, 2]);
    expect(values('2.6.39-n')).toEqual([1, 1, 2]);
  });

  it('3.4 on counts the ptys that exist (QEMU 3.4.113, 4.4.178: 1, 0, 1)', () => {
    for (const p of ['3.4-y', '4.4-y', '4.4-n', '6.x'] as const) expect(values(p), p).toEqual([1, 0, 1]);
  });
});

describe('6.1: 4.7 to 6.14 parse devpts options with the legacy mount API (Debian 6.1.0-50 under QEMU)', () => {
  it('an unknown item, and `ro` or `newinstance=1` in the data, is "called with bogus options" and EINVAL; 6.15+ words it otherwise and takes `ro`', () => {
    const mount = (p: '6.1' | '6.x', options: string) => run(p, [{ op: 'mkdir', path: '/tmp/a' }, { op: 'mount', fstype: 'devpts', target: '/tmp/a', options }]).last;
    for (const options of ['bogus', 'ro', 'newinstance=1']) expect(mount('6.1', options), options).toEqual({ errno: 'EINVAL', log: ['devpts: called with bogus options'] });
    expect(mount('6.x', 'ro')).toEqual({ ok: true });
    expect(mount('6.x', 'bogus')).toMatchObject({ errno: 'EINVAL', log: ["devpts: Unknown parameter 'bogus'"] });
  });

  it('a remount with a bogus item writes the options before it and resets the ptmx node all the same (devpts_remount), where 6.15+ changes nothing', () => {
    const ops = [
      { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' },
      { op: 'remount', target: '/dev/pts', options: 'mode=0620,bogus' },
      { op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'stat', path: '/dev/pts/0' }, { op: 'stat', path: '/dev/pts/ptmx' },
    ] as const;
    const old = run('6.1', ops as never), now = run('6.x', ops as never);
    expect(old.results[1]).toMatchObject({ errno: 'EINVAL' });
    expect(old.results[3]).toMatchObject({ mode: '0620' });
    expect(old.results[4]).toMatchObject({ mode: '0000' });
    expect(now.results[3]).toMatchObject({ mode: '0600' });
    expect(now.results[4]).toMatchObject({ mode: '0666' });
  });
});
