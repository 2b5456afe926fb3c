// User namespaces (issue 13 item 2): `unshare` with `user: true` as `unshare -U -r -m`.
// live 6.18; 2.6.39 and 3.4 have no CLONE_NEWUSER for unshare (QEMU 2.6.39.4, 3.4.113).

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { LEGACY, chmod, chown, errnoOf, mkdir, mountDevpts, mountTmpfs, okv, open, remount, run, setuid, spawn, stat, touch, umount } from './helpers.ts';

const userns = (pid: number, extra: Partial<Extract<Op, { op: 'unshare' }>> = {}): Op => ({ op: 'unshare', pid, user: true, ...extra });
const P = '6.x';

describe('no user namespaces before 3.8', () => {
  it.each(LEGACY)('unshare with user is EINVAL and changes nothing (%s)', (p) => {
    const r = run(p, [spawn(2), userns(2), userns(2, { mount: false })]);
    expect(r.results.slice(1).map(errnoOf)).toEqual(['EINVAL', 'EINVAL']);
    expect(r.state.procs[2]!.userns).toBe('user1');
  });
});

describe('unshare -U -r -m', () => {
  it('uid 0 inside is the caller outside: a uid 1000 process sees root\'s files as 65534 and its own as 0', () => {
    const r = run(P, [touch('/tmp/root'), spawn(2), setuid(1000, { pid: 2 }), mkdir('/tmp/mine', { pid: 2 }), userns(2),
      stat('/tmp/root', { pid: 2 }), stat('/tmp/mine', { pid: 2 }), stat('/tmp/mine')]);
    expect(okv(r.results[5]!)).toMatchObject({ uid: 65534, gid: 65534 });
    expect(okv(r.results[6]!)).toMatchObject({ uid: 0, gid: 0 });
    expect(okv(r.results[7]!)).toMatchObject({ uid: 1000, gid: 1000 });
  });

  it('root inside has no power over files of unmapped owners: no write, no chmod, no chown to unmapped ids', () => {
    const r = run(P, [mkdir('/tmp/o'), chown('/tmp/o', 5, 5), touch('/tmp/f'), spawn(2), userns(2),
      mkdir('/tmp/o/x', { pid: 2 }), chmod('/tmp/o', '0700', { pid: 2 }), chown('/tmp/f', 5, 5, { pid: 2 }), chown('/tmp/f', 0, 0, { pid: 2 })]);
    expect(r.results.slice(5).map(errnoOf)).toEqual(['EACCES', 'EPERM', 'EINVAL', 'ok']);
  });

  it('a uid 1000 process inside cannot open root\'s 0644 file for writing', () => {
    expect(run(P, [touch('/tmp/f'), spawn(2), setuid(1000, { pid: 2 }), userns(2), open('/tmp/f', { pid: 2 })]).last).toEqual({ errno: 'EACCES' });
  });

  it('its mount namespace is its own: tmpfs and devpts mount, devtmpfs does not (no FS_USERNS_MOUNT), device nodes cannot be made', () => {
    const r = run(P, [mkdir('/tmp/m', { mode: '0777' }), spawn(2), setuid(1000, { pid: 2 }), userns(2),
      mountTmpfs('/tmp/m', { pid: 2 }), mountDevpts('/tmp/m', 'ptmxmode=0666', { pid: 2 }), { op: 'mount', pid: 2, fstype: 'devtmpfs', target: '/tmp/m' },
      { op: 'mknod', pid: 2, path: '/tmp/x', major: 1, minor: 3 }]);
    expect(r.results.slice(4).map(errnoOf)).toEqual(['ok', 'ok', 'EPERM', 'EPERM']);
  });

  it('devpts uid=/gid= name ids of the caller\'s namespace: an unmapped one is "Invalid gid"; mountinfo prints kernel ids', () => {
    const r = run(P, [spawn(2), setuid(1000, { pid: 2 }), userns(2), mountDevpts('/dev/pts', 'gid=5', { pid: 2 }),
      mountDevpts('/dev/pts', 'gid=0,mode=620', { pid: 2 }), { op: 'mounts', pid: 2 }]);
    expect(r.results[3]).toEqual({ errno: 'EINVAL', log: ["devpts: Invalid gid '5'"] });
    expect(okv(r.last).mounts!.at(-1)).toMatchObject({ fstype: 'devpts', options: 'gid=1000,mode=620,ptmxmode=000' });
  });

  it('the copied mounts are locked: no umount (lazy or not), and the host\'s devpts cannot be remounted; a remount with bind can', () => {
    const r = run(P, [spawn(2), userns(2), umount('/dev/pts', { pid: 2 }), umount('/dev/pts', { pid: 2, lazy: true }), remount('/dev/pts', undefined, { pid: 2 }),
      { op: 'remount', pid: 2, target: '/dev/pts', bind: true, flags: ['ro'] }]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['EINVAL', 'EINVAL', 'EPERM', 'ok']);
  });

  it('a tmpfs mounted inside is nodev: a device node bound into it still opens (the bind keeps its superblock)', () => {
    const r = run(P, [mkdir('/tmp/m', { mode: '0777' }), spawn(2), userns(2), mountTmpfs('/tmp/m', { pid: 2 }), touch('/tmp/m/p', { pid: 2 }),
      { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/tmp/m/p' }, open('/tmp/m/p', { pid: 2 })]);
    expect(errnoOf(r.last)).toBe('ok');
  });

  it('setuid inside takes ids of the namespace: unmapped is EINVAL', () => {
    expect(run(P, [spawn(2), userns(2), setuid(5, { pid: 2 }), setuid(0, { pid: 2 })]).results.slice(2).map(errnoOf)).toEqual(['EINVAL', 'ok']);
  });

  it('a chrooted process, or one whose root has a mount on it, cannot make a user namespace (EPERM)', () => {
    const r = run(P, [spawn(2), { op: 'chroot', pid: 2, path: '/tmp' }, userns(2, { mount: false }), spawn(3), mountTmpfs('/'), userns(3, { mount: false })]);
    expect([2, 5].map((i) => errnoOf(r.results[i]!))).toEqual(['EPERM', 'EPERM']);
  });

  it('with mount: false only the user namespace: the mount namespace still belongs to the host, mounts are EPERM', () => {
    const r = run(P, [mkdir('/tmp/m'), spawn(2), userns(2, { mount: false }), mountTmpfs('/tmp/m', { pid: 2 }), { op: 'unshare', pid: 2 }, mountTmpfs('/tmp/m', { pid: 2 })]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['ok', 'EPERM', 'ok', 'ok']);
  });

  it('the namespace\'s shared mounts arrive as slaves: the host\'s mounts come in, its own stay inside (CL_SHARED_TO_SLAVE)', () => {
    const r = run(P, [mkdir('/tmp/s'), mountTmpfs('/tmp/s'), mkdir('/tmp/s/a'), mkdir('/tmp/s/b'), { op: 'propagate', target: '/tmp/s', type: 'shared' },
      spawn(2), userns(2, { propagation: 'keep' }), mountTmpfs('/tmp/s/a', { pid: 2 }), touch('/tmp/s/a/in', { pid: 2 }),
      { op: 'readdir', path: '/tmp/s/a' }, mountTmpfs('/tmp/s/b'), touch('/tmp/s/b/out'), { op: 'readdir', pid: 2, path: '/tmp/s/b' }]);
    expect(okv(r.results[9]!).entries).toEqual([]);
    expect(okv(r.last).entries).toEqual(['out']);
  });
});
