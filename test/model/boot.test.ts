// The world at boot (operations.md "The world at boot"; profiles.md).
import { describe, expect, it } from 'vitest';
import { boot, BootError, INITIAL_NS, isOk } from '../../model/index.ts';
import { ALL, CONFIG_Y, LEGACY, WITH_PTMX_NODE, mountDevpts, okv, open, readdir, run, stat, sysctl, errnoOf } from './helpers.ts';

describe('boot', () => {
  it.each(ALL)('pid 1 is root in the initial mount namespace (%s)', (p) => {
    // operations.md: process 1, uid 0 / gid 0, all capabilities, initial mount namespace
    const s = boot(p);
    expect(s.procs[1]).toMatchObject({ pid: 1, uid: 0, gid: 0, ns: INITIAL_NS, caps: true });
    expect(s.procs[1]!.map).toBeUndefined(); // the initial user namespace: every id is its own
  });

  it.each(ALL)('/dev/ptmx is c 5:2 0666 0:0 on a non-devpts fs, /tmp is a sticky 1777 dir (%s)', (p) => {
    // operations.md: /dev/ptmx (character device 5:2, mode 0666, owner 0:0), an empty writable /tmp
    const r = run(p, [stat('/dev/ptmx'), stat('/tmp'), readdir('/tmp')]);
    expect(r.results[0]).toEqual({ ok: true, type: 'chr', mode: '0666', uid: 0, gid: 0, rdev: '5:2', fs: 'other' });
    expect(okv(r.results[1])).toMatchObject({ type: 'dir', mode: '01777', fs: 'other' });
    expect(okv(r.results[2]).entries).toEqual([]);
  });

  it.each(ALL)('boot.ptmxMode sets the mode of /dev/ptmx (%s)', (p) => {
    // operations.md boot fields: ptmxMode (mode of /dev/ptmx, default "0666")
    expect(okv(run(p, [stat('/dev/ptmx')], { ptmxMode: '0600' }).last).mode).toBe('0600');
  });

  it('an invalid boot.ptmxMode is a BootError', () => {
    // operations.md boot fields: ptmxMode is an octal mode string
    expect(() => boot('6.x', { ptmxMode: '0999' })).toThrow(BootError);
  });

  it.each(ALL)("init's devpts mount sits on /dev/pts (%s)", (p) => {
    // operations.md: the devpts mount at /dev/pts that init makes
    const r = run(p, [stat('/dev/pts'), readdir('/dev/pts')]);
    expect(okv(r.results[0]).type).toBe('dir');
    expect(okv(r.results[0]).fs).not.toBe('other');
    // 2.6.39-n has no ptmx node (mknod_ptmx compiled out, kernel-code.md §1.4)
    expect(okv(r.results[1]).entries).toEqual(p === '2.6.39-n' ? [] : ['ptmx']);
  });

  it.each(ALL)('mountDevpts: false leaves /dev/pts a plain empty directory (%s)', (p) => {
    // operations.md boot field mountDevpts
    const r = run(p, [stat('/dev/pts'), readdir('/dev/pts')], { mountDevpts: false });
    expect(okv(r.results[0]).fs).toBe('other');
    expect(okv(r.results[1]).entries).toEqual([]);
  });

  it.each(LEGACY)('the initial kernel instance exists even when nothing mounts it: /dev/ptmx allocates there (%s)', (p) => {
    // operations.md: for 2.6.39 and 3.4 the initial instance exists whether or not anything mounts it
    // (kern_mount, kernel-code.md §1.9); a later plain mount shows its pty
    const r = run(p, [open('/dev/ptmx'), mountDevpts('/dev/pts'), readdir('/dev/pts')], { mountDevpts: false });
    expect(okv(r.results[0]).index).toBe(0);
    expect(okv(r.last).entries).toContain('0');
  });

  it('6.x has no initial instance: without a devpts on /dev/pts, /dev/ptmx gives ENODEV', () => {
    // profiles.md 6.x: there is no initial kernel instance, no fallback (devpts_ptmx_path; live 6.x S2b)
    expect(errnoOf(run('6.x', [open('/dev/ptmx')], { mountDevpts: false }).last)).toBe('ENODEV');
  });

  it.each(CONFIG_Y)('the initial instance was created with ptmx mode 0000 and a plain boot mount with ptmxmode does not change it (%s)', (p) => {
    // kern_mount with no options → ptmx node 0000; mknod_ptmx returns early on a later mount (K3; kernel-code.md §1.5)
    expect(okv(run(p, [stat('/dev/pts/ptmx')], { devptsOptions: 'ptmxmode=0666' }).last).mode).toBe('0000');
  });

  it('6.x: the boot mount is a new instance whose ptmx node takes ptmxmode', () => {
    // profiles.md 6.x: every mount is a new instance with its own ptmx node (mode from ptmxmode)
    expect(okv(run('6.x', [stat('/dev/pts/ptmx')], { devptsOptions: 'ptmxmode=0666' }).last).mode).toBe('0666');
  });

  it.each(WITH_PTMX_NODE)('the ptmx node of the boot mount is owned by 0:0 (%s)', (p) => {
    // mknod_ptmx: uid/gid 0 (2.6.39/3.4 new_inode); 6.x the mounter's fsuid/fsgid, here root
    expect(okv(run(p, [stat('/dev/pts/ptmx')]).last)).toMatchObject({ uid: 0, gid: 0, rdev: '5:2', type: 'chr' });
  });

  it.each(CONFIG_Y)('a bogus boot option fails the boot on CONFIG=y (%s)', (p) => {
    // profiles.md 2.6.39-y: an unknown option fails the whole mount with EINVAL
    expect(() => boot(p, { devptsOptions: 'bogus' })).toThrow(BootError);
  });

  it('a bogus boot option does not fail the boot on 2.6.39-n (the mount succeeds)', () => {
    // profiles.md 2.6.39-n: the mount succeeds even when an option is unknown (mount_single ignores the error)
    expect(() => boot('2.6.39-n', { devptsOptions: 'bogus' })).not.toThrow();
  });

  it('6.x: a bogus boot option fails the boot', () => {
    // profiles.md 6.x: unknown options fail the mount with EINVAL
    expect(() => boot('6.x', { devptsOptions: 'bogus' })).toThrow(BootError);
  });

  it.each(ALL)('kernel.pty.max is 4096; kernel.pty.reserve is 1024 from 3.4 on (%s)', (p) => {
    // operations.md: kernel.pty.max = 4096, and from 3.4 on kernel.pty.reserve = 1024
    const s = boot(p);
    expect(s.sysctl.max).toBe(4096);
    if (p === '3.4-y' || p === '6.x') expect(s.sysctl.reserve).toBe(1024);
    // 2.6.39 has no kernel.pty.reserve (kernel-code.md §1.7)
    const r = run(p, [sysctl('kernel.pty.reserve', 10)]).last;
    expect(errnoOf(r)).toBe(p.startsWith('2.6.39') ? 'ENOENT' : 'ok');
  });

  it.each(ALL)('handle names count from fd1 after boot (%s)', (p) => {
    // operations.md: fd1, fd2, … counting successful opens and peers of the whole trace from 1
    const r = run(p, [open('/dev/ptmx'), open('/tmp/missing'), open('/dev/ptmx')]);
    expect(okv(r.results[0]).fd).toBe('fd1');
    expect(isOk(r.results[1])).toBe(false);
    expect(okv(r.results[2]).fd).toBe('fd2');
  });

  it('2.6.39-y: booting with newinstance mounts a new instance; the initial instance still exists unmounted', () => {
    // devpts_mount with newinstance: a fresh sb; /dev/ptmx still allocates in the initial instance (U5)
    const r = run('2.6.39-y', [open('/dev/ptmx'), readdir('/dev/pts')], { devptsOptions: 'newinstance' });
    expect(okv(r.results[0]).index).toBe(0);
    expect(okv(r.last).entries).toEqual(['ptmx']);
  });
});
