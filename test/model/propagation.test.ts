// Mount propagation (issue 13 item 3): peer groups, slaves, unbindable mounts, and
// namespace copies that keep (the raw syscall) or drop (util-linux's default) them.
// live 6.18; the same shared-subtree code since 2.6.15 on the older profiles (fs/pnode.c).

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { ALL, bind, errnoOf, exit, mkdir, mountDevpts, mountTmpfs, okv, readdir, run, spawn, stat, touch, umount } from './helpers.ts';

const propagate = (target: string, type: 'shared' | 'private' | 'slave' | 'unbindable', extra: { pid?: number; recursive?: boolean } = {}): Op =>
  ({ op: 'propagate', target, type, ...extra });
const sharedS = [mkdir('/tmp/s'), mountTmpfs('/tmp/s'), mkdir('/tmp/s/d'), propagate('/tmp/s', 'shared')];

describe('make-shared and peers', () => {
  it.each(ALL)('a bind of a shared mount is its peer: a mount below one shows below the other, an umount below one goes for both (%s)', (p) => {
    const r = run(p, [...sharedS, mkdir('/tmp/b'), bind('/tmp/s', '/tmp/b'), mountTmpfs('/tmp/s/d'), touch('/tmp/s/d/f'), readdir('/tmp/b/d'), umount('/tmp/b/d'), readdir('/tmp/s/d')]);
    expect(okv(r.results[8]!).entries).toEqual(['f']);
    expect(okv(r.last).entries).toEqual([]);
  });

  it.each(ALL)('--make-TYPE needs a mount root (EINVAL), an existing path (ENOENT) and CAP_SYS_ADMIN (EPERM) (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/x'), propagate('/tmp/x', 'shared'), propagate('/tmp/nope', 'shared'), spawn(2), { op: 'setuid', pid: 2, uid: 1000 }, propagate('/', 'shared', { pid: 2 })]);
    expect([1, 2, 5].map((i) => errnoOf(r.results[i]!))).toEqual(['EINVAL', 'ENOENT', 'EPERM']);
  });

  it.each(ALL)('an umount below a peer that is busy there is EBUSY (%s)', (p) => {
    const r = run(p, [...sharedS, mkdir('/tmp/b'), bind('/tmp/s', '/tmp/b'), mountTmpfs('/tmp/s/d'), touch('/tmp/b/d/f'), { op: 'open', path: '/tmp/b/d/f', as: 'f' }, umount('/tmp/s/d')]);
    expect(r.last).toEqual({ errno: 'EBUSY' });
  });
});

describe('a copy of a shared mount in a new namespace', () => {
  it.each(ALL)('with propagation "keep" it propagates a devpts mount back to the host, which keeps it after the child exits (%s)', (p) => {
    const r = run(p, [...sharedS, spawn(2, { newns: true }), { ...spawn(3), newns: true, propagation: 'keep' } as Op, mountDevpts('/tmp/s/d', 'newinstance', { pid: 3 }),
      stat('/tmp/s/d'), exit(3), stat('/tmp/s/d')]);
    expect(okv(r.results[7]!).fs).not.toBe('other');
    expect(okv(r.last).fs).toBe(okv(r.results[7]!).fs);
  });

  it.each(ALL)('by default (util-linux unshare -m: private) the child\'s mount stays in the child (%s)', (p) => {
    const r = run(p, [...sharedS, spawn(2, { newns: true }), mountTmpfs('/tmp/s/d', { pid: 2 }), touch('/tmp/s/d/in', { pid: 2 }), readdir('/tmp/s/d')]);
    expect(okv(r.last).entries).toEqual([]);
  });

  it.each(ALL)('an unshare that keeps propagation sends the caller\'s mounts back too (%s)', (p) => {
    const r = run(p, [...sharedS, spawn(2), { op: 'unshare', pid: 2, propagation: 'keep' }, mountTmpfs('/tmp/s/d', { pid: 2 }), touch('/tmp/s/d/in', { pid: 2 }), readdir('/tmp/s/d')]);
    expect(okv(r.last).entries).toEqual(['in']);
  });

  it.each(ALL)('the private default needs "/" to be a mount root; chrooted into a plain directory it is EINVAL and nothing happens (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/c'), spawn(2), { op: 'chroot', pid: 2, path: '/tmp/c' }, { op: 'unshare', pid: 2 }, { op: 'unshare', pid: 2, propagation: 'keep' }]);
    expect(r.results.slice(3).map(errnoOf)).toEqual(['EINVAL', 'ok']);
  });
});

