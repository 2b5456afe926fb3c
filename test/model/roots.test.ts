// A process's root and working directory (issue 13 item 1): chroot, chdir, pivot_root,
// relative paths, `umount /`, and a mount made on "/". live 6.18 unless marked.

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { ALL, errnoOf, mkdir, mountTmpfs, okv, open, readdir, run, setuid, spawn, stat, touch, umount } from './helpers.ts';

const chroot = (path: string, pid?: number): Op => ({ op: 'chroot', path, ...(pid ? { pid } : {}) });
const chdir = (path: string, pid?: number): Op => ({ op: 'chdir', path, ...(pid ? { pid } : {}) });
const pivot = (newRoot: string, putOld: string, pid?: number): Op => ({ op: 'pivotRoot', newRoot, putOld, ...(pid ? { pid } : {}) });
const entries = (r: ReturnType<typeof run>, i: number) => okv(r.results[i]!).entries;

describe('relative paths and the working directory', () => {
  it.each(ALL)('a relative path starts at the working directory, which starts at / and is inherited (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), chdir('/tmp'), mkdir('a/b'), spawn(2), readdir('a', { pid: 2 }), stat('a/b/../..', { pid: 2 })]);
    expect(entries(r, 4)).toEqual(['b']);
    expect(okv(r.last).mode).toBe('01777');
  });

  it.each(ALL)('chdir needs a directory it may search (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/p', { mode: '0700' }), spawn(2), setuid(1000, { pid: 2 }), chdir('/tmp/p', 2), chdir('/dev/ptmx', 2), chdir('/nope', 2)]);
    expect(r.results.slice(3).map(errnoOf)).toEqual(['EACCES', 'ENOTDIR', 'ENOENT']);
  });
});

describe('chroot', () => {
  it.each(ALL)('chroot moves the root, not the working directory: "." still shows the old root (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/c'), mkdir('/tmp/c/d'), chroot('/tmp/c'), readdir('.'), readdir('/'), readdir('/..'), readdir('..')]);
    expect([3, 4, 5, 6].map((i) => entries(r, i))).toEqual([['dev', 'tmp'], ['d'], ['d'], ['dev', 'tmp']]);
  });

  it.each(ALL)('a child inherits its parent\'s root (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/c'), mkdir('/tmp/c/d'), chroot('/tmp/c'), spawn(2), readdir('/', { pid: 2 })]);
    expect(okv(r.last).entries).toEqual(['d']);
  });

  it.each(ALL)('only a process with CAP_SYS_CHROOT may chroot: EPERM after the lookup (%s)', (p) => {
    expect(run(p, [spawn(2), setuid(1000, { pid: 2 }), chroot('/tmp', 2), chroot('/nope', 2)]).results.slice(2).map(errnoOf)).toEqual(['EPERM', 'ENOENT']);
  });
});

