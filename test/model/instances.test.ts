// Which instance a devpts mount attaches, and what it does to it (model/instances.ts
// mountSingleInstance, mountInitialUnlessNewinstance, mountNewEveryTime).
import { describe, expect, it } from 'vitest';
import {
  ALL, CONFIG_Y, close, mkdir, mountDevpts, okv, open, readdir, remount, run, setuid, spawn, stat, umount,
} from './helpers.ts';

describe('2.6.39-n: one instance for every mount', () => {
  it('every devpts mount attaches the single instance: ptys show in all of them (2.6.39-n)', () => {
    // profiles.md 2.6.39-n: exactly one instance; every mount -t devpts attaches it (mount_single) [D2]
    const r = run('2.6.39-n', [mkdir('/tmp/a'), mountDevpts('/tmp/a'), open('/dev/ptmx'), stat('/dev/pts'), stat('/tmp/a'), readdir('/tmp/a')]);
    expect(okv(r.results[3]).fs).toBe(okv(r.results[4]).fs);
    expect(okv(r.last).entries).toEqual(['0']);
  });

  it('no /dev/pts/ptmx node exists (2.6.39-n)', () => {
    // profiles.md 2.6.39-n: no /dev/pts/ptmx node (mknod_ptmx compiled out)
    expect(run('2.6.39-n', [stat('/dev/pts/ptmx')]).last).toEqual({ errno: 'ENOENT' });
  });
});

