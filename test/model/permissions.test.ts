// Who may do what: ptmx/slave open permissions, nodev, privileged operations
// (model/ptys.ts openOp, model/paths.ts permits, model/mounts.ts needsAdmin, model/procs.ts).
import { describe, expect, it } from 'vitest';
import {
  ALL, WITH_PTMX_NODE, bind, chmod, errnoOf, indexOf, mkdir, mknodPtmx, mountDevpts, mountTmpfs, okv, open, remount, run, setuid,
  spawn, stat, sysctl, umount, unlockpt, unshare,
} from './helpers.ts';

describe('opening a ptmx needs read/write permission on the opened node [K7]', () => {
  it.each(WITH_PTMX_NODE)('root opens a 0000 /dev/pts/ptmx (CAP_DAC_OVERRIDE) (%s)', (p) => {
    // profiles.md shared: root passes even at mode 0000 (fs/namei.c may_open); live 6.x S3
    expect(indexOf(run(p, [stat('/dev/pts/ptmx'), open('/dev/pts/ptmx')]).last)).toBe(0);
  });

  it.each(WITH_PTMX_NODE)('non-root gets EACCES on a 0000 ptmx node, and opens it after chmod 0666 (%s)', (p) => {
    // profiles.md shared: others get EACCES; live 6.x S3 "chmod"
    const r = run(p, [spawn(2), setuid(1000, { pid: 2 }), open('/dev/pts/ptmx', { pid: 2, note: 'denied' }), chmod('/dev/pts/ptmx', '0666'), open('/dev/pts/ptmx', { pid: 2 })]);
    expect(r.at('denied')).toEqual({ errno: 'EACCES' });
    expect(indexOf(r.last)).toBe(0);
  });

  it.each(ALL)('the mode of /dev/ptmx itself is what counts for /dev/ptmx: 0000 → root ok, others EACCES (%s)', (p) => {
    // may_open checks the opened inode (kernel-code.md §1.11)
    const r = run(p, [open('/dev/ptmx'), setuid(1000), open('/dev/ptmx')], { ptmxMode: '0000' });
    expect(indexOf(r.results[0]!)).toBe(0);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it('6.x: a non-root user reaches a 0000 instance through the 0666 /dev/ptmx (S3)', () => {
    // live 6.x S3: uid 65534 /dev/pts/ptmx → EACCES, /dev/ptmx → succeeds in the same instance
    const r = run('6.x', [setuid(65534), open('/dev/pts/ptmx'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(r.results[1]).toEqual({ errno: 'EACCES' });
    expect(indexOf(r.results[2]!)).toBe(0);
    expect(okv(r.last)).toMatchObject({ uid: 65534, gid: 65534, mode: '0600' });
  });

  it.each(ALL)('a slave node owned by root with mode 0600 cannot be opened by another user: EACCES (%s)', (p) => {
    // may_open on the slave node (generic_permission)
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), setuid(1000), open('/dev/pts/0')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('group read/write bits let group members open a slave (mode=0620 gives only write: EACCES; 0660 works) (%s)', (p) => {
    // generic_permission: group bits for gid members; open O_RDWR needs both
    const a = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), setuid(1000, { gid: 5 }), open('/dev/pts/0')], { devptsOptions: 'gid=5,mode=0620' });
    const b = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), setuid(1000, { gid: 5 }), open('/dev/pts/0')], { devptsOptions: 'gid=5,mode=0660' });
    expect(a.last).toEqual({ errno: 'EACCES' });
    expect(errnoOf(b.last)).toBe('ok');
  });
});

describe('nodev', () => {
  it.each(ALL)('a ptmx node on a nodev mount gives EACCES, even for root (%s)', (p) => {
    // profiles.md shared: a char device on a nodev mount: EACCES (may_open MNT_NODEV); live 6.x S2d "nodev"
    const r = run(p, [mkdir('/tmp/n'), mountTmpfs('/tmp/n', { flags: ['nodev'] }), mkdir('/tmp/n/pts'), mountDevpts('/tmp/n/pts', p === '6.x' ? '' : undefined),
      mknodPtmx('/tmp/n/ptmx'), open('/tmp/n/ptmx')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(WITH_PTMX_NODE)('a devpts mounted nodev: its ptmx and slave nodes give EACCES (%s)', (p) => {
    // may_open: MNT_NODEV is a per-mount flag
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), unlockpt('m'), mkdir('/tmp/a'), bind('/dev/pts', '/tmp/a'), remount('/tmp/a', '', { flags: ['nodev'] }),
      open('/tmp/a/ptmx'), open('/tmp/a/0')]);
    expect(r.results[5]).toEqual({ errno: 'EACCES' });
    expect(r.last).toEqual({ errno: 'EACCES' });
  });
});

describe('privileged operations need uid 0', () => {
  it.each(ALL)('non-root may not mount, remount, umount or bind: EPERM (%s)', (p) => {
    // profiles.md shared: mount, remount, umount need uid 0 (capabilities); otherwise EPERM
    const r = run(p, [mkdir('/tmp/a', { mode: '0777' }), setuid(1000), mountDevpts('/tmp/a'), mountTmpfs('/tmp/a'), remount('/dev/pts'), umount('/dev/pts'),
      umount('/dev/pts', { lazy: true }), bind('/dev/pts', '/tmp/a')]);
    expect(r.results.slice(2).map(errnoOf)).toEqual(['EPERM', 'EPERM', 'EPERM', 'EPERM', 'EPERM', 'EPERM']);
  });

  it.each(ALL)('non-root may not make a new mount namespace (spawn newns, unshare): EPERM (%s)', (p) => {
    // CLONE_NEWNS needs CAP_SYS_ADMIN
    const r = run(p, [setuid(1000), spawn(2, { newns: true }), unshare()]);
    expect(r.results.slice(1).map(errnoOf)).toEqual(['EPERM', 'EPERM']);
  });

  it.each(ALL)('a process that dropped to a non-root uid cannot get root back: EPERM; a plain fork inherits the uid (%s)', (p) => {
    // setresuid without CAP_SETUID
    const r = run(p, [setuid(1000), setuid(0), spawn(2), mountTmpfs('/tmp', { pid: 2 })]);
    expect(r.results[1]).toEqual({ errno: 'EPERM' });
    expect(r.last).toEqual({ errno: 'EPERM' });
  });

  it.each(ALL)('non-root may not mknod: EPERM (%s)', (p) => {
    // vfs_mknod: CAP_MKNOD
    expect(run(p, [setuid(1000), mknodPtmx('/tmp/ptmx')]).last).toEqual({ errno: 'EPERM' });
  });

  it.each(ALL)('non-root may not set the pty sysctls: EACCES (%s)', (p) => {
    // proc_sys_permission: 0644 files need root to write
    expect(run(p, [setuid(1000), sysctl('kernel.pty.max', 1)]).last).toEqual({ errno: 'EACCES' });
  });
});
