// umount, bind and mount namespaces (model/mounts.ts) [K10].
import { describe, expect, it } from 'vitest';
import {
  ALL, CONFIG_Y, LEGACY, WITH_PTMX_NODE, bind, close, errnoOf, exit, indexOf, mkdir, mountDevpts, mountTmpfs, okv, open, readdir, run, spawn, stat,
  touch, umount, unlockpt, unshare,
} from './helpers.ts';

const NEW = (p: string) => (p === '6.x' ? '' : 'newinstance');

describe('umount: EBUSY only for files opened through that mount [K10]', () => {
  it.each(ALL)('a master opened via /dev/ptmx does not pin /dev/pts: umount succeeds (%s)', (p) => {
    // profiles.md shared: a master opened through a ptmx outside that mount does not pin it (do_umount; live 6.x S5a)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), umount('/dev/pts'), readdir('/dev/pts')]);
    expect(r.results[1]).toEqual({ ok: true });
    expect(okv(r.last).entries).toEqual([]);
  });

  it.each(WITH_PTMX_NODE)('a master opened via /dev/pts/ptmx pins /dev/pts: EBUSY; a lazy umount works (%s)', (p) => {
    // profiles.md shared: umount of a mount that has an open file on it: EBUSY (lazy always works); live 6.x S5b
    const r = run(p, [open('/dev/pts/ptmx', { as: 'm' }), umount('/dev/pts'), umount('/dev/pts', { lazy: true }), stat('/dev/pts')]);
    expect(r.results[1]).toEqual({ errno: 'EBUSY' });
    expect(r.results[2]).toEqual({ ok: true });
    expect(okv(r.last).fs).toBe('other');
  });

  it.each(ALL)('a slave opened by path pins /dev/pts: EBUSY until it is closed (%s)', (p) => {
    // live 6.x S5c
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), umount('/dev/pts', { note: 'busy' }), close('s'), umount('/dev/pts')]);
    expect(r.at('busy')).toEqual({ errno: 'EBUSY' });
    expect(r.last).toEqual({ ok: true });
  });

  it.each(LEGACY)('the pty of a master opened via /dev/ptmx survives the umount: its index stays taken (%s)', (p) => {
    // K10; the initial instance never dies (kernel-code.md §1.9, §1.10): a later plain mount shows it again
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), umount('/dev/pts'), stat('/dev/pts/0'), mkdir('/tmp/a'), mountDevpts('/tmp/a'),
      open('/dev/ptmx'), readdir('/tmp/a')]);
    expect(r.results[2]).toEqual({ errno: 'ENOENT' });
    expect(indexOf(r.results[5]!)).toBe(1);
    expect(okv(r.last).entries).toContain('0');
  });

  it('6.x: the pty of a master opened via /dev/ptmx keeps its unmounted instance alive, unreachable by path', () => {
    // K10; devpts_acquire takes s_active per pty (kernel-code.md §3.4); live 6.x S5a: TIOCGPTN still 0, peer ENODEV
    const r = run('6.x', [stat('/dev/pts'), open('/dev/ptmx', { as: 'm' }), unlockpt('m'), umount('/dev/pts'), { op: 'peer', fd: 'm' }]);
    const fs = okv(r.results[0]).fs!;
    expect(r.last).toEqual({ errno: 'ENODEV' });
    const inst = r.state.fss[fs];
    expect(inst?.kind === 'devpts' && Object.keys(inst.ptys)).toEqual(['0']);
  });

  it.each(ALL)('a lazy umount always works, even with files open through the mount (%s)', (p) => {
    // profiles.md shared: lazy always works (MNT_DETACH, do_umount)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0'), umount('/dev/pts', { lazy: true })]);
    expect(r.last).toEqual({ ok: true });
  });

  it.each(ALL)('a mount with a submount is EBUSY (non-lazy) (%s)', (p) => {
    // do_umount / propagate_mount_busy: child mounts pin it
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), mkdir('/tmp/t/x'), mountTmpfs('/tmp/t/x'), umount('/tmp/t'), umount('/tmp/t', { lazy: true }), stat('/tmp/t/x')]);
    expect(r.results[4]).toEqual({ errno: 'EBUSY' });
    expect(r.results[5]).toEqual({ ok: true });
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it.each(ALL)('umount of a path that is not a mount point is EINVAL (%s)', (p) => {
    // live 6.x S2b "A 3rd umount → EINVAL"
    expect(run(p, [umount('/tmp')]).last).toEqual({ errno: 'EINVAL' });
    expect(run(p, [umount('/dev/pts'), umount('/dev/pts')]).last).toEqual({ errno: 'EINVAL' });
  });

  it.each(WITH_PTMX_NODE)('a master open via a bind of /dev/pts/ptmx pins the bind, not /dev/pts (%s)', (p) => {
    // kernel-code.md §1.10: a master opened through a bind-mounted /dev/ptmx holds the bind mount; live 6.x S8
    const r = run(p, [bind('/dev/pts/ptmx', '/dev/ptmx'), open('/dev/ptmx', { as: 'm' }), umount('/dev/pts'), umount('/dev/ptmx')]);
    expect(r.results[2]).toEqual({ ok: true });
    expect(r.last).toEqual({ errno: 'EBUSY' });
  });

  it.each(ALL)('a bind mount of a file (or directory) onto the other kind is ENOTDIR (%s)', (p) => {
    // graft_tree: a directory goes only onto a directory, a file only onto a file
    const r = run(p, [touch('/tmp/f'), bind('/dev/pts', '/tmp/f'), bind('/tmp/f', '/dev/pts')]);
    expect(r.results.slice(1).map(errnoOf)).toEqual(['ENOTDIR', 'ENOTDIR']);
  });
});