describe('CONFIG=y: the initial instance unless newinstance', () => {
  it.each(CONFIG_Y)('a mount without newinstance attaches the initial kernel instance (%s)', (p) => {
    // profiles.md 2.6.39-y: without newinstance the mount attaches the initial kernel instance [D4]
    const r = run(p, [open('/dev/ptmx'), mkdir('/tmp/a'), mountDevpts('/tmp/a'), stat('/dev/pts'), stat('/tmp/a'), readdir('/tmp/a')]);
    expect(okv(r.results[3]).fs).toBe(okv(r.results[4]).fs);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('a newinstance mount is a brand-new, empty instance whose indices start at 0 (%s)', (p) => {
    // profiles.md 2.6.39-y: with newinstance, always a brand-new, empty instance [D6]
    const r = run(p, [
      open('/dev/ptmx'), mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance'),
      stat('/dev/pts'), stat('/tmp/a'), readdir('/tmp/a'), open('/tmp/a/ptmx'),
    ]);
    expect(okv(r.results[3]).fs).not.toBe(okv(r.results[4]).fs);
    expect(okv(r.results[5]).entries).toEqual(['ptmx']);
    expect(okv(r.last).index).toBe(0);
  });

  it.each(CONFIG_Y)('two newinstance mounts are two different instances (%s)', (p) => {
    // sget with test == NULL: a fresh superblock every time (kernel-code.md §1.5)
    const r = run(p, [mkdir('/tmp/a'), mkdir('/tmp/b'), mountDevpts('/tmp/a', 'newinstance'), mountDevpts('/tmp/b', 'newinstance'), stat('/tmp/a'), stat('/tmp/b')]);
    expect(okv(r.results[4]).fs).not.toBe(okv(r.results[5]).fs);
  });

  it.each(CONFIG_Y)('the newinstance ptmx node is created with the mount\'s ptmxmode, owned by 0:0 (%s)', (p) => {
    // profiles.md 2.6.39-y: its ptmx node is created with the mount's ptmxmode (memcpy before mknod_ptmx)
    const r = run(p, [mkdir('/tmp/a'), mountDevpts('/tmp/a', 'newinstance,ptmxmode=0666'), stat('/tmp/a/ptmx')]);
    expect(okv(r.last)).toMatchObject({ mode: '0666', uid: 0, gid: 0, rdev: '5:2' });
  });

  it.each(CONFIG_Y)('ptmxmode in a plain (non-newinstance) mount leaves the ptmx node at 0000 (%s)', (p) => {
    // K3, U3: the options change, the existing ptmx node does not (mknod_ptmx early return, 2.6.39)
    const r = run(p, [mountDevpts('/dev/pts', 'ptmxmode=0666'), stat('/dev/pts/ptmx'), setuid(1000), open('/dev/pts/ptmx')]);
    expect(okv(r.results[1]).mode).toBe('0000');
    expect(r.last).toEqual({ errno: 'EACCES' });
  });

  it.each(CONFIG_Y)('...but the ptmxmode of that plain mount is in the options: a later remount of it (ptmxmode given again) sets the node (%s)', (p) => {
    // update_ptmx_mode on remount (K4)
    const r = run(p, [mountDevpts('/dev/pts', 'ptmxmode=0666'), remount('/dev/pts', 'ptmxmode=0666'), stat('/dev/pts/ptmx')]);
    expect(okv(r.last).mode).toBe('0666');
  });

  it.each([...CONFIG_Y, '2.6.39-n'] as const)(
    "a plain mount in a container resets the host's gid and mode: new slave nodes show it (%s)", (p) => {
      // K2: devpts_mount memcpy replaces the initial instance's options wholesale (2.6.39-y, 3.4-y);
      // 2.6.39-n: the implicit remount resets the single instance (K1)
      const r = run(p, [
        open('/dev/ptmx', { as: 'before' }), stat('/dev/pts/0'),
        spawn(2, { newns: true }), mountDevpts('/dev/pts', undefined, { pid: 2 }),
        setuid(1000), open('/dev/ptmx', { as: 'after' }), stat('/dev/pts/1'),
      ], { devptsOptions: 'gid=5,mode=620' });
      expect(okv(r.results[1])).toMatchObject({ mode: '0620', gid: 5 });
      expect(okv(r.last)).toMatchObject({ mode: '0600', uid: 1000, gid: 1000 });
    });

  it("6.x: a plain mount in a container does not touch the host's options", () => {
    // profiles.md 6.x: every mount is a new, empty instance (4.7 devpts_mount; live 6.x S1a)
    const r = run('6.x', [
      spawn(2, { newns: true }), mountDevpts('/dev/pts', undefined, { pid: 2 }),
      setuid(1000), open('/dev/ptmx'), stat('/dev/pts/0'),
    ], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 5, uid: 1000 });
  });

  it.each(CONFIG_Y)('a container\'s newinstance mount leaves the host\'s options alone (%s)', (p) => {
    // profiles.md 2.6.39-y: options go to the new instance only [U7]
    const r = run(p, [
      spawn(2, { newns: true }), mountDevpts('/dev/pts', 'newinstance', { pid: 2 }),
      open('/dev/ptmx'), stat('/dev/pts/0'),
    ], { devptsOptions: 'gid=5,mode=620' });
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 5 });
  });

  it.each(CONFIG_Y)('the initial instance never dies: after umount its ptys reappear at the next plain mount (%s)', (p) => {
    // kernel-code.md §1.9/§1.10: devpts_mnt pins the initial instance; its ptys remain
    const r = run(p, [open('/dev/ptmx'), umount('/dev/pts'), readdir('/dev/pts'), mkdir('/tmp/a'), mountDevpts('/tmp/a'), readdir('/tmp/a')]);
    expect(okv(r.results[2]).entries).toEqual([]);
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(CONFIG_Y)('an empty initial instance also survives: a plain mount after umount shows the same fs (%s)', (p) => {
    // the initial instance is never collected (kern_mount; model/mounts.ts collect)
    const r = run(p, [stat('/dev/pts'), umount('/dev/pts'), mkdir('/tmp/a'), mountDevpts('/tmp/a'), stat('/tmp/a')]);
    expect(okv(r.last).fs).toBe(okv(r.results[0]).fs);
  });
});

describe('6.x: every mount is a new instance', () => {
  it.each(['', 'newinstance'])('mount -o "%s" over /dev/pts gives a new, empty instance (6.x)', (opts) => {
    // live 6.x S1a, S1b: new instance, listing {ptmx}, indices from 0
    const r = run('6.x', [open('/dev/ptmx'), stat('/dev/pts'), mountDevpts('/dev/pts', opts), stat('/dev/pts'), readdir('/dev/pts'), open('/dev/ptmx')]);
    expect(okv(r.results[3]).fs).not.toBe(okv(r.results[1]).fs);
    expect(okv(r.results[4]).entries).toEqual(['ptmx']);
    expect(okv(r.last).index).toBe(0);
  });

  it('an unmounted 6.x instance with no ptys is gone; a new mount is another empty instance', () => {
    // no initial instance in 6.x; an instance lives while mounted or while a pty holds it (devpts_acquire s_active)
    const r = run('6.x', [open('/dev/ptmx'), close('fd1'), umount('/dev/pts'), mountDevpts('/dev/pts'), readdir('/dev/pts'), open('/dev/ptmx')]);
    expect(okv(r.results[4]).entries).toEqual(['ptmx']);
    expect(okv(r.last).index).toBe(0);
  });

  it.each(ALL)('mounting devpts on a non-directory fails with ENOTDIR (%s)', (p) => {
    // do_new_mount/graft_tree: a new fs mounts only on a directory
    expect(run(p, [mountDevpts('/dev/ptmx')]).last).toEqual({ errno: 'ENOTDIR' });
  });

  it.each(ALL)('an unknown fstype fails with ENODEV (%s)', (p) => {
    // get_fs_type: no such filesystem
    expect(run(p, [{ op: 'mount', fstype: 'nosuchfs', target: '/tmp' }]).last).toEqual({ errno: 'ENODEV' });
  });
});