describe('slaves and unbindable mounts', () => {
  it.each(ALL)('a slave gets its master\'s mounts and sends none back; what it gets goes under its own mount there (%s)', (p) => {
    const r = run(p, [...sharedS, mkdir('/tmp/c'), bind('/tmp/s', '/tmp/c'), propagate('/tmp/c', 'slave'),
      mountTmpfs('/tmp/c/d'), touch('/tmp/c/d/local'), readdir('/tmp/s/d', { note: 'master' }),
      mountTmpfs('/tmp/s/d'), touch('/tmp/s/d/master'), readdir('/tmp/c/d', { note: 'slave' }), umount('/tmp/c/d'), readdir('/tmp/c/d', { note: 'under' }),
      umount('/tmp/s/d'), readdir('/tmp/c/d', { note: 'gone' })]);
    expect(okv(r.at('master')).entries).toEqual([]);
    expect(okv(r.at('slave')).entries).toEqual(['local']);
    expect(okv(r.at('under')).entries).toEqual(['master']);
    expect(okv(r.at('gone')).entries).toEqual([]);
  });

  it.each(ALL)('the master\'s umount takes the copy tucked under the slave\'s own mount and leaves that mount (%s)', (p) => {
    const r = run(p, [...sharedS, mkdir('/tmp/c'), bind('/tmp/s', '/tmp/c'), propagate('/tmp/c', 'slave'),
      mountTmpfs('/tmp/c/d'), touch('/tmp/c/d/local'), mountTmpfs('/tmp/s/d'), umount('/tmp/s/d'), readdir('/tmp/c/d', { note: 'local' }), umount('/tmp/c/d'), readdir('/tmp/c/d')]);
    expect(okv(r.at('local')).entries).toEqual(['local']);
    expect(okv(r.last).entries).toEqual([]);
  });

  it.each(ALL)('an unbindable mount cannot be bound, can be moved, and --rbind leaves it behind (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a'), mountTmpfs('/tmp/a'), mkdir('/tmp/a/x'), mountTmpfs('/tmp/a/x'), propagate('/tmp/a/x', 'unbindable'),
      mkdir('/tmp/b'), bind('/tmp/a/x', '/tmp/b'), mkdir('/tmp/c'), bind('/tmp/a', '/tmp/c', { recursive: true }), touch('/tmp/a/x/in'), readdir('/tmp/c/x'),
      { op: 'move', source: '/tmp/a/x', target: '/tmp/b' }, readdir('/tmp/b')]);
    expect(errnoOf(r.results[6]!)).toBe('EINVAL');
    expect(okv(r.results[10]!).entries).toEqual([]);
    expect(okv(r.last).entries).toEqual(['in']);
  });

  it.each(ALL)('make-rprivate of / leaves no peers: a bind made before no longer receives (%s)', (p) => {
    const r = run(p, [...sharedS, mkdir('/tmp/b'), bind('/tmp/s', '/tmp/b'), propagate('/', 'private', { recursive: true }), mountTmpfs('/tmp/s/d'), touch('/tmp/s/d/f'), readdir('/tmp/b/d')]);
    expect(okv(r.last).entries).toEqual([]);
  });
});

describe('boot rootPropagation "shared" (as systemd leaves a system)', () => {
  it.each(ALL)('a child namespace made by the raw syscall sends its mounts to the host; the private default does not (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/h'), mkdir('/tmp/p'), { op: 'spawn', child: 2, newns: true, propagation: 'keep' }, mountTmpfs('/tmp/h', { pid: 2 }), touch('/tmp/h/x', { pid: 2 }),
      spawn(3, { newns: true }), mountTmpfs('/tmp/p', { pid: 3 }), touch('/tmp/p/y', { pid: 3 }), readdir('/tmp/h'), readdir('/tmp/p')], { rootPropagation: 'shared' });
    expect(okv(r.results[8]!).entries).toEqual(['x']);
    expect(okv(r.last).entries).toEqual([]);
  });
});
