// The corners where the live kernel disagreed with the model (issue 13 item 8), each as
// the kernel answers it. live 6.18 (kernel/live-observations-issue13.md); the older
// profiles where their code differs (marked).

import { describe, expect, it } from 'vitest';
import { profileOf } from '../../model/index.ts';
import { ALL, LEGACY, chmod, chown, errnoOf, mkdir, mountDevpts, mountTmpfs, okv, open, remount, run, setuid, spawn, stat, symlink, touch, umount, unlink } from './helpers.ts';

const NEG = 4294967295;

describe('ownership and modes', () => {
  it.each(ALL)('chown -1:-1 by a non-owner is a no-op that succeeds (%s)', (p) => {
    const r = run(p, [touch('/tmp/o'), spawn(2), setuid(1000, { pid: 2 }), chown('/tmp/o', NEG, NEG, { pid: 2 }), chown('/tmp/o', NEG, 0, { pid: 2 })]);
    expect(r.results.slice(3).map(errnoOf)).toEqual(['ok', 'EPERM']);
  });

  it.each(ALL)('chown -1:-1 by a non-owner of a setuid file is EPERM: dropping setuid is a mode change only the owner may make (%s)', (p) => {
    const r = run(p, [touch('/tmp/s'), chmod('/tmp/s', '04755'), spawn(2), setuid(1000, { pid: 2 }), chown('/tmp/s', NEG, NEG, { pid: 2 }), stat('/tmp/s')]);
    expect(errnoOf(r.results[4]!)).toBe('EPERM');
    expect(okv(r.last).mode).toBe('04755');
  });

  it.each(ALL)('an owner moving its setgid file to its own group clears setgid when it is not in the old group, from 6.2 (%s)', (p) => {
    // setattr_should_drop_sgid (6.2); before, only with group-execute (QEMU 4.4.178 keeps 02745)
    const r = run(p, [touch('/tmp/f'), chmod('/tmp/f', '02745'), chown('/tmp/f', 1000, 2000), spawn(2), setuid(1000, { pid: 2 }), chown('/tmp/f', NEG, 1000, { pid: 2 }), stat('/tmp/f')]);
    expect(okv(r.last)).toMatchObject({ mode: profileOf(p).sgidKill === 'notInGroup' ? '0745' : '02745', uid: 1000, gid: 1000 });
  });

  it.each(ALL)('root\'s chown drops setuid, and setgid only with group-execute (%s)', (p) => {
    const r = run(p, [touch('/tmp/a'), chmod('/tmp/a', '06755'), chown('/tmp/a', 0, 0), stat('/tmp/a'), touch('/tmp/b'), chmod('/tmp/b', '06745'), chown('/tmp/b', NEG, NEG), stat('/tmp/b')]);
    expect([3, 7].map((i) => okv(r.results[i]!).mode)).toEqual(['0755', '02745']);
  });

  it.each(ALL)('mkdir strips setuid and setgid from the requested mode, for root too; a setgid parent passes its group and setgid on (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/a', { mode: '07777' }), stat('/tmp/a'), mkdir('/tmp/d', { mode: '02777' }), chmod('/tmp/d', '02777'), chown('/tmp/d', 0, 5),
      mkdir('/tmp/d/x', { mode: '0755' }), stat('/tmp/d/x'), touch('/tmp/d/y'), stat('/tmp/d/y')]);
    expect(okv(r.results[1]!).mode).toBe('01777');
    expect(okv(r.results[6]!)).toMatchObject({ mode: '02755', gid: 5 });
    expect(okv(r.last)).toMatchObject({ mode: '0644', gid: 5 });
  });

  it.each(ALL)('non-root mknod in a directory it cannot write is EACCES, in one it can EPERM (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/ro'), spawn(2), setuid(1000, { pid: 2 }), { op: 'mknod', pid: 2, path: '/tmp/ro/n', major: 1, minor: 3 }, { op: 'mknod', pid: 2, path: '/tmp/n', major: 1, minor: 3 }]);
    expect(r.results.slice(3).map(errnoOf)).toEqual(['EACCES', 'EPERM']);
  });
});

describe('devpts options (6.x)', () => {
  const P = '6.x';
  it.each(['sync', 'async', 'dirsync', 'lazytime', 'nolazytime', 'mand', 'nomand', 'mand=1', 'sync,mode=620'])('takes the generic superblock flag in "%s"', (data) => {
    expect(run(P, [mkdir('/tmp/m'), mountDevpts('/tmp/m', data)]).last).toEqual({ ok: true });
  });

  it('a remount with dirsync is EINVAL without a message (reconfigure_super), sync and mand are fine', () => {
    expect(run(P, [remount('/dev/pts', 'dirsync'), remount('/dev/pts', 'sync'), remount('/dev/pts', 'mand')]).results).toEqual([{ errno: 'EINVAL' }, { ok: true }, { ok: true }]);
  });

  it.each([['mode=+620', 'mode=620,ptmxmode=000'], ['uid=+5', 'uid=5,mode=600,ptmxmode=000'], ['mode=620\n', 'mode=620,ptmxmode=000'], ['max=-0', 'mode=600,ptmxmode=000,max=0']])('parses "%s" like kstrto* (a "+", one trailing newline)', (data, shown) => {
    expect(okv(run(P, [mkdir('/tmp/m'), mountDevpts('/tmp/m', data), { op: 'mounts' }]).last).mounts!.at(-1)!.options).toBe(shown);
  });

  it.each([['mode=620\n\n', "devpts: Bad value for 'mode'"], ['newinstance\n', "devpts: Unknown parameter 'newinstance\n'"], ['mode=-1', "devpts: Bad value for 'mode'"]])('refuses "%s"', (data, line) => {
    expect(run(P, [mkdir('/tmp/m'), mountDevpts('/tmp/m', data)]).last).toEqual({ errno: 'EINVAL', log: [line] });
  });
});

