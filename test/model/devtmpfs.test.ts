// devtmpfs (issue 13 item 4): one kernel-wide instance, whoever mounts it.

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { ALL, errnoOf, mkdir, okv, open, readdir, run, spawn, stat } from './helpers.ts';

const mountDevtmpfs = (target: string, extra: { pid?: number; options?: string; flags?: ('ro' | 'nosuid' | 'nodev' | 'noexec')[] } = {}): Op =>
  ({ op: 'mount', fstype: 'devtmpfs', target, ...extra });

describe('the kernel\'s devtmpfs', () => {
  it.each(ALL)('holds ptmx (c 5:2, 0666), tty, console, null, zero and the pts directory init made (%s)', (p) => {
    // live 6.18: the host's devtmpfs, mounted afresh (read only; nothing written)
    const r = run(p, [mkdir('/tmp/d'), mountDevtmpfs('/tmp/d'), ...['ptmx', 'tty', 'console', 'null', 'zero', 'pts'].map((n) => stat(`/tmp/d/${n}`))]);
    expect(r.results.slice(2).map((x) => { const v = okv(x); return `${v.type} ${v.mode} ${v.rdev ?? ''}`.trim(); }))
      .toEqual(['chr 0666 5:2', 'chr 0666 5:0', 'chr 0600 5:1', 'chr 0666 1:3', 'chr 0666 1:5', 'dir 0755']);
  });

  it.each(ALL)('every mount of it is the same instance: what one mount shows, the other shows (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mkdir('/tmp/b'), mountDevtmpfs('/tmp/a'), mountDevtmpfs('/tmp/b'), mkdir('/tmp/a/new'), readdir('/tmp/b')]);
    expect(okv(r.last).entries).toContain('new');
  });

  it.each(ALL)('in a container, mounting devtmpfs shows the host\'s /dev (boot dev: devtmpfs) (%s)', (p) => {
    const r = run(p, [mkdir('/dev/pts/../x'), spawn(2, { newns: true }), mkdir('/tmp/d', { pid: 2 }), mountDevtmpfs('/tmp/d', { pid: 2 }), readdir('/tmp/d', { pid: 2 })], { dev: 'devtmpfs' });
    expect(okv(r.last).entries).toContain('x');
  });

  it.each(ALL)('its ptmx finds no devpts beside it unless one is mounted on its pts (6.x: ENODEV), and null opens (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/d'), mountDevtmpfs('/tmp/d'), open('/tmp/d/ptmx'), open('/tmp/d/null'), open('/tmp/d/tty')]);
    expect(errnoOf(r.results[2]!)).toBe(p === '6.x' ? 'ENODEV' : 'ok');
    expect(r.results.slice(3).map(errnoOf)).toEqual(['ok', 'ENXIO']);
  });

  it.each(ALL)('boot dev: "devtmpfs": /dev is the devtmpfs, devpts is mounted on its pts, /dev/ptmx allocates there (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx'), readdir('/dev/pts'), { op: 'mounts' }], { dev: 'devtmpfs' });
    expect(errnoOf(r.results[0]!)).toBe('ok');
    expect(okv(r.last).mounts!.map((m) => `${m.target} ${m.fstype}`)).toEqual(['/ tmpfs', '/dev devtmpfs', '/dev/pts devpts']);
  });
});

describe('mounting devtmpfs per kernel', () => {
  it('6.x: a bad option is EINVAL; a read-only mount is read-only alone (the superblock is attached as it is)', () => {
    // live 6.18 for EINVAL; the rest code reading (devtmpfs_get_tree), not tried on the host's /dev
    const r = run('6.x', [mkdir('/tmp/a'), mkdir('/tmp/b'), mountDevtmpfs('/tmp/a', { options: 'bogus' }), mountDevtmpfs('/tmp/a'),
      mountDevtmpfs('/tmp/b', { flags: ['ro'] }), mkdir('/tmp/a/x'), mkdir('/tmp/b/y')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['EINVAL', 'ok', 'ok', 'ok', 'EROFS']);
  });

  it.each(['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y'] as const)('%s: mount_single remounts the one superblock: bad options are ignored, a read-only mount makes every mount read-only, even one do_add_mount then refuses', (p) => {
    // drivers/base/devtmpfs.c dev_mount, fs/super.c mount_single (2.6.39 to 4.4); QEMU 2.6.39.4 =y:
    // a plain mount onto the read-only devtmpfs mount is EBUSY (the same superblock on the same
    // mount point), after it made the superblock writable again
    const r = run(p, [mkdir('/tmp/a'), mkdir('/tmp/b'), mountDevtmpfs('/tmp/a', { options: 'bogus' }), mountDevtmpfs('/tmp/b', { flags: ['ro'] }), mkdir('/tmp/a/x'),
      mountDevtmpfs('/tmp/b'), mkdir('/tmp/a/x')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['ok', 'ok', 'EROFS', 'EBUSY', 'ok']);
  });

  it('6.1: public_dev_mount reconfigures the one superblock and returns its error (code reading)', () => {
    const r = run('6.1', [mkdir('/tmp/a'), mkdir('/tmp/b'), mountDevtmpfs('/tmp/a', { options: 'bogus' }), mountDevtmpfs('/tmp/b', { flags: ['ro'] }), mkdir('/tmp/b/x')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['EINVAL', 'ok', 'EROFS']);
  });

  it('6.x: outside the initial user namespace it is EPERM (no FS_USERNS_MOUNT), after the options were checked', () => {
    const r = run('6.x', [mkdir('/tmp/a', { mode: '0777' }), spawn(2), { op: 'unshare', pid: 2, user: true }, mountDevtmpfs('/tmp/a', { pid: 2, options: 'bogus' }), mountDevtmpfs('/tmp/a', { pid: 2 })]);
    expect(r.results.slice(3).map(errnoOf)).toEqual(['EINVAL', 'EPERM']);
  });
});
