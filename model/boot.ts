// The world at boot (operations.md): pid 1 as root in the initial namespace, a root
// filesystem with /dev/ptmx (c 5:2), /dev/pts and /tmp, the initial kernel instance
// where the profile has one, and init's devpts mount at /dev/pts.

import { isErrno, isToolError, parseModeString, type BootConfig, type ProfileId } from './ops.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { newInstance } from './instances.ts';
import { profileOf, type Profile } from './profiles.ts';
import { stepWith } from './step.ts';
import { INITIAL_NS, type KernelState, type PlainFs } from './state.ts';

export class BootError extends Error {}

export function bootWith(profile: Profile, config: BootConfig = {}): KernelState {
  const ptmxMode = config.ptmxMode === undefined ? 0o666 : parseModeString(config.ptmxMode);
  if (ptmxMode === null) throw new BootError(`boot.ptmxMode "${config.ptmxMode}" is not an octal mode`);
  const root: PlainFs = {
    kind: 'plain', id: 'root', nextIno: 6,
    inodes: {
      1: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { dev: 2, tmp: 5 } },
      2: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { ptmx: 3, pts: 4 } },
      3: { type: 'chr', mode: ptmxMode, uid: 0, gid: 0, parent: 2, major: 5, minor: 2 },
      4: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 2, entries: {} },
      5: { type: 'dir', mode: 0o1777, uid: 0, gid: 0, parent: 1, entries: {} },
    },
  };
  let state: KernelState = {
    profile: profile.id,
    procs: { 1: { pid: 1, uid: 0, gid: 0, ns: INITIAL_NS } },
    namespaces: { [INITIAL_NS]: { id: INITIAL_NS, root: 'm1', mounts: ['m1'] } },
    mounts: { m1: { id: 'm1', ns: INITIAL_NS, fs: 'root', root: 1, parent: null, mountpoint: 1, flags: [] } },
    fss: { root },
    handles: {},
    // kernel.pty.max 4096 (NR_UNIX98_PTY_DEFAULT); reserve 1024 from 3.4 on
    sysctl: { max: 4096, reserve: profile.reserveSysctl ? 1024 : 0 },
    initialInstance: null,
    multiInstance: false,
    next: { mount: 2, ns: 2, fs: 0, fd: 1 },
  };
  if (profile.initialInstance) {
    // kern_mount: the initial instance, all defaults, ptmx node 0000 (2.6.39 §1.9)
    // (4.4 =n: `max` is 0 until the first devpts mount, Profile.initialOptions)
    const made = newInstance(state, { ...DEFAULT_OPTIONS, ...profile.initialOptions }, { ptmx: profile.ptmxNode, owner: { uid: 0, gid: 0 }, initial: true });
    state = { ...made.state, initialInstance: made.fs };
  }
  if (config.mountDevpts !== false) {
    const out = stepWith(profile, state, {
      op: 'mount', pid: 1, fstype: 'devpts', target: '/dev/pts',
      ...(config.devptsOptions !== undefined ? { options: config.devptsOptions } : {}),
    });
    if (isErrno(out.result) || isToolError(out.result)) {
      throw new BootError(`boot: init's devpts mount with options "${config.devptsOptions ?? ''}" fails on ${profile.id} (${'errno' in out.result ? out.result.errno : out.result.error})`);
    }
    state = out.state;
  }
  return { ...state, next: { ...state.next, fd: 1 } };
}

export function boot(profile: ProfileId, config: BootConfig = {}): KernelState {
  return bootWith(profileOf(profile), config);
}
