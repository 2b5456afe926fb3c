// Processes and files of issue 13 items 6 and 7: spawn with inherit, dup, fstat, rename,
// link; handle names; mounts; sysctl reads. live 6.18 unless marked.

import { describe, expect, it } from 'vitest';
import type { Op } from '../../model/index.ts';
import { ALL, close, errnoOf, mkdir, mountTmpfs, okv, open, peer, readdir, run, setuid, spawn, stat, touch, unlink, unlockpt } from './helpers.ts';

const dup = (fd: string, extra: { pid?: number; as?: string } = {}): Op => ({ op: 'dup', fd, ...extra });
const fstat = (fd: string, pid?: number): Op => ({ op: 'fstat', fd, ...(pid ? { pid } : {}) });
const rename = (from: string, to: string, pid?: number): Op => ({ op: 'rename', from, to, ...(pid ? { pid } : {}) });
const link = (target: string, path: string, pid?: number): Op => ({ op: 'link', target, path, ...(pid ? { pid } : {}) });
const read = (name: string): Op => ({ op: 'sysctl', name });

describe('spawn with inherit and dup: one open file, many descriptors', () => {
  it.each(ALL)('the child holds NAME@CHILD copies; the pty lives until the last copy of its master closes (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), spawn(2, {}), { op: 'spawn', child: 3, inherit: true }, close('m'), readdir('/dev/pts', { note: 'held' }),
      close('m@3', 3), readdir('/dev/pts', { note: 'freed' }), open('/dev/ptmx', { note: 'again' })]);
    expect(okv(r.at('held')).entries).toContain('0');
    expect(okv(r.at('freed')).entries).not.toContain('0');
    expect(okv(r.at('again')).index).toBe(0);
  });

  it.each(ALL)('dup shares the open file: closing one descriptor keeps the pty (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx', { as: 'a' }), dup('a', { as: 'b' }), close('a'), open('/dev/ptmx', { note: 'next' }), close('b'), open('/dev/ptmx', { note: 'reused' })]);
    expect(okv(r.at('next')).index).toBe(1);
    expect(okv(r.at('reused')).index).toBe(0);
  });

  it.each(ALL)('an inherited copy whose name is taken is a tool error (the trace is not well-formed) (%s)', (p) => {
    expect(() => run(p, [open('/dev/ptmx', { as: 'm' }), open('/dev/ptmx', { as: 'm@2' }), { op: 'spawn', child: 2, inherit: true }])).toThrow(/tool error on inherit/);
  });
});

describe('handle names', () => {
  it.each(ALL)('any string is a name, "constructor" and "__proto__" included, and an automatic name skips names in use (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx', { as: 'fd2' }), open('/dev/ptmx'), dup('fd3'), open('/dev/ptmx', { as: 'constructor' }), open('/dev/ptmx', { as: '__proto__' }),
      fstat('__proto__'), close('constructor'), open('/dev/ptmx', { as: 'toString' })]);
    expect(r.results.slice(0, 5).map((x) => okv(x).fd)).toEqual(['fd2', 'fd3', 'fd4', 'constructor', '__proto__']);
    expect(okv(r.results[5]!).index).toBe(3);
    expect(Object.getPrototypeOf(r.state.handles)).toBe(Object.prototype);
    expect(Object.keys(r.state.handles).sort()).toEqual(['__proto__', 'fd2', 'fd3', 'fd4', 'toString']);
  });

  it.each(ALL)('a handle that is not there is a tool error, whatever Object.prototype holds (%s)', (p) => {
    expect(() => run(p, [close('constructor')])).toThrow(/tool error on fd/);
    expect(() => run(p, [close('hasOwnProperty')])).toThrow(/tool error on fd/);
  });
});

describe('fstat', () => {
  it.each(ALL)('of a master: the node it was opened by and the pty index; of a slave: the slave node, also after the master closed (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), fstat('m'), unlockpt('m'), open('/dev/pts/0', { as: 's' }), close('m'), fstat('s')], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.results[1]!)).toMatchObject({ type: 'chr', mode: '0666', rdev: '5:2', fs: 'other', index: 0 });
    expect(okv(r.last)).toMatchObject({ type: 'chr', mode: '0620', gid: 5, rdev: '136:0', index: 0 });
  });

  it.each(ALL)('of a regular file that was renamed and unlinked since: the file itself (%s)', (p) => {
    const r = run(p, [touch('/tmp/f'), open('/tmp/f', { as: 'f' }), rename('/tmp/f', '/tmp/g'), unlink('/tmp/g'), fstat('f')]);
    expect(okv(r.last)).toMatchObject({ type: 'reg', mode: '0644', fs: 'other' });
  });
});

