// Pty lifetime: indices, slave nodes, lock, close, exit (model/ptys.ts) [I1, K6].
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../model/index.ts';
import {
  ALL, WITH_PTMX_NODE, close, errnoOf, exit, indexOf, mkdir, mountDevpts, okv, open, opens, readdir, run, setuid, spawn, stat, unlockpt,
} from './helpers.ts';

describe('indices', () => {
  it.each(ALL)('a new pty gets the lowest free index (S4a) (%s)', (p) => {
    // profiles.md shared: own index allocator (lowest free index, from 0); live 6.x S4a; I1
    const r = run(p, [...opens('/dev/ptmx', 3), close('m1'), open('/dev/ptmx'), close('m0'), open('/dev/ptmx'), open('/dev/ptmx')]);
    expect([4, 6, 7].map((i) => indexOf(r.results[i]!))).toEqual([1, 0, 3]);
  });

  it.each(WITH_PTMX_NODE)('indices of different instances are independent [D1] (%s)', (p) => {
    // profiles.md shared: each instance has its own index allocator
    const r = run(p, [...opens('/dev/pts/ptmx', 2), mkdir('/tmp/a'), mountDevpts('/tmp/a', p === '6.x' ? '' : 'newinstance'),
      open('/tmp/a/ptmx'), readdir('/dev/pts'), readdir('/tmp/a')]);
    expect(indexOf(r.results[4]!)).toBe(0);
    expect(okv(r.results[5]).entries).toEqual(['0', '1', 'ptmx']);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });
});

describe('slave node lifetime [K6]', () => {
  it.each(ALL)('the slave name disappears at master close, but the index is held until the slave closes too (%s)', (p) => {
    // profiles.md shared: it disappears when the master closes, even if the slave is still open; the index is
    // freed only when both ends are closed (devpts_pty_kill, tty_release 2.6.39; live 6.x S4b)
    const r = run(p, [
      open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), close('m'),
      stat('/dev/pts/0', { note: 'gone' }), readdir('/dev/pts', { note: 'listing' }),
      open('/dev/ptmx', { as: 'm2', note: 'held' }), close('s'), open('/dev/ptmx', { as: 'm3', note: 'freed' }),
    ]);
    expect(r.at('gone')).toEqual({ errno: 'ENOENT' });
    expect(okv(r.at('listing')).entries).not.toContain('0');
    expect(indexOf(r.at('held'))).toBe(1);
    expect(indexOf(r.at('freed'))).toBe(0);
  });

  it.each(ALL)('a slave node appears at master open: listing = ptmx node (if any) + open masters [I2] (%s)', (p) => {
    // profiles.md shared: a slave node /dev/pts/N appears when a master is opened
    const r = run(p, [...opens('/dev/ptmx', 2), readdir('/dev/pts'), stat('/dev/pts/1')]);
    expect(okv(r.results[2]).entries).toEqual(p === '2.6.39-n' ? ['0', '1'] : ['0', '1', 'ptmx']);
    expect(okv(r.last)).toMatchObject({ type: 'chr', rdev: '136:1' });
  });

  it.each(ALL)('without uid=/gid= the slave belongs to the opener; mode from mode= (default 0600) (%s)', (p) => {
    // profiles.md shared: owner from the options or the opener (fsuid/fsgid); live 6.x S4d
    const r = run(p, [setuid(1000, { gid: 1001 }), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last)).toMatchObject({ uid: 1000, gid: 1001, mode: '0600' });
  });

  it.each(ALL)('uid=/gid=/mode= set the owner and mode of new slaves whoever opens (%s)', (p) => {
    // devpts_pty_new; live 6.x S4d "c0620 1000:5, also when opened by uid 65534"
    const r = run(p, [setuid(65534), open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'mode=0620,gid=5,uid=1000' });
    expect(okv(r.last)).toMatchObject({ uid: 1000, gid: 5, mode: '0620' });
  });

  it.each(ALL)('mode=0 gives c0000 slaves (%s)', (p) => {
    // live 6.x S4d "mode=0 → c0000"
    expect(okv(run(p, [open('/dev/ptmx'), stat('/dev/pts/0')], { devptsOptions: 'mode=0' }).last).mode).toBe('0000');
  });

  it.each(ALL)('opening a slave after its master closed fails: its name is gone (%s)', (p) => {
    // pty_open EIO for TTY_OTHER_CLOSED; by path the node is already gone (ENOENT)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), close('m'), open('/dev/pts/0')]);
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it.each(ALL)('a slave may be opened several times at once (%s)', (p) => {
    // LTP pty01 test4 / pty09 (kernel-code.md §4.2)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0'), open('/dev/pts/0'), open('/dev/pts/0')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('lock', () => {
  it.each(ALL)('opening a locked slave gives EIO; after unlockpt it works (%s)', (p) => {
    // profiles.md shared: opening a slave while the pty is locked (before unlockpt): EIO (pty_open); live 6.x S4c
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), open('/dev/pts/0'), unlockpt('m'), open('/dev/pts/0')]);
    expect(r.results[1]).toEqual({ errno: 'EIO' });
    expect(okv(r.last).fd).toBe('fd2'); // named handles count too (operations.md)
  });

  it.each(ALL)('unlockpt on a slave or a plain file is ENOTTY (%s)', (p) => {
    // TIOCSPTLCK is a ptmx ioctl; other files: ENOTTY
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), unlockpt('s'), { op: 'touch', path: '/tmp/f' }, open('/tmp/f', { as: 'f' }), unlockpt('f')]);
    expect(r.results[3]).toEqual({ errno: 'ENOTTY' });
    expect(r.last).toEqual({ errno: 'ENOTTY' });
  });

  it.each(ALL)('each new pty starts locked, even at a reused index (%s)', (p) => {
    // ptmx_open sets TTY_PTY_LOCK on every new pty
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), close('m'), open('/dev/ptmx', { as: 'm2' }), open('/dev/pts/0')]);
    expect(r.last).toEqual({ errno: 'EIO' });
  });
});

