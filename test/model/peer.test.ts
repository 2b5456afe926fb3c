// TIOCGPTPEER (model/ptys.ts peerOp, devptsMntget): EINVAL before 4.13; 6.x finds the slave
// through the mount the master was opened on. Sources: profiles.md 6.x; kernel-code.md §3.6, §4.1; live 6.x.
import { describe, expect, it } from 'vitest';
import {
  LEGACY, bind, close, errnoOf, indexOf, mkdir, mountDevpts, okv, open, peer, readdir, run, stat, touch, umount, unlockpt,
} from './helpers.ts';

describe('TIOCGPTPEER', () => {
  it.each(LEGACY)('does not exist before 4.13: peer fails with EINVAL (%s)', (p) => {
    // profiles.md 2.6.39-y: TIOCGPTPEER does not exist yet: peer fails with EINVAL (unknown ioctl)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), peer('m')]);
    expect(r.last).toEqual({ errno: 'EINVAL' });
  });

  it('opens the slave of an unlocked master; it counts as a slave open (6.x)', () => {
    // ptm_open_peer (KPTY); the index is held until both ends close (K6)
    const r = run('6.x', [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), peer('m', { as: 's' }), close('m'), open('/dev/ptmx', { note: 'next' })]);
    expect(r.results[2]).toEqual({ ok: true, fd: 's' });
    expect(indexOf(r.at('next'))).toBe(1);
  });

  it('gives EIO while the pty is locked (6.x)', () => {
    // profiles.md 6.x: a locked pty gives EIO (pty_open via dentry_open); live 6.x S4c
    expect(run('6.x', [open('/dev/ptmx', { as: 'm' }), peer('m')]).last).toEqual({ errno: 'EIO' });
  });

  it('on a slave handle it is EIO (tty->driver != ptm_driver) (6.x)', () => {
    // ptm_open_peer: if (tty->driver != ptm_driver) return -EIO
    const r = run('6.x', [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), open('/dev/pts/0', { as: 's' }), peer('s')]);
    expect(r.last).toEqual({ errno: 'EIO' });
  });

  it('master via /dev/ptmx: ENODEV after umount of /dev/pts (the umount itself succeeds) (6.x)', () => {
    // profiles.md 6.x: any other master looks up the sibling pts again at call time; live 6.x S5a
    const r = run('6.x', [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), umount('/dev/pts'), peer('m')]);
    expect(r.results[2]).toEqual({ ok: true });
    expect(r.last).toEqual({ errno: 'ENODEV' });
  });

  it('master via /dev/pts/ptmx: umount is EBUSY, a lazy umount works and peer still works (6.x)', () => {
    // profiles.md 6.x: a master opened through the devpts mount itself keeps working after a lazy umount; live 6.x S5b
    const r = run('6.x', [open('/dev/pts/ptmx', { as: 'm' }), unlockpt('m'), umount('/dev/pts'), umount('/dev/pts', { lazy: true }), peer('m')]);
    expect(r.results[2]).toEqual({ errno: 'EBUSY' });
    expect(r.results[3]).toEqual({ ok: true });
    expect(okv(r.last).fd).toBe('fd2');
  });

  it('master via a bind of another instance\'s ptmx onto /dev/ptmx: allocation there, peer ENODEV [K9] (6.x)', () => {
    // profiles.md 6.x: ENODEV for a bind of another instance's ptmx; live 6.x S2f "Cross-instance bind"
    const r = run('6.x', [mkdir('/tmp/other'), mountDevpts('/tmp/other', 'ptmxmode=0666'), bind('/tmp/other/ptmx', '/dev/ptmx'),
      open('/dev/ptmx', { as: 'm' }), unlockpt('m'), readdir('/tmp/other'), readdir('/dev/pts'), peer('m')]);
    expect(indexOf(r.results[3]!)).toBe(0);
    expect(okv(r.results[5]).entries).toEqual(['0', 'ptmx']);
    expect(okv(r.results[6]).entries).toEqual(['ptmx']);
    expect(r.last).toEqual({ errno: 'ENODEV' });
  });

  it('master via a bind of /dev/pts/ptmx onto /tmp/x: the open works, peer gives ENOENT (no /tmp/pts) (6.x)', () => {
    // kernel selftest devpts_pts.c verify_invalid_ptmx_bind_mount (kernel-code.md §4.1: ENOENT, INFERRED)
    const r = run('6.x', [touch('/tmp/x'), bind('/dev/pts/ptmx', '/tmp/x'), open('/tmp/x', { as: 'm' }), unlockpt('m'), peer('m')]);
    expect(indexOf(r.results[2]!)).toBe(0);
    expect(r.last).toEqual({ errno: 'ENOENT' });
  });

  it('master via a bind of /dev/pts/ptmx onto /dev/ptmx: peer works (walk up to /dev, sibling pts) (6.x)', () => {
    // kernel selftest verify_ptmx_bind_mount; kernel-code.md §3.6
    const r = run('6.x', [bind('/dev/pts/ptmx', '/dev/ptmx'), open('/dev/ptmx', { as: 'm' }), unlockpt('m'), peer('m')]);
    expect(okv(r.last).fd).toBe('fd2');
  });

  it('ENODEV while the instance is covered by a newer mount, works again after the cover is unmounted (6.x)', () => {
    // profiles.md 6.x: ENODEV "under a newer mount on top"; live 6.x S5f
    const r = run('6.x', [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), mountDevpts('/dev/pts'), peer('m', { note: 'covered' }),
      umount('/dev/pts'), peer('m', { note: 'uncovered' })]);
    expect(r.at('covered')).toEqual({ errno: 'ENODEV' });
    expect(okv(r.at('uncovered')).fd).toBe('fd2');
  });

  it('a master via a mknod\'ed ptmx next to a devpts: after that devpts is unmounted, peer gives ENODEV (6.x)', () => {
    // profiles.md 6.x: any other master looks up the sibling pts again at call time; ENODEV when it is not the master's instance
    const r = run('6.x', [mkdir('/tmp/d'), mkdir('/tmp/d/pts'), mountDevpts('/tmp/d/pts', 'ptmxmode=0666'), { op: 'mknod', path: '/tmp/d/ptmx', major: 5, minor: 2 },
      open('/tmp/d/ptmx', { as: 'm' }), unlockpt('m'), umount('/tmp/d/pts'), peer('m', { note: 'plain dir' })]);
    expect(r.at('plain dir')).toEqual({ errno: 'ENODEV' });
  });

  it('a devpts mounted somewhere else works through its own ptmx (6.x)', () => {
    // kernel selftest verify_non_standard_devpts_mount
    const r = run('6.x', [umount('/dev/pts'), mkdir('/tmp/fs'), mountDevpts('/tmp/fs', 'newinstance,ptmxmode=0666,mode=0620,gid=5', { flags: ['nosuid', 'noexec'] }),
      open('/tmp/fs/ptmx', { as: 'm' }), unlockpt('m'), peer('m'), stat('/tmp/fs/0')]);
    expect(okv(r.results[5]).fd).toBe('fd2');
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 5 });
  });

  it('a peer-opened slave pins the mount it was found through (6.x)', () => {
    // devpts_mntget returns the vfsmount the slave file is opened on (ptm_open_peer), so umount is EBUSY
    const r = run('6.x', [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), peer('m', { as: 's' }), umount('/dev/pts', { note: 'busy' }), close('s'), umount('/dev/pts')]);
    expect(r.at('busy')).toEqual({ errno: 'EBUSY' });
    expect(errnoOf(r.last)).toBe('ok');
  });

  it('peer via a lazily detached bind of its own instance\'s ptmx still works (walk-up stops at a detached mount) (6.x)', () => {
    // devpts_mntget: follow_up fails on a detached mount; its sb is the master's instance
    const r = run('6.x', [bind('/dev/pts/ptmx', '/dev/ptmx'), open('/dev/ptmx', { as: 'm' }), unlockpt('m'), umount('/dev/ptmx', { lazy: true }), peer('m')]);
    expect(okv(r.last).fd).toBe('fd2');
  });
});