describe('umount / and the root mount', () => {
  it.each(ALL)('`umount /` (not lazy) on the process\'s root remounts it read-only: later writes are EROFS (%s)', (p) => {
    // live 6.18; 2.6.39/3.4: do_umount's same special case (code reading, to confirm on QEMU)
    const r = run(p, [umount('/'), touch('/tmp/x'), { op: 'remount', target: '/' }, touch('/tmp/x')]);
    expect(r.results.map(errnoOf)).toEqual(['ok', 'EROFS', 'ok', 'ok']);
  });

  it.each(ALL)('`umount /` is EBUSY while a file is open for writing on the root (%s)', (p) => {
    expect(run(p, [touch('/tmp/w'), { op: 'open', path: '/tmp/w', as: 'w' }, umount('/')]).last).toEqual({ errno: 'EBUSY' });
  });

  it.each(ALL)('`umount /` is EBUSY while a pty master opened through /dev/ptmx is open after /dev/ptmx was unlinked: an open file with no name left (%s)', (p) => {
    // 2.6.39 fs_may_remount_ro (i_nlink == 0, QEMU 2.6.39.4 =n, kernel --seed 2026 run 1335); later kernels s_remove_count
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), { op: 'unlink', path: '/dev/ptmx' }, umount('/'), { op: 'close', fd: 'm' }, umount('/')]);
    expect(errnoOf(r.results[2]!)).toBe('EBUSY');
    expect(okv(r.last).ok).toBe(true);
  });

  it.each(ALL)('a lazy `umount /` detaches everything below: /dev/pts is a plain directory, nothing mounts there (%s)', (p) => {
    const r = run(p, [umount('/', { lazy: true }), readdir('/'), stat('/dev/pts'), mountTmpfs('/tmp'), { op: 'mounts' }]);
    expect(entries(r, 1)).toEqual(['dev', 'tmp']);
    expect(okv(r.results[2]!).fs).toBe('other');
    // 6.x lock_mount: ENOENT; 2.6.39/3.4 do_add_mount check_mnt: EINVAL (code reading)
    expect(errnoOf(r.results[3]!)).toBe(p === '6.x' ? 'ENOENT' : 'EINVAL');
    expect(okv(r.last).mounts).toEqual([]);
  });

  it.each(ALL)('a mount on "/" is not seen through "/" or "." until the process chdirs or chroots into it ("/.." reaches it) (%s)', (p) => {
    const r = run(p, [mountTmpfs('/'), readdir('/'), readdir('/.'), readdir('/..'), spawn(2), chdir('/..', 2), readdir('.', { pid: 2 }), chroot('.', 2), readdir('/', { pid: 2 })]);
    expect([1, 2, 3, 6, 8].map((i) => entries(r, i))).toEqual([['dev', 'tmp'], ['dev', 'tmp'], [], [], []]);
  });

  it.each(ALL)('chrooted into a plain directory, `umount /` is EINVAL: the root is no mount\'s root (%s)', (p) => {
    expect(run(p, [mkdir('/tmp/s'), chroot('/tmp/s'), umount('/'), umount('/', { lazy: true })]).results.slice(2).map(errnoOf)).toEqual(['EINVAL', 'EINVAL']);
  });

  it.each(ALL)('chrooted into a devpts root, `umount /` remounts it read-only with default options (%s)', (p) => {
    // live 6.18: the ptmx node is c0000 afterwards; do_umount_root passes no data
    const r = run(p, [{ op: 'remount', target: '/dev/pts', options: 'ptmxmode=0666' }, chroot('/dev/pts'), umount('/'), { op: 'chmod', path: '/', mode: '0700' }]);
    expect(errnoOf(r.results[2]!)).toBe('ok');
    expect(r.last).toEqual({ errno: 'EROFS' });
  });
});

describe('pivot_root', () => {
  const setup = [mkdir('/tmp/n'), mountTmpfs('/tmp/n'), mkdir('/tmp/n/old')];
  it.each(ALL)('the root goes to put_old, new_root takes its place; processes at the old root follow, others stay (%s)', (p) => {
    const r = run(p, [...setup, spawn(2), spawn(3), chdir('/dev', 3), pivot('/tmp/n', '/tmp/n/old'), readdir('/'), readdir('.', { pid: 2 }), readdir('.', { pid: 3 }), readdir('/old')]);
    expect([7, 8, 9, 10].map((i) => entries(r, i))).toEqual([['old'], ['old'], ['ptmx', 'pts'], ['dev', 'tmp']]);
  });

  it.each(ALL)('new_root on the root mount is EBUSY, a file ENOTDIR, a missing one ENOENT (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/plain'), mkdir('/tmp/plain/old'), pivot('/tmp/plain', '/tmp/plain/old'), pivot('/dev/ptmx', '/tmp'), pivot('/nope', '/tmp')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['EBUSY', 'ENOTDIR', 'ENOENT']);
  });

  it.each(ALL)('put_old outside new_root, or a shared new_root, is EINVAL (%s)', (p) => {
    const r = run(p, [...setup, mkdir('/tmp/n2'), mountTmpfs('/tmp/n2'), pivot('/tmp/n', '/tmp/n2'), { op: 'propagate', target: '/tmp/n', type: 'shared' }, pivot('/tmp/n', '/tmp/n/old')]);
    expect([5, 7].map((i) => errnoOf(r.results[i]!))).toEqual(["EINVAL", "EINVAL"]);
  });

  it.each(ALL)('only CAP_SYS_ADMIN may pivot_root, and that is checked before the paths (%s)', (p) => {
    expect(run(p, [spawn(2), setuid(1000, { pid: 2 }), pivot('/nope', '/nope', 2)]).last).toEqual({ errno: 'EPERM' });
  });
});
