// Ordinary file operations and what devpts allows inside it (model/files.ts).
// Sources: profiles.md shared ("Inside a devpts instance ..."); live 6.x S4h, S4h/S7.
import { describe, expect, it } from 'vitest';
import {
  ALL, WITH_PTMX_NODE, bind, chmod, chown, close, errnoOf, mkdir, mountDevpts, mountTmpfs, okv, open, readdir, remount, run, setuid, spawn,
  stat, symlink, touch, unlink, unlockpt,
} from './helpers.ts';

describe('inside devpts: no names are created or removed', () => {
  it.each(ALL)('mknod (c 5:2, c 136:7), mkdir, symlink in devpts fail with EPERM (%s)', (p) => {
    // profiles.md shared: inside a devpts instance mknod/mkdir/symlink/unlink/rename fail with EPERM (live 6.x S4h)
    const r = run(p, [
      { op: 'mknod', path: '/dev/pts/newptmx', major: 5, minor: 2 }, { op: 'mknod', path: '/dev/pts/7', major: 136, minor: 7 },
      mkdir('/dev/pts/d'), symlink('ptmx', '/dev/pts/l'),
    ]);
    expect(r.results.map(errnoOf)).toEqual(['EPERM', 'EPERM', 'EPERM', 'EPERM']);
  });

  it.each(ALL)('unlink of a slave node is EPERM (%s)', (p) => {
    // simple_dir_inode_operations has no unlink (live 6.x S4h "unlink (0, ptmx)")
    expect(run(p, [open('/dev/ptmx'), unlink('/dev/pts/0')]).last).toEqual({ errno: 'EPERM' });
  });

  it.each(WITH_PTMX_NODE)('unlink of /dev/pts/ptmx is EPERM (%s)', (p) => {
    // live 6.x S4h
    expect(run(p, [unlink('/dev/pts/ptmx')]).last).toEqual({ errno: 'EPERM' });
  });

  it.each(ALL)('creating a file with O_CREAT (touch) in devpts is EACCES (%s)', (p) => {
    // live 6.x S4h: O_CREAT → EACCES (no ->create: lookup_open)
    expect(run(p, [touch('/dev/pts/newfile')]).last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('making a name that exists in devpts is EEXIST (before EPERM) (%s)', (p) => {
    // filename_create: EEXIST first
    expect(run(p, [open('/dev/ptmx'), mkdir('/dev/pts/0')]).last).toEqual({ errno: 'EEXIST' });
  });

  it.each(ALL)('non-root mknod inside devpts is EACCES: the root directory (0755 root) refuses the name before CAP_MKNOD is asked (%s)', (p) => {
    // vfs_mknod: may_create, then CAP_MKNOD (2.6.39 and 6.x alike; live 6.18: non-root mknod in an
    // unwritable directory is EACCES, in a writable one EPERM)
    expect(run(p, [setuid(1000), { op: 'mknod', path: '/dev/pts/x', major: 5, minor: 2 }]).last).toEqual({ errno: 'EACCES' });
    expect(run(p, [setuid(1000), { op: 'mknod', path: '/tmp/x', major: 5, minor: 2 }]).last).toEqual({ errno: 'EPERM' });
  });
});

describe('inside devpts: chmod and chown of nodes work', () => {
  it.each(ALL)('chmod and chown of a slave node work (%s)', (p) => {
    // profiles.md shared: chmod/chown of nodes work (live 6.x S4h "chmod 0666 and chown 1000:5 on 0 succeed")
    const r = run(p, [open('/dev/ptmx'), chmod('/dev/pts/0', '0666'), chown('/dev/pts/0', 1000, 5), stat('/dev/pts/0')]);
    expect(r.results.slice(1, 3).map(errnoOf)).toEqual(['ok', 'ok']);
    expect(okv(r.last)).toMatchObject({ mode: '0666', uid: 1000, gid: 5 });
  });

  it.each(ALL)('after close and re-allocation the index is back to the mount\'s defaults (%s)', (p) => {
    // live 6.x S4h "After close and re-allocation, index 0 is back to c0600 0:0"
    const r = run(p, [open('/dev/ptmx', { as: 'm' }), chmod('/dev/pts/0', '0666'), chown('/dev/pts/0', 1000, 5), close('m'), open('/dev/ptmx'), stat('/dev/pts/0')]);
    expect(okv(r.last)).toMatchObject({ mode: '0600', uid: 0, gid: 0 });
  });

  it.each(WITH_PTMX_NODE)('chmod and chown of the ptmx node work (%s)', (p) => {
    // profiles.md shared: chmod/chown of nodes work (live 6.x S3 chown of pts/ptmx)
    const r = run(p, [chmod('/dev/pts/ptmx', '0666'), chown('/dev/pts/ptmx', 1000, 5), stat('/dev/pts/ptmx')]);
    expect(okv(r.last)).toMatchObject({ mode: '0666', uid: 1000, gid: 5 });
  });

  it.each(ALL)('chmod by a non-owner is EPERM; the owner may chmod its own slave (%s)', (p) => {
    // chmod_common / setattr_prepare: owner or CAP_FOWNER
    const r = run(p, [open('/dev/ptmx'), spawn(2), setuid(1000, { pid: 2 }), chmod('/dev/pts/0', '0666', { pid: 2 }),
      setuid(1000), open('/dev/ptmx'), chmod('/dev/pts/1', '0620')]);
    expect(r.results[3]).toEqual({ errno: 'EPERM' });
    expect(r.last).toEqual({ ok: true });
  });

  it.each(ALL)('a non-root owner may not give a node away (chown to another uid): EPERM (%s)', (p) => {
    // chown_common: only root may change the owner
    expect(run(p, [setuid(1000), open('/dev/ptmx'), chown('/dev/pts/0', 2000, 1000)]).last).toEqual({ errno: 'EPERM' });
  });
});

describe('read-only mounts', () => {
  it.each(ALL)('chmod/chown on a read-only devpts mount give EROFS (%s)', (p) => {
    // profiles.md shared: EROFS on a read-only mount (live 6.x S4h/S7)
    const r = run(p, [open('/dev/ptmx'), mkdir('/tmp/ro'), mountDevpts('/tmp/ro', p === '6.x' ? '' : undefined, { flags: ['ro'] }),
      ...(p === '6.x' ? [open('/tmp/ro/ptmx')] : []), chmod('/tmp/ro/0', '0666'), chown('/tmp/ro/0', 1, 1)]);
    expect(r.results.slice(-2).map(errnoOf)).toEqual(['EROFS', 'EROFS']);
  });

  it.each(WITH_PTMX_NODE)('pty allocation still succeeds on a read-only devpts and creates a slave node (%s)', (p) => {
    // live 6.x S4h/S7: "Pty allocation still succeeds and creates a slave node on the ro instance"
    const r = run(p, [remount('/dev/pts', '', { flags: ['ro'] }), open('/dev/pts/ptmx'), readdir('/dev/pts'), chmod('/dev/pts/ptmx', '0666')]);
    expect(okv(r.results[1]).index).toBe(0);
    expect(okv(r.results[2]).entries).toEqual(['0', 'ptmx']);
    expect(r.last).toEqual({ errno: 'EROFS' });
  });

  it.each(ALL)('creating or removing on a read-only tmpfs is EROFS (%s)', (p) => {
    // mnt_want_write: EROFS (fs/namei.c)
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), touch('/tmp/t/f'), remount('/tmp/t', undefined, { flags: ['ro'] }),
      mkdir('/tmp/t/d'), touch('/tmp/t/g'), unlink('/tmp/t/f'), symlink('x', '/tmp/t/l')]);
    expect(r.results.slice(4).map(errnoOf)).toEqual(['EROFS', 'EROFS', 'EROFS', 'EROFS']);
  });
});

