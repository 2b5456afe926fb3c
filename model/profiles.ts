// The four kernel profiles (../shared/design/profiles.md). Every difference between
// kernels lives here, one field per concern; the rest of the model asks the record.

import type { ProfileId } from './ops.ts';
import { parseFsParamOptions, parseLegacyOptions, parseLegacyTmpfsOptions, parseTmpfsOptions, showOptions, type ParsePurpose, type TmpfsOptions } from './options.ts';
import {
  allocateWithin, mountInitialUnlessNewinstance, mountNewEveryTime, mountSingleInstance, ptmxAlwaysSingle,
  ptmxOwnInstanceElseInitial, ptmxOwnInstanceElseSiblingPts, remountAtomically, remountInPlace,
  type Allocation, type Change, type Decision, type Lookup, type MountRequest, type Parser,
} from './instances.ts';
import { LIMITS_2639, LIMITS_34, LIMITS_6X, type PtyLimits } from './limits.ts';
import type { NodeView, Pos } from './paths.ts';
import type { DevptsFs, DevptsOptions, FsId, KernelState } from './state.ts';

/** The kernel's mode as the document names it: the states of the mode chart (charts/mode.ts). */
export type KernelMode = 'legacy' | 'singleInstance' | 'multiInstance' | 'perMountInstances';

export interface Profile {
  readonly id: ProfileId;
  /** Mode at boot (2.6.39-y/3.4-y move to multiInstance on the first newinstance mount). */
  readonly bootMode: KernelMode;
  /** The kernel creates an initial instance at boot (kern_mount), which never dies. */
  readonly initialInstance: boolean;
  /** Instances carry a /dev/pts/ptmx node (absent with CONFIG=n). */
  readonly ptmxNode: boolean;
  /** TIOCGPTPEER exists (4.13+); otherwise `peer` is EINVAL. The mode chart gives it to perMountInstances only (test/model/charts.test.ts holds the two together). */
  readonly peer: boolean;
  /** What an ioctl no tty layer knows answers (TIOCGPTPEER before 4.13): EINVAL up to 3.x, ENOTTY from 4.x (tty_ioctl). */
  readonly unknownIoctl: 'EINVAL' | 'ENOTTY';
  /**
   * The options the kernel's own instance has before anything mounts it. 4.4 =n:
   * new_pts_fs_info zeroes `max` and mount_single never parses for kern_mount, so every
   * ptmx open is ENOSPC until the first devpts mount remounts it (QEMU 4.4.178 =n).
   */
  readonly initialOptions?: Partial<DevptsOptions>;
  /**
   * kernel.pty.nr counts the ptys that exist (3.4+), or every pty allocated since boot:
   * 2.6.39's pty_unix98_remove is never called (kernel-code.md §1; fixed by "TTY: pty, fix
   * pty counting"). QEMU 2.6.39.4 =y: open, close, open gives 1, 1, 2.
   */
  readonly nrCountsDown: boolean;
  /** kernel.pty.reserve exists (3.4+). */
  readonly reserveSysctl: boolean;
  /**
   * A remount whose options fail changes nothing (6.x devpts_reconfigure, a fresh
   * context); otherwise parsing writes the live options before it fails and the ptmx node
   * is reset all the same (2.6.39/3.4 devpts_remount). What the clauses read (K4, I5);
   * `remountDevpts` is how the model does it.
   */
  readonly atomicRemount: boolean;
  /**
   * Where a mount makes a name busy for unlink: on any mount of its dentry in any
   * namespace (d_mountpoint, before 3.18) or only in the caller's namespace, the others
   * being detached (is_local_mountpoint + detach_mounts, 3.18 on). fs/namei.c vfs_unlink.
   */
  readonly unlinkBusy: 'anyNamespace' | 'callerNamespace';
  /** The pty limits as data (limits.ts): what `allocateIndex` must keep, and the clauses read (K5, I4). */
  readonly ptyLimits: PtyLimits;
  /** tmpfs option parsing: shmem_parse_options (up to 4.4; remount skips mode/uid/gid) or the fs_context parser (6.x). */
  readonly parseTmpfs: (data: string | undefined, purpose: ParsePurpose) => TmpfsOptions;
  /** Option parsing: the token table and its error behaviour. */
  readonly parseOptions: Parser;
  /** Which instance a devpts mount attaches, and what it does to it. */
  readonly mountDevpts: (req: MountRequest) => Decision;
  /** What a remount does to the instance's options and ptmx node. */
  readonly remountDevpts: (state: KernelState, fs: FsId, data: string | undefined, parse: Parser, readonly: boolean) => Change;
  /** Which instance an open of a c 5:2 node allocates in. */
  readonly ptmxInstance: (state: KernelState, pos: Pos, node: NodeView) => Lookup;
  /** Index allocation (the lowest free index within `ptyLimits`). */
  readonly allocateIndex: (state: KernelState, fs: DevptsFs) => Allocation;
  /** The options as /proc/mounts shows them (devpts_show_options). */
  readonly showOptions: (opts: DevptsOptions) => string[];
}