describe('exit', () => {
  it.each(ALL)('exit closes every handle of the process: its ptys go away (%s)', (p) => {
    // exit: all handles closed (operations.md)
    const r = run(p, [spawn(2), open('/dev/ptmx', { pid: 2 }), open('/dev/ptmx', { pid: 2 }), exit(2), readdir('/dev/pts'), open('/dev/ptmx')]);
    expect(okv(r.results[4]).entries).toEqual(p === '2.6.39-n' ? [] : ['ptmx']);
    expect(indexOf(r.last)).toBe(0);
  });

  it.each(ALL)('a handle belongs to its process: another process cannot use it (tool error) (%s)', (p) => {
    // operations.md "Errors of the tool itself": an unknown handle
    expect(() => run(p, [spawn(2), open('/dev/ptmx', { as: 'm' }), close('m', 2)])).toThrow(/tool error on fd/);
  });
});

describe('a bind mount of a slave node that outlives its master', () => {
  it.each(ALL)('opening it after the master closed gives EIO (and the model does not crash) (%s)', (p) => {
    // profiles.md shared: opening a slave after the master closed: EIO (pty_open; 6.x pts_unix98_lookup:
    // devpts_pty_kill cleared d_fsdata). Only a bind (e.g. LXC's /dev/console) still reaches the inode.
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), { op: 'touch', path: '/tmp/console' }, { op: 'bind', source: '/dev/pts/0', target: '/tmp/console' },
      open('/tmp/console', { as: 's', note: 'alive' }), close('s'), close('m'), open('/tmp/console', { note: 'dead' })]);
    expect(errnoOf(r.at('alive'))).toBe('ok');
    expect(r.at('dead')).toEqual({ errno: 'EIO' });
  });

  // live 6.18 (kernel/live-observations.md, "slave node bound elsewhere"): devpts_pty_kill drops the
  // node's name and nlink; the inode lives on in the bind
  const bound = [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), { op: 'touch', path: '/tmp/x' } as const,
    { op: 'bind', source: '/dev/pts/0', target: '/tmp/x' } as const, close('m')];

  it.each(ALL)('stat of the bound dead slave inode succeeds with its last attributes (%s)', (p) => {
    const r = run(p, [...bound, { op: 'chmod', path: '/tmp/x', mode: '0644' }, { op: 'stat', path: '/tmp/x' }, { op: 'stat', path: '/dev/pts/0' }]);
    expect(r.results[6]).toMatchObject({ ok: true, type: 'chr', mode: '0644', rdev: '136:0' });
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it.each(ALL)('umount of that bind works, and afterwards a read-only remount of the instance does too (%s)', (p) => {
    const r = run(p, [...bound, { op: 'remount', target: '/dev/pts', flags: ['ro'] }, { op: 'umount', target: '/tmp/x' }, { op: 'remount', target: '/dev/pts', flags: ['ro'] }]);
    // while the dead inode lives, s_remove_count is not zero: EBUSY (sb_prepare_remount_readonly,
    // 3.4 on); 2.6.39's fs_may_remount_ro counts open files only (QEMU 2.6.39.4: ok)
    expect(r.results.slice(5).map(errnoOf)).toEqual(profileOf(p).removeCount ? ['EBUSY', 'ok', 'ok'] : ['ok', 'ok', 'ok']);
  });

  it.each(ALL)('after the index is reused, the bind still holds the dead inode: the new pty is another node (%s)', (p) => {
    const r = run(p, [...bound, open('/dev/ptmx', { as: 'n' }), unlockpt('n'), open('/tmp/x'), open('/dev/pts/0'), readdir('/dev/pts')]);
    expect(indexOf(r.results[5]!)).toBe(0);
    expect(r.results[7]).toEqual({ errno: 'EIO' });
    expect(errnoOf(r.results[8]!)).toBe('ok');
  });

  it.each(ALL)('a mount on top of a slave node is not on the node a new pty gets at that index (%s)', (p) => {
    // live 6.18: bind a file on /dev/pts/0, close the master: /dev/pts/0 is ENOENT, the
    // instance cannot go read-only; the next pty 0 is a plain slave node again
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), { op: 'touch', path: '/tmp/f' }, { op: 'bind', source: '/tmp/f', target: '/dev/pts/0' },
      { op: 'stat', path: '/dev/pts/0', note: 'covered' }, close('m'), { op: 'stat', path: '/dev/pts/0', note: 'gone' },
      { op: 'remount', target: '/dev/pts', flags: ['ro'], note: 'busy' }, open('/dev/ptmx', { as: 'n' }), unlockpt('n'), { op: 'stat', path: '/dev/pts/0', note: 'new' }]);
    expect(r.at('covered')).toMatchObject({ ok: true, type: 'reg' });
    expect(r.at('gone')).toEqual({ errno: 'ENOENT' });
    expect(r.at('busy')).toEqual(profileOf(p).removeCount ? { errno: 'EBUSY' } : { ok: true });
    if (profileOf(p).removeCount) expect(r.at('new')).toMatchObject({ ok: true, type: 'chr', rdev: '136:0' });
  });
});