describe('ordinary files', () => {
  it.each(ALL)('mkdir, touch, symlink, unlink work on /tmp; stat reports type and owner (%s)', (p) => {
    // operations.md: an empty, writable /tmp; vfs_mkdir/vfs_create/vfs_symlink/vfs_unlink
    const r = run(p, [mkdir('/tmp/d', { mode: '0750' }), touch('/tmp/d/f'), symlink('f', '/tmp/d/l'), readdir('/tmp/d'), unlink('/tmp/d/l'), readdir('/tmp/d'), stat('/tmp/d')]);
    expect(okv(r.results[3]).entries).toEqual(['f', 'l']);
    expect(okv(r.results[5]).entries).toEqual(['f']);
    expect(okv(r.last)).toMatchObject({ type: 'dir', mode: '0750', uid: 0, gid: 0 });
  });

  it.each(ALL)('mkdir of an existing name is EEXIST; unlink of a directory is EISDIR; of a missing name ENOENT (%s)', (p) => {
    // filename_create EEXIST; do_unlinkat EISDIR; lookup ENOENT (fs/namei.c)
    const r = run(p, [mkdir('/tmp'), unlink('/tmp'), unlink('/tmp/none')]);
    expect(r.results.map(errnoOf)).toEqual(['EEXIST', 'EISDIR', 'ENOENT']);
  });

  it.each(ALL)('unlink of a mount point is EBUSY (%s)', (p) => {
    // vfs_unlink: is_local_mountpoint → EBUSY
    expect(run(p, [touch('/tmp/x'), bind('/dev/ptmx', '/tmp/x'), unlink('/tmp/x')]).last).toEqual({ errno: 'EBUSY' });
  });

  it.each(ALL)('the sticky /tmp protects other users\' files: EPERM (%s)', (p) => {
    // may_delete: sticky directory
    const r = run(p, [touch('/tmp/rootfile'), setuid(1000), unlink('/tmp/rootfile')]);
    expect(r.last).toEqual({ errno: 'EPERM' });
  });

  it.each(ALL)('creating in a directory without write permission is EACCES (%s)', (p) => {
    // may_create: MAY_WRITE|MAY_EXEC on the parent (fs/namei.c)
    expect(run(p, [setuid(1000), mkdir('/dev/x')]).last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('a non-root user creates files owned by itself (%s)', (p) => {
    // inode_init_owner: fsuid/fsgid; touch creates 0644 (operations.md touch)
    const r = run(p, [setuid(1000, { gid: 1001 }), touch('/tmp/mine'), stat('/tmp/mine')]);
    expect(okv(r.last)).toMatchObject({ type: 'reg', uid: 1000, gid: 1001, mode: '0644' });
  });

  it.each(ALL)('touching an existing file needs ownership or write access (%s)', (p) => {
    // utimensat(NULL): owner or write access (fs/utimes.c)
    const r = run(p, [touch('/tmp/f'), setuid(1000), touch('/tmp/f')]);
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(ALL)('a tmpfs root is 01777 owned by the mounter (%s)', (p) => {
    // shmem_fill_super
    const r = run(p, [mkdir('/tmp/t'), mountTmpfs('/tmp/t'), stat('/tmp/t')]);
    expect(okv(r.last)).toMatchObject({ type: 'dir', mode: '01777', uid: 0, fs: 'other' });
  });

  it.each(ALL)('stat of a devpts root: dir 0755 0:0 on the instance (%s)', (p) => {
    // devpts_fill_super: S_IFDIR | 0755, owned by 0:0
    const r = run(p, [stat('/dev/pts'), open('/dev/ptmx'), unlockpt('fd1'), stat('/dev/pts/0')]);
    expect(okv(r.results[0])).toMatchObject({ type: 'dir', mode: '0755', uid: 0, gid: 0 });
    expect(okv(r.last).fs).toBe(okv(r.results[0]).fs);
  });
});
