// Mount operations of issue 13 item 5: move, bind with recursive, remount with bind. live 6.18.

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { ALL, bind, errnoOf, mkdir, mountTmpfs, okv, open, readdir, run, setuid, spawn, stat, touch } from './helpers.ts';

const move = (source: string, target: string, pid?: number): Op => ({ op: 'move', source, target, ...(pid ? { pid } : {}) });
const remountBind = (target: string, flags: ('ro' | 'nosuid' | 'nodev' | 'noexec')[] = [], options?: string): Op =>
  ({ op: 'remount', target, bind: true, flags, ...(options !== undefined ? { options } : {}) });

describe('mount --move', () => {
  it.each(ALL)('moves a mount with what it holds; it keeps its place in mountinfo (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mkdir('/tmp/b'), mountTmpfs('/tmp/a'), touch('/tmp/a/f'), move('/tmp/a', '/tmp/b'), readdir('/tmp/b'), readdir('/tmp/a'),
      move('/dev/pts', '/tmp/a'), { op: 'mounts' }]);
    expect(okv(r.results[5]!).entries).toEqual(['f']);
    expect(okv(r.results[6]!).entries).toEqual([]);
    expect(okv(r.last).mounts!.map((m) => m.target)).toEqual(['/', '/tmp/a', '/tmp/b']);
  });

  it.each(ALL)('a namespace copied after the move lists the moved mount after its new parent\'s other children; the parent namespace does not (%s)', (p) => {
    // attach_mnt appends the moved mount to the parent's children; copy_tree copies in that order (live 6.18, kernel test's 1,000 sequences)
    const r = run(p, [mkdir('/tmp/b'), mkdir('/tmp/b/x'), mountTmpfs('/tmp/b/x'), mkdir('/tmp/a'), move('/dev/pts', '/tmp/a'), { op: 'mounts' }, spawn(2, { newns: true }), { op: 'mounts', pid: 2 }]);
    expect(okv(r.results[5]!).mounts!.map((m) => m.target)).toEqual(['/', '/tmp/a', '/tmp/b/x']);
    expect(okv(r.last).mounts!.map((m) => m.target)).toEqual(['/', '/tmp/b/x', '/tmp/a']);
  });

  it.each(ALL)('refuses a non-mount and a directory onto a file (EINVAL), a mount into itself (ELOOP), non-root (EPERM) (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mkdir('/tmp/b'), mkdir('/tmp/c'), touch('/tmp/f'), mountTmpfs('/tmp/a'), mkdir('/tmp/a/x'),
      move('/tmp/c', '/tmp/b'), move('/tmp/a', '/tmp/f'), move('/tmp/a', '/tmp/a/x'), move('/', '/tmp/b'), spawn(2), setuid(1000, { pid: 2 }), move('/tmp/a', '/tmp/b', 2)]);
    expect([6, 7, 8, 9, 12].map((i) => errnoOf(r.results[i]!))).toEqual(['EINVAL', 'EINVAL', 'ELOOP', 'ELOOP', 'EPERM']);
  });

  it.each(ALL)('a mount below a shared parent cannot move (EINVAL); one moved below a shared mount propagates (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/s'), mountTmpfs('/tmp/s'), mkdir('/tmp/s/in'), mkdir('/tmp/s/to'), { op: 'propagate', target: '/tmp/s', type: 'shared' },
      mountTmpfs('/tmp/s/in'), mkdir('/tmp/c'), move('/tmp/s/in', '/tmp/c'),
      mkdir('/tmp/b'), bind('/tmp/s', '/tmp/b'), mkdir('/tmp/m'), mountTmpfs('/tmp/m'), touch('/tmp/m/f'), move('/tmp/m', '/tmp/s/to'), readdir('/tmp/b/to')]);
    expect(errnoOf(r.results[7]!)).toBe('EINVAL');
    expect(okv(r.last).entries).toEqual(['f']);
  });
});

describe('mount --bind and --rbind', () => {
  it.each(ALL)('--bind takes one mount, --rbind the mounts below the source too (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mountTmpfs('/tmp/a'), mkdir('/tmp/a/x'), mountTmpfs('/tmp/a/x'), touch('/tmp/a/x/in'), mkdir('/tmp/b'), mkdir('/tmp/c'),
      bind('/tmp/a', '/tmp/b'), bind('/tmp/a', '/tmp/c', { recursive: true }), readdir('/tmp/b/x'), readdir('/tmp/c/x')]);
    expect(okv(r.results[9]!).entries).toEqual([]);
    expect(okv(r.last).entries).toEqual(['in']);
  });

  it('6.x: a plain bind of /dev has no pts mount (ENODEV); --rbind carries it (live 6.18 S2d)', () => {
    const r = run('6.x', [mkdir('/tmp/d'), bind('/dev', '/tmp/d'), open('/tmp/d/ptmx'), mkdir('/tmp/r'), bind('/dev', '/tmp/r', { recursive: true }), open('/tmp/r/ptmx')]);
    expect([2, 5].map((i) => errnoOf(r.results[i]!))).toEqual(['ENODEV', 'ok']);
  });
});

describe('remount with bind', () => {
  it.each(ALL)('changes only that mount\'s flags: a read-only bind leaves the filesystem writable elsewhere; the data is ignored (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mountTmpfs('/tmp/a'), mkdir('/tmp/b'), bind('/tmp/a', '/tmp/b'), remountBind('/tmp/b', ['ro'], 'bogus'), mkdir('/tmp/b/x'), mkdir('/tmp/a/y'),
      remountBind('/tmp/b'), mkdir('/tmp/b/x')]);
    expect(r.results.slice(4).map(errnoOf)).toEqual(['ok', 'EROFS', 'ok', 'ok', 'ok']);
  });

  it.each(ALL)('needs a mount root (EINVAL); a writer on that mount makes read-only EBUSY (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mountTmpfs('/tmp/a'), mkdir('/tmp/a/d'), remountBind('/tmp/a/d', ['ro']), touch('/tmp/a/w'), open('/tmp/a/w', { as: 'w' }), remountBind('/tmp/a', ['ro'])]);
    expect([3, 6].map((i) => errnoOf(r.results[i]!))).toEqual(['EINVAL', 'EBUSY']);
  });

  it.each(ALL)('a read-only bind of devpts: ptmx still allocates, chmod of a node is EROFS (%s)', (p) => {
    const r = run(p, [remountBind('/dev/pts', ['ro']), open('/dev/ptmx', { as: 'm' }), { op: 'chmod', path: '/dev/pts/0', mode: '0644' }, stat('/dev/pts')]);
    expect(r.results.slice(0, 3).map(errnoOf)).toEqual(['ok', 'ok', 'EROFS']);
  });
});