describe('mount namespaces', () => {
  it.each(ALL)('a child copy without its own mount allocates in, and is seen by, the parent\'s instance (%s)', (p) => {
    // profiles.md shared: a copy shares instances with its parent; live 6.x S6, S6c
    const r = run(p, [spawn(2, { newns: true }), open('/dev/ptmx', { pid: 2 }), readdir('/dev/pts'), stat('/dev/pts'), stat('/dev/pts', { pid: 2 })]);
    expect(indexOf(r.results[1]!)).toBe(0);
    expect(okv(r.results[2]).entries).toContain('0');
    expect(okv(r.results[3]).fs).toBe(okv(r.last).fs);
  });

  it.each(ALL)('a nested child copy that does not mount still allocates in the parent\'s instance (%s)', (p) => {
    // live 6.x S6c: a nested child that does not mount allocates index 1 in the parent's instance
    const r = run(p, [open('/dev/ptmx'), spawn(2, { newns: true }), spawn(3, { pid: 2, newns: true }), open('/dev/ptmx', { pid: 3 }), readdir('/dev/pts')]);
    expect(indexOf(r.results[3]!)).toBe(1);
    expect(okv(r.last).entries).toContain('1');
  });

  it.each(ALL)('a new mount in a private copy is invisible to the parent (%s)', (p) => {
    // profiles.md shared: a new mount in a private copy is invisible to the parent (CLONE_NEWNS private propagation)
    const r = run(p, [stat('/dev/pts'), spawn(2, { newns: true }), mountTmpfs('/dev/pts', { pid: 2 }), stat('/dev/pts', { pid: 2 }), stat('/dev/pts')]);
    expect(okv(r.results[3]).fs).toBe('other');
    expect(okv(r.last).fs).toBe(okv(r.results[0]).fs);
  });

  it.each([...CONFIG_Y, '6.x'] as const)('a new devpts instance in a child is invisible to the parent: its ptys do not show [D8, U7] (%s)', (p) => {
    // live 6.x S6: child mount → new instance at index 0; the parent sees no mount and no node
    const r = run(p, [open('/dev/ptmx'), spawn(2, { newns: true }), mountDevpts('/dev/pts', NEW(p), { pid: 2 }),
      open('/dev/pts/ptmx', { pid: 2 }), readdir('/dev/pts'), stat('/dev/pts'), stat('/dev/pts', { pid: 2 })]);
    expect(indexOf(r.results[3]!)).toBe(0);
    expect(okv(r.results[4]).entries).toEqual(['0', 'ptmx']);   // only the parent's own pty 0
    expect(okv(r.results[5]).fs).not.toBe(okv(r.last).fs);
  });

  it.each(LEGACY)('a child\'s plain devpts mount is the same instance: its ptys show in the parent (D2, D4) (%s)', (p) => {
    // profiles.md 2.6.39-n/-y: without newinstance the mount attaches the single/initial instance
    const r = run(p, [spawn(2, { newns: true }), mountDevpts('/dev/pts', undefined, { pid: 2 }), open('/dev/ptmx', { pid: 2 }), readdir('/dev/pts')]);
    expect(okv(r.last).entries).toContain('0');
  });

  it.each(ALL)('unshare moves the caller to a private copy; its open files stay valid (%s)', (p) => {
    // unshare(CLONE_NEWNS): open files are not affected
    const r = run(p, [spawn(2), open('/dev/ptmx', { pid: 2, as: 'm' }), unshare(2), mountTmpfs('/dev/pts', { pid: 2 }), unlockpt('m', 2), stat('/dev/pts'), stat('/dev/pts/0')]);
    expect(r.results[4]).toEqual({ ok: true });
    expect(okv(r.results[5]).fs).not.toBe('other');
    expect(okv(r.last).rdev).toBe('136:0');
  });

  it.each(ALL)('a plain spawn shares the parent\'s namespace: its mounts are seen by the parent (%s)', (p) => {
    // fork without CLONE_NEWNS
    const r = run(p, [spawn(2), mountTmpfs('/dev/pts', { pid: 2 }), stat('/dev/pts')]);
    expect(okv(r.last).fs).toBe('other');
  });

  it('6.x: when the last process of a namespace exits, its devpts instance goes away', () => {
    // model/mounts.ts collect: namespaces without processes are dropped, then unmounted empty instances
    const r = run('6.x', [spawn(2, { newns: true }), mountDevpts('/dev/pts', '', { pid: 2 })]);
    const after = run('6.x', [spawn(2, { newns: true }), mountDevpts('/dev/pts', '', { pid: 2 }), exit(2)]);
    const devpts = (s: typeof r.state) => Object.values(s.fss).filter((f) => f.kind === 'devpts').length;
    expect(devpts(r.state)).toBe(2);
    expect(devpts(after.state)).toBe(1);
  });
});
