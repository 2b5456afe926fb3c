// The world at boot (operations.md): pid 1 as root in the initial namespaces, a root
// filesystem with /dev/ptmx (c 5:2), /dev/pts and /tmp, the initial kernel instance
// where the profile has one, the kernel's devtmpfs, and init's devpts mount at /dev/pts.
//
// The root filesystem is mounted on the kernel's rootfs, as on every booted system: the
// root mount has a parent like any other mount, so pivot_root works from it and
// `umount /` is the kernel's special case (a read-only remount), not a namespace root.
// Nothing reaches rootfs (it is above every process's root).

import { isErrno, isToolError, parseModeString, type BootConfig, type ProfileId } from './ops.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { devtmpfsAtBoot, DEVTMPFS_ID } from './devtmpfs.ts';
import { newInstance } from './instances.ts';
import { profileOf, type Profile } from './profiles.ts';
import { changeTypeTree } from './propagation.ts';
import { stepWith } from './step.ts';
import { INITIAL_USERNS_RECORD } from './userns.ts';
import { INITIAL_NS, INITIAL_USERNS, type KernelState, type PlainFs } from './state.ts';

export class BootError extends Error {}

export function bootWith(profile: Profile, config: BootConfig = {}): KernelState {
  const ptmxMode = config.ptmxMode === undefined ? 0o666 : parseModeString(config.ptmxMode);
  if (ptmxMode === null) throw new BootError(`boot.ptmxMode "${config.ptmxMode}" is not an octal mode`);
  const devtmpfsDev = config.dev === 'devtmpfs';
  const rootfs: PlainFs = {
    kind: 'plain', id: 'rootfs', fstype: 'rootfs', nextIno: 2,
    inodes: { 1: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: {} } },
  };
  const root: PlainFs = devtmpfsDev
    ? {
      kind: 'plain', id: 'root', nextIno: 4,
      inodes: {
        1: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { dev: 2, tmp: 3 } },
        2: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: {} },
        3: { type: 'dir', mode: 0o1777, uid: 0, gid: 0, parent: 1, entries: {} },
      },
    }
    : {
      kind: 'plain', id: 'root', nextIno: 6,
      inodes: {
        1: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { dev: 2, tmp: 5 } },
        2: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { ptmx: 3, pts: 4 } },
        3: { type: 'chr', mode: ptmxMode, uid: 0, gid: 0, parent: 2, major: 5, minor: 2 },
        4: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 2, entries: {} },
        5: { type: 'dir', mode: 0o1777, uid: 0, gid: 0, parent: 1, entries: {} },
      },
    };
  const top = { mount: 'm1', ino: 1 };
  let state: KernelState = {
    profile: profile.id,
    procs: { 1: { pid: 1, uid: 0, gid: 0, ns: INITIAL_NS, userns: INITIAL_USERNS, caps: true, root: top, cwd: top } },
    namespaces: { [INITIAL_NS]: { id: INITIAL_NS, root: 'm0', mounts: ['m0', 'm1'], owner: INITIAL_USERNS } },
    userns: { [INITIAL_USERNS]: INITIAL_USERNS_RECORD },
    mounts: {
      m0: { id: 'm0', ns: INITIAL_NS, fs: 'rootfs', root: 1, parent: null, mountpoint: 1, flags: [] },
      m1: { id: 'm1', ns: INITIAL_NS, fs: 'root', root: 1, parent: 'm0', mountpoint: 1, flags: [] },
    },
    fss: { rootfs, root, [DEVTMPFS_ID]: devtmpfsAtBoot(devtmpfsDev ? ptmxMode : 0o666) },
    handles: {},
    // kernel.pty.max 4096 (NR_UNIX98_PTY_DEFAULT); reserve 1024 from 3.4 on
    sysctl: { max: 4096, reserve: profile.reserveSysctl ? 1024 : 0 },
    initialInstance: null,
    multiInstance: false,
    devtmpfs: DEVTMPFS_ID,
    next: { mount: 2, ns: 2, fs: 0, fd: 1, file: 1, group: 1, userns: 2 },
  };
  if (profile.initialInstance) {
    // kern_mount: the initial instance, all defaults, ptmx node 0000 (2.6.39 §1.9)
    // (4.4 =n: `max` is 0 until the first devpts mount, Profile.initialOptions)
    const made = newInstance(state, { ...DEFAULT_OPTIONS, ...profile.initialOptions }, { ptmx: profile.ptmxNode, owner: { uid: 0, gid: 0 }, initial: true });
    state = { ...made.state, initialInstance: made.fs };
  }
  const init = (op: Parameters<typeof stepWith>[2], what: string): void => {
    const out = stepWith(profile, state, op);
    if (isErrno(out.result) || isToolError(out.result)) {
      throw new BootError(`boot: init's ${what} fails on ${profile.id} (${'errno' in out.result ? out.result.errno : out.result.error})`);
    }
    state = out.state;
  };
  // dev: "devtmpfs": init mounts the kernel's devtmpfs on /dev (it already holds the pts directory init made)
  if (devtmpfsDev) init({ op: 'mount', pid: 1, fstype: 'devtmpfs', target: '/dev' }, 'devtmpfs mount');
  if (config.mountDevpts !== false) {
    init({
      op: 'mount', pid: 1, fstype: 'devpts', target: '/dev/pts',
      ...(config.devptsOptions !== undefined ? { options: config.devptsOptions } : {}),
    }, `devpts mount with options "${config.devptsOptions ?? ''}"`);
  }
  // rootPropagation: "shared": mount --make-rshared /, as systemd leaves a system
  if (config.rootPropagation === 'shared') state = changeTypeTree(state, 'm1', 'shared', true);
  return { ...state, next: { ...state.next, fd: 1, file: 1 } };
}

export function boot(profile: ProfileId, config: BootConfig = {}): KernelState {
  return bootWith(profileOf(profile), config);
}