const table2639n = { ptmxmode: false, newinstance: false, max: false } as const; // CONFIG=n token table
const table2639y = { ptmxmode: true, newinstance: true, max: false } as const;
const table34y = { ptmxmode: true, newinstance: true, max: true } as const;

export const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  '2.6.39-n': {
    id: '2.6.39-n', bootMode: 'legacy', initialInstance: true, ptmxNode: false, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: false, reserveSysctl: false,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_2639, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table2639n, data, cur, purpose),
    mountDevpts: mountSingleInstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxAlwaysSingle,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639n, opts),
  },
  '2.6.39-y': {
    id: '2.6.39-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: false, reserveSysctl: false,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_2639, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table2639y, data, cur, purpose),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639y, opts),
  },
  '3.4-y': {
    id: '3.4-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table34y, data, cur, purpose),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table34y, opts),
  },
  // 4.4 (Ubuntu 16.04's kernel): 3.4's devpts (=n: 2.6.39's token table, 3.4's limits) and
  // 3.18's vfs_unlink; proved on QEMU 4.4.178 =y / =n
  '4.4-n': {
    id: '4.4-n', bootMode: 'legacy', initialInstance: true, ptmxNode: false, peer: false, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    initialOptions: { max: 0 },
    atomicRemount: false, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table2639n, data, cur, purpose),
    mountDevpts: mountSingleInstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxAlwaysSingle,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table2639n, opts),
  },
  '4.4-y': {
    id: '4.4-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: false, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table34y, data, cur, purpose),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table34y, opts),
  },
  // 4.7 to 6.14 (Debian 12's 6.1): 6.x's instances, lookup and limits, but the legacy mount
  // API: parse_mount_options' token table (newinstance accepted and ignored), "called with
  // bogus options" (also for `ro`, `nosuid` in the data), and devpts_remount writes the live
  // options before it fails and resets the ptmx node all the same. Devpts moved to the new
  // mount API in 6.15 (cc0876f817d6 "vfs: Convert devpts to use the new mount API").
  // QEMU Debian 6.1.0-50.
  '6.1': {
    id: '6.1', bootMode: 'perMountInstances', initialInstance: false, ptmxNode: true, peer: true, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: false, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_6X, parseTmpfs: parseTmpfsOptions,
    parseOptions: (data, cur, purpose) => { const r = parseLegacyOptions(table34y, data, cur, purpose); return { ...r, opts: { ...r.opts, newinstance: false } }; },
    mountDevpts: mountNewEveryTime,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseSiblingPts,
    allocateIndex: allocateWithin(LIMITS_6X),
    showOptions: (opts) => showOptions({ ptmxmode: true, max: true }, opts),
  },
  '6.x': {
    id: '6.x', bootMode: 'perMountInstances', initialInstance: false, ptmxNode: true, peer: true, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: true, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_6X, parseTmpfs: parseTmpfsOptions,
    parseOptions: (data) => parseFsParamOptions(data),
    mountDevpts: mountNewEveryTime,
    remountDevpts: remountAtomically,
    ptmxInstance: ptmxOwnInstanceElseSiblingPts,
    allocateIndex: allocateWithin(LIMITS_6X),
    showOptions: (opts) => showOptions({ ptmxmode: true, max: true }, opts),
  },
};

export function profileOf(id: ProfileId): Profile {
  return PROFILES[id];
}

/** The document's name for the kernel's current mode, read from the state (the mode chart's state). */
export function kernelMode(profile: Profile, state: KernelState): KernelMode {
  return profile.bootMode === 'singleInstance' && state.multiInstance ? 'multiInstance' : profile.bootMode;
}