describe('rename and link', () => {
  it.each(ALL)('rename moves a name within a mount; between mounts EXDEV; over a non-empty directory ENOTEMPTY; into itself EINVAL (%s)', (p) => {
    const r = run(p, [touch('/tmp/f'), mkdir('/tmp/d'), mkdir('/tmp/e'), touch('/tmp/d/x'), rename('/tmp/f', '/tmp/e/f'), mkdir('/tmp/m'), mountTmpfs('/tmp/m'),
      rename('/tmp/e/f', '/tmp/m/f'), rename('/tmp/e', '/tmp/d'), rename('/tmp/d', '/tmp/d/y'), rename('/tmp/d', '/tmp/.'), rename('/dev/pts', '/dev/p2')]);
    expect(r.results.slice(4).map(errnoOf)).toEqual(['ok', 'ok', 'ok', 'EXDEV', 'ENOTEMPTY', 'EINVAL', 'EBUSY', 'EBUSY']);
  });

  it.each(ALL)('a hard link is a second name: the file lives while one is left; devpts and directories take none (%s)', (p) => {
    const r = run(p, [touch('/tmp/f'), link('/tmp/f', '/tmp/g'), unlink('/tmp/f'), stat('/tmp/g'), link('/tmp', '/tmp/t'), link('/dev/ptmx', '/dev/pts/x')]);
    expect(r.results.map(errnoOf)).toEqual(['ok', 'ok', 'ok', 'ok', 'EPERM', 'EXDEV']);
  });

  it('6.x protects hard links: a non-owner may link only a file it may read and write (EPERM otherwise)', () => {
    const r = run('6.x', [touch('/tmp/f'), spawn(2), setuid(1000, { pid: 2 }), link('/tmp/f', '/tmp/l', 2), { op: 'chmod', path: '/tmp/f', mode: '0666' }, link('/tmp/f', '/tmp/l', 2)]);
    expect([3, 5].map((i) => errnoOf(r.results[i]!))).toEqual(['EPERM', 'ok']);
  });

  it.each(['2.6.39-y', '3.4-y'] as const)('%s: no protected_hardlinks yet (3.6): a non-owner links any file it can reach', (p) => {
    expect(run(p, [touch('/tmp/f'), spawn(2), setuid(1000, { pid: 2 }), link('/tmp/f', '/tmp/l', 2)]).last).toEqual({ ok: true });
  });

  it.each(ALL)('TIOCGPTPEER on a master opened through a renamed ptmx node looks beside its new name (%s)', (p) => {
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), mkdir('/tmp/x'), rename('/dev/ptmx', '/tmp/x/ptmx'), peer('m')]);
    expect(errnoOf(r.last)).toBe(p === '6.x' ? 'ENOENT' : 'EINVAL');
  });
});

describe('mounts and sysctl reads', () => {
  it.each(ALL)('mounts lists the process\'s mountinfo: targets from its root, devpts options as the kernel prints them (%s)', (p) => {
    const r = run(p, [{ op: 'mounts' }, mkdir('/tmp/c'), { op: 'chroot', path: '/dev' }, { op: 'mounts' }], { devptsOptions: 'gid=5,mode=620' });
    const shown = p === '2.6.39-n' ? 'gid=5,mode=620' : 'gid=5,mode=620,ptmxmode=000';
    expect(okv(r.results[0]!).mounts).toEqual([{ target: '/', fstype: 'tmpfs', fs: 'other' }, { target: '/dev/pts', fstype: 'devpts', fs: expect.any(String), options: shown }]);
    expect(okv(r.last).mounts!.map((m) => m.target)).toEqual(['/pts']);
  });

  it.each(ALL)('kernel.pty.max and .nr read (%s)', (p) => {
    const r = run(p, [read('kernel.pty.max'), open('/dev/ptmx', { as: 'a' }), close('a'), open('/dev/ptmx'), read('kernel.pty.nr'), read('kernel.pty.reserve')]);
    expect(okv(r.results[0]!).value).toBe(4096);
    // 2.6.39: pty_count only grows (code reading); 3.4+: the ptys allocated now
    expect(okv(r.results[4]!).value).toBe(p.startsWith('2.6.39') ? 2 : 1);
    expect(r.last).toEqual(p.startsWith('2.6.39') ? { errno: 'ENOENT' } : { ok: true, value: 1024 });
  });
});
