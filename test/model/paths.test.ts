// Path resolution (model/paths.ts): symlinks, ELOOP, "..", mount crossing, search permission.
import { describe, expect, it } from 'vitest';
import { ALL, bind, errnoOf, mkdir, mountTmpfs, okv, open, readdir, run, setuid, stat, symlink, touch } from './helpers.ts';

const chain = (n: number, end: string) =>
  // /tmp/l1 → /tmp/l2 → … → /tmp/ln → end
  Array.from({ length: n }, (_, i) => symlink(i === n - 1 ? end : `/tmp/l${i + 2}`, `/tmp/l${i + 1}`));

describe('symlinks', () => {
  it.each(ALL)('40 symlink hops resolve; the 41st gives ELOOP (%s)', (p) => {
    // MAXSYMLINKS 40 (include/linux/namei.h)
    const r = run(p, [touch('/tmp/f'), ...chain(41, '/tmp/f'), stat('/tmp/l2', { note: '40' }), stat('/tmp/l1', { note: '41' })]);
    expect(okv(r.at('40')).type).toBe('reg');
    expect(r.at('41')).toEqual({ errno: 'ELOOP' });
  });

  it.each(ALL)('a symlink to itself gives ELOOP (%s)', (p) => {
    // MAXSYMLINKS (include/linux/namei.h)
    expect(run(p, [symlink('/tmp/s', '/tmp/s'), open('/tmp/s')]).last).toEqual({ errno: 'ELOOP' });
  });

  it.each(ALL)('a relative symlink resolves from the directory holding it; an absolute one from the namespace root (%s)', (p) => {
    // operations.md: paths follow symlinks; fs/namei.c pick_link (relative to the link's directory)
    const r = run(p, [symlink('pts/ptmx', '/dev/rel'), symlink('/dev/ptmx', '/tmp/abs'), stat('/dev/rel'), stat('/tmp/abs')]);
    expect(errnoOf(r.results[2]!)).toBe(p === '2.6.39-n' ? 'ENOENT' : 'ok');
    expect(okv(r.last).rdev).toBe('5:2');
  });

  it.each(ALL)('stat nofollow shows the link itself (lstat) (%s)', (p) => {
    // operations.md: stat with nofollow is lstat
    const r = run(p, [symlink('/dev/ptmx', '/tmp/l'), stat('/tmp/l', { nofollow: true })]);
    expect(okv(r.last)).toMatchObject({ type: 'lnk', fs: 'other' });
  });

  it.each(ALL)('a symlink in the middle of a path is followed (%s)', (p) => {
    // fs/namei.c link_path_walk follows intermediate symlinks
    const r = run(p, [symlink('/dev', '/tmp/d'), stat('/tmp/d/ptmx')]);
    expect(okv(r.last).rdev).toBe('5:2');
  });

  it.each(ALL)('a dangling symlink gives ENOENT (%s)', (p) => {
    // fs/namei.c: the target does not exist
    expect(run(p, [symlink('/nowhere', '/tmp/d'), open('/tmp/d')]).last).toEqual({ errno: 'ENOENT' });
  });
});

describe('components and mounts', () => {
  it.each(ALL)('".." leaves a mount the way it came (%s)', (p) => {
    // follow_dotdot: from a mount root to the mountpoint's parent
    const r = run(p, [mkdir('/tmp/b'), bind('/dev/pts', '/tmp/b'), readdir('/tmp/b/..'), stat('/dev/pts/..')]);
    expect(okv(r.results[2]).entries).toEqual(['b']);
    expect(okv(r.last)).toMatchObject({ type: 'dir', fs: 'other' });
  });

  it.each(ALL)('"." and repeated slashes are harmless (%s)', (p) => {
    // fs/namei.c link_path_walk: empty components and "." are skipped
    expect(okv(run(p, [stat('//dev/./ptmx')]).last).rdev).toBe('5:2');
  });

  it.each(ALL)('a path through a file is ENOTDIR (%s)', (p) => {
    // fs/namei.c: a non-directory in the middle of a path
    expect(run(p, [stat('/dev/ptmx/x')]).last).toEqual({ errno: 'ENOTDIR' });
  });

  it.each(ALL)('a missing component is ENOENT (%s)', (p) => {
    // fs/namei.c walk_component
    expect(run(p, [stat('/tmp/no/such')]).last).toEqual({ errno: 'ENOENT' });
  });

  it.each(ALL)('path walks land on the topmost of stacked mounts (%s)', (p) => {
    // follow_down to the topmost mount
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), touch('/tmp/t/one'), mountTmpfs('/tmp/t'), readdir('/tmp/t')]);
    expect(okv(r.last).entries).toEqual([]);
  });

  it.each(ALL)('walking through a directory needs search (x) permission: EACCES (%s)', (p) => {
    // generic_permission MAY_EXEC on each directory
    const r = run(p, [mkdir('/tmp/p', { mode: '0700' }), touch('/tmp/p/f'), setuid(1000), stat('/tmp/p/f')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('readdir needs read permission on the directory: EACCES (%s)', (p) => {
    // iterate_dir: MAY_READ on the directory (generic_permission)
    const r = run(p, [mkdir('/tmp/p', { mode: '0711' }), setuid(1000), readdir('/tmp/p')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('readdir of a file is ENOTDIR (%s)', (p) => {
    // getdents on a non-directory: ENOTDIR
    expect(run(p, [readdir('/dev/ptmx')]).last).toEqual({ errno: 'ENOTDIR' });
  });
});