describe('devpts options (2.6.39, 3.4: lib/parser.c, code reading)', () => {
  it.each(LEGACY)('a "+" is no number to simple_strtoul: "uid=+5" is a bogus option (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/m'), mountDevpts('/tmp/m', 'uid=+5,newinstance')]);
    expect(r.last).toMatchObject(p === '2.6.39-n' ? { ok: true, log: ['devpts: called with bogus options'] } : { errno: 'EINVAL', log: ['devpts: called with bogus options'] });
  });

  it.each(LEGACY)('uid= wraps at 32 bits, as match_int stores an int (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/m'), mountDevpts('/tmp/m', 'uid=4294967297,newinstance'), { op: 'mounts' }]);
    expect(okv(r.last).mounts!.at(-1)!.options).toMatch(/^uid=1,/);
  });
});

describe('paths and opens', () => {
  it.each(ALL)('opening a regular file read-write on a read-only filesystem is EROFS; a read-only mount is EROFS only after the permission check (%s)', (p) => {
    const r = run(p, [mkdir('/tmp/r'), mountTmpfs('/tmp/r'), touch('/tmp/r/z'), remount('/tmp/r', undefined, { flags: ['ro'] }), spawn(2), setuid(1000, { pid: 2 }),
      open('/tmp/r/z'), open('/tmp/r/z', { pid: 2 }), remount('/tmp/r'), { op: 'remount', target: '/tmp/r', bind: true, flags: ['ro'] }, open('/tmp/r/z'), open('/tmp/r/z', { pid: 2 })]);
    expect([6, 7, 10, 11].map((i) => errnoOf(r.results[i]!))).toEqual(['EROFS', 'EROFS', 'EROFS', 'EACCES']);
  });

  it.each(ALL)('a trailing slash on a non-directory is ENOTDIR; creating with one is ENOENT, EISDIR for touch; mkdir takes it (%s)', (p) => {
    const r = run(p, [touch('/tmp/f'), stat('/tmp/f/'), open('/tmp/f/'), unlink('/tmp/f/'), touch('/tmp/f/'), touch('/tmp/n/'), symlink('x', '/tmp/l/'), mkdir('/tmp/d/')]);
    expect(r.results.slice(1).map(errnoOf)).toEqual(['ENOTDIR', 'ENOTDIR', 'ENOTDIR', 'ENOTDIR', 'EISDIR', 'ENOENT', 'ok']);
  });

  it.each(ALL)('an empty symlink target is ENOENT, as is an empty path (%s)', (p) => {
    expect(run(p, [symlink('', '/tmp/e'), stat('')]).results.map(errnoOf)).toEqual(['ENOENT', 'ENOENT']);
  });

  it.each(ALL)('a component over 255 bytes is ENAMETOOLONG where it is looked up; a path of 4096 bytes too (%s)', (p) => {
    const long = 'a'.repeat(256);
    const r = run(p, [stat(`/tmp/${'a'.repeat(255)}`), stat(`/tmp/${long}`), stat(`/nope/${long}`), symlink(long, '/tmp/l'), stat('/tmp/l'), stat('/' + '/'.repeat(4094)), stat('/' + '/'.repeat(4095))]);
    expect(r.results.map(errnoOf)).toEqual(['ENOENT', 'ENAMETOOLONG', 'ENOENT', 'ok', 'ENAMETOOLONG', 'ok', 'ENAMETOOLONG']);
  });

  it.each(ALL)('a bound file outlives its unlink, and its filesystem cannot go read-only meanwhile from 3.4 (%s)', (p) => {
    // s_remove_count (3.4 on, live 6.18); 2.6.39 counts open files only (QEMU 2.6.39.4: ok)
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), touch('/tmp/t/f'), touch('/tmp/g'), { op: 'bind', source: '/tmp/t/f', target: '/tmp/g' }, unlink('/tmp/t/f'),
      stat('/tmp/g'), remount('/tmp/t', undefined, { flags: ['ro'] }), umount('/tmp/g'), remount('/tmp/t', undefined, { flags: ['ro'] })]);
    const busy = profileOf(p).removeCount ? 'EBUSY' : 'ok';
    expect(r.results.slice(5, 8).map(errnoOf)).toEqual(['ok', 'ok', busy]);
  });
});
