// A devpts mount onto the mount point where the same instance is already mounted [K11]:
// do_new_mount runs devpts_mount (which changes the instance) before do_add_mount refuses
// "the same filesystem on the same mount point" (fs/namespace.c 2.6.39, 3.4, 4.4).
// Observed under QEMU on 2.6.39.4 =n/=y, 3.4.113 =y, 4.4.178 =y (research/qemu-old-kernels.md).
import { describe, expect, it } from 'vitest';
import {
  CONFIG_Y, LEGACY, bind, mkdir, mountDevpts, okv, open, readdir, run, spawn, stat, touch, umount,
} from './helpers.ts';

const BOGUS = 'devpts: called with bogus options';
const HOST = { devptsOptions: 'gid=5,mode=620' };

describe('a mount onto the instance\'s own mount point is refused after it applied its options [K11]', () => {
  it.each(LEGACY)('mount -o mode=600 onto the mounted /dev/pts: EBUSY, and the next pty is mode 0600, gid 0 (%s)', (p) => {
    // QEMU 2.6.39.4 =n/=y, 3.4.113 =y: "second: EBUSY; /proc/mounts now shows mode=600"
    const r = run(p, [{ ...mountDevpts('/dev/pts', 'mode=600'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toEqual({ errno: 'EBUSY' });
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 0 });
  });

  it.each(LEGACY)('a container\'s plain mount on its copy of /dev/pts is EBUSY and resets the host\'s gid and mode (%s)', (p) => {
    // QEMU 2.6.39.4 =n/=y, 3.4.113 =y: "EBUSY in the child; the next host pty is 0600 gid 0"
    const r = run(p, [
      spawn(2, { newns: true }), { ...mountDevpts('/dev/pts', undefined, { pid: 2 }), note: 'container' },
      open('/dev/ptmx'), stat('/dev/pts/0'),
    ], HOST);
    expect(r.at('container')).toEqual({ errno: 'EBUSY' });
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 0 });
  });

  it('legacy: newinstance,gid=5 onto the mounted /dev/pts prints the bogus line, is EBUSY, and resets every option (2.6.39-n)', () => {
    // QEMU 2.6.39.4 =n: console "devpts: called with bogus options", EBUSY, options reset to defaults
    const r = run('2.6.39-n', [{ ...mountDevpts('/dev/pts', 'newinstance,gid=5'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toEqual({ errno: 'EBUSY', log: [BOGUS] });
    expect(okv(r.last)).toMatchObject({ mode: '0600', gid: 0 });
  });

  it.each(CONFIG_Y)('=y: a bogus option fails first with EINVAL and changes nothing (%s)', (p) => {
    // devpts_mount: parse_mount_options fails before any instance is chosen (2.6.39-y, 3.4-y)
    const r = run(p, [{ ...mountDevpts('/dev/pts', 'mode=600,bogus'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toMatchObject({ errno: 'EINVAL' });
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 5 });
  });

  it.each(CONFIG_Y)('=y: a plain mount stacked on a newinstance mount at /dev/pts succeeds and shows the initial instance again (%s)', (p) => {
    // QEMU 2.6.39.4 =y: "both ok: the plain mount stacks the initial instance on top of the new one"
    const r = run(p, [
      open('/dev/ptmx', { as: 'host' }), umount('/dev/pts'), mountDevpts('/dev/pts', 'newinstance'),
      { ...mountDevpts('/dev/pts', 'gid=5,mode=620'), note: 'stack' }, readdir('/dev/pts'),
    ]);
    expect(r.at('stack')).toEqual({ ok: true });
    expect(okv(r.last).entries).toEqual(['0', 'ptmx']);
  });

  it.each(LEGACY)('a mount of the instance elsewhere succeeds: only its own mount point is refused (%s)', (p) => {
    // do_add_mount compares the mount at the target with the new one: another directory is fine
    const r = run(p, [mkdir('/tmp/a'), { ...mountDevpts('/tmp/a', 'mode=644'), note: 'elsewhere' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('elsewhere')).toEqual({ ok: true });
    expect(okv(r.last)).toMatchObject({ mode: '0644' });
  });

  it.each(CONFIG_Y)('onto a bind of the initial instance\'s ptmx node: EBUSY, not ENOTDIR (the same-superblock check comes first) (%s)', (p) => {
    // do_add_mount: the EBUSY test precedes graft_tree's directory test (fs/namespace.c 2.6.39; code reading)
    const r = run(p, [touch('/tmp/f'), bind('/dev/pts/ptmx', '/tmp/f'), { ...mountDevpts('/tmp/f', 'mode=644'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toEqual({ errno: 'EBUSY' });
    expect(okv(r.last)).toMatchObject({ mode: '0644' });
  });

  it.each(CONFIG_Y)('onto a regular file: ENOTDIR, and still the initial instance took the options (%s)', (p) => {
    // do_new_mount: devpts_mount's memcpy happens before graft_tree refuses a non-directory (fs/namespace.c 2.6.39; code reading)
    const r = run(p, [touch('/tmp/f'), { ...mountDevpts('/tmp/f', 'mode=644'), note: 'mount' }, open('/dev/ptmx'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toEqual({ errno: 'ENOTDIR' });
    expect(okv(r.last)).toMatchObject({ mode: '0644', gid: 0 });
  });

  it('6.x: every mount is a new superblock, so the same mount onto /dev/pts succeeds and the old instance keeps its options', () => {
    // 4.7+ devpts_mount: a new instance each time; live 6.18
    const r = run('6.x', [open('/dev/ptmx', { as: 'old' }), { ...mountDevpts('/dev/pts', 'mode=600'), note: 'mount' }, umount('/dev/pts'), stat('/dev/pts/0')], HOST);
    expect(r.at('mount')).toEqual({ ok: true });
    expect(okv(r.last)).toMatchObject({ mode: '0620', gid: 5 });
  });
});
