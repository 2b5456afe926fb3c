// The four kernel profiles (../shared/design/profiles.md). Every difference between
// kernels lives here, one field per concern; the rest of the model asks the record.

import type { Errno, ProfileId } from './ops.ts';
import { NR_UNIX98_PTY_MAX, parseFsParamOptions, parseLegacyOptions, parseLegacyTmpfsOptions, parseTmpfsOptions, showOptions, type IdMapper, type ParsePurpose, type TmpfsOptions } from './options.ts';
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
  readonly parseTmpfs: (data: string | undefined, purpose: ParsePurpose, ids?: IdMapper) => TmpfsOptions;
  /** Option parsing: the token table and its error behaviour. */
  readonly parseOptions: Parser;
  /** Which instance a devpts mount attaches, and what it does to it. */
  readonly mountDevpts: (req: MountRequest) => Decision;
  /** What a remount does to the instance's options and ptmx node. */
  readonly remountDevpts: (state: KernelState, fs: FsId, data: string | undefined, parse: Parser, readonly: boolean, removeCount: boolean, ids?: IdMapper) => Change;
  /** Which instance an open of a c 5:2 node allocates in (`dir`: the directory its name was found in). */
  readonly ptmxInstance: (state: KernelState, pos: Pos, node: NodeView, dir: number) => Lookup;
  /** Index allocation (the lowest free index within `ptyLimits`). */
  readonly allocateIndex: (state: KernelState, fs: DevptsFs) => Allocation;
  /** The options as /proc/mounts shows them (devpts_show_options). */
  readonly showOptions: (opts: DevptsOptions) => string[];
  /** unshare(CLONE_NEWUSER) exists (check_unshare_flags: EINVAL on 2.6.39 and 3.4, QEMU 2.6.39.4, 3.4.113). */
  readonly userns: boolean;
  /**
   * What a mount made from a non-initial user namespace gets: "lockNodev" (3.9 to 4.7
   * do_new_mount: a type without FS_USERNS_MOUNT is EPERM, one without
   * FS_USERNS_DEV_MOUNT - all but devpts - is mounted nodev with the flag locked; 4.4's
   * devpts needs newinstance there) or "nodevSuperblock" (4.8 on: the superblock of a
   * non-initial user namespace is SB_I_NODEV, devpts clears it). Code reading (4.4,
   * 6.1), live 6.18.
   */
  readonly usernsMounts: 'lockNodev' | 'nodevSuperblock';
  /** The largest value kernel.pty.max and .reserve take (pty_limit_max). */
  readonly sysctlMax: number;
  /** A mount onto a detached mount: lock_mount's ENOENT (6.x) or do_add_mount's check_mnt EINVAL (2.6.39, 3.4). */
  readonly mountOnDetached: Errno;
  /**
   * Mounting devtmpfs: "remount" — mount_single remounts the one superblock with the
   * mount's flags and data, errors ignored (drivers/base/devtmpfs.c dev_mount 2.6.39, 3.4:
   * code reading, to confirm on QEMU); "attach" — the data is checked, then the existing
   * superblock is attached as it is (6.x devtmpfs_get_tree); "reconfigure" — the one
   * superblock is remounted with the mount's flags and data, its error failing the mount
   * (5.x to 6.1 public_dev_mount → reconfigure_single: code reading, to confirm on QEMU).
   */
  readonly devtmpfsMount: 'remount' | 'reconfigure' | 'attach';
  /**
   * fs.protected_hardlinks: only a safe source may be linked by a non-owner (may_linkat,
   * 3.6+). The kernel's default is 0 (3.7's "VFS: don't do protected {sym,hard}links by
   * default"; QEMU 4.4.178: a non-owner links root's file); systemd sets it to 1, as on
   * the live host (6.x).
   */
  readonly protectedHardlinks: boolean;
  /**
   * When chown drops setgid from a non-directory: "groupExec" — only with group-execute
   * (notify_change's ATTR_KILL_SGID, to 6.1; QEMU 4.4.178 keeps 02745 of an owner not in
   * the group), "notInGroup" — also when the caller is neither in the file's group nor
   * CAP_FSETID (setattr_should_drop_sgid, 6.2 on; live 6.18).
   */
  readonly sgidKill: 'groupExec' | 'notInGroup';
  /**
   * A superblock cannot go read-only while an inode with no name left is held in any way
   * (s_remove_count, 3.4 on), not only by an open file (2.6.39 fs_may_remount_ro): a killed
   * slave node or an unlinked file a bind mount holds. QEMU 2.6.39.4 / 3.4.113, live 6.18.
   */
  readonly removeCount: boolean;
  /**
   * Who may remount a superblock, and when it is asked: "init" — CAP_SYS_ADMIN in the
   * initial user namespace, before the data is parsed (do_remount's capable(), to 4.7:
   * fs/namespace.c 4.4.178; QEMU 4.4.178 =n: a remount of /dev/pts from `unshare -U -r`
   * is EPERM even with bogus options), "owner" — CAP_SYS_ADMIN in the superblock's user
   * namespace (fs_context's do_remount, 5.1 on): a filesystem whose parameters fs_context
   * parses (tmpfs on 6.1 and 6.x, devpts from 6.15) is parsed first (EINVAL before EPERM),
   * a legacy one (devpts to 6.14) after (remount_fs). Live 6.18, QEMU 6.1.0-50.
   */
  readonly remountCapability: 'init' | 'owner';
  /** devpts' remount data is parsed before the capability check (fs_context parameters: 6.15 on). */
  readonly devptsRemountParsesFirst: boolean;
  /**
   * The order in which a namespace lists the copies one propagated mount made in it:
   * "made" — the order propagation made them (list_add_tail before 3.19; mountinfo sorted
   * by mount id from 6.8, live 6.18; QEMU 2.6.39.4), "reversed" — the reverse (3.19 to 6.7:
   * attach_recursive_mnt commits them from an hlist built head first; QEMU 4.4.178).
   */
  readonly propagatedListOrder: 'made' | 'reversed';
  /**
   * mount --make-TYPE of a mount not in the caller's namespace (a lazily detached root) is
   * EINVAL (do_change_type's check_mnt: "refuse to operate on unmounted/not ours mounts",
   * 6.16 and stable backports, CVE-2025-38498; live 6.18, QEMU Debian 6.1.0-50); before, it
   * changes it.
   */
  readonly changeTypeChecksNs: boolean;
  /**
   * The order of umount2's checks: "targetFirst" — the path, then not a mount root or not
   * in the caller's namespace (EINVAL), then CAP_SYS_ADMIN (EPERM) (2.6.39, 3.4; QEMU
   * 3.4.113); "permissionFirst" — may_mount (EPERM) before the path is even looked up
   * (3.8 to 5.8, code reading); "lookupFirst" — the path, then can_umount: may_mount, then
   * EINVAL (5.9 path_umount; live 6.18).
   */
  readonly umountOrder: 'targetFirst' | 'permissionFirst' | 'lookupFirst';
  /** link(2): a target on another mount is EXDEV before the new name is looked up (2.6.39 sys_linkat; QEMU 2.6.39.4), not after (3.x kern_path_create). */
  readonly linkXdevFirst: boolean;
}

const table2639n = { ptmxmode: false, newinstance: false, max: false } as const; // CONFIG=n token table
const table2639y = { ptmxmode: true, newinstance: true, max: false } as const;
const table34y = { ptmxmode: true, newinstance: true, max: true } as const;

export const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  '2.6.39-n': {
    id: '2.6.39-n', bootMode: 'legacy', initialInstance: true, ptmxNode: false, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: false, reserveSysctl: false,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_2639, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose, ids) => parseLegacyOptions(table2639n, data, cur, purpose, ids),
    mountDevpts: mountSingleInstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxAlwaysSingle,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639n, opts),
    userns: false, sysctlMax: NR_UNIX98_PTY_MAX, mountOnDetached: 'EINVAL', devtmpfsMount: 'remount', protectedHardlinks: false, usernsMounts: 'lockNodev', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'init', removeCount: false, propagatedListOrder: 'made', changeTypeChecksNs: false, umountOrder: 'targetFirst', linkXdevFirst: true,
  },
  '2.6.39-y': {
    id: '2.6.39-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: false, reserveSysctl: false,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_2639, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose, ids) => parseLegacyOptions(table2639y, data, cur, purpose, ids),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639y, opts),
    userns: false, sysctlMax: NR_UNIX98_PTY_MAX, mountOnDetached: 'EINVAL', devtmpfsMount: 'remount', protectedHardlinks: false, usernsMounts: 'lockNodev', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'init', removeCount: false, propagatedListOrder: 'made', changeTypeChecksNs: false, umountOrder: 'targetFirst', linkXdevFirst: true,
  },
  '3.4-y': {
    id: '3.4-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'EINVAL', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: false, unlinkBusy: 'anyNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose, ids) => parseLegacyOptions(table34y, data, cur, purpose, ids),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table34y, opts),
    // 3.4 devpts pty_limit_max = INT_MAX; kernel.pty.nr counts down again (devpts_kill_index: pty_count--)
    userns: false, sysctlMax: 0x7fffffff, mountOnDetached: 'EINVAL', devtmpfsMount: 'remount', protectedHardlinks: false, usernsMounts: 'lockNodev', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'init', removeCount: true, propagatedListOrder: 'made', changeTypeChecksNs: false, umountOrder: 'targetFirst', linkXdevFirst: false,
  },
  // 4.4 (Ubuntu 16.04's kernel): 3.4's devpts (=n: 2.6.39's token table, 3.4's limits) and
  // 3.18's vfs_unlink; proved on QEMU 4.4.178 =y / =n
  '4.4-n': {
    id: '4.4-n', bootMode: 'legacy', initialInstance: true, ptmxNode: false, peer: false, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    initialOptions: { max: 0 },
    atomicRemount: false, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose, ids) => parseLegacyOptions(table2639n, data, cur, purpose, ids),
    mountDevpts: mountSingleInstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxAlwaysSingle,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table2639n, opts),
    // 4.4: user namespaces (3.8+), protected_hardlinks (3.6+), devtmpfs still mount_single,
    // check_mnt's EINVAL for a detached target: code reading, to confirm on QEMU
    userns: true, sysctlMax: 0x7fffffff, mountOnDetached: 'EINVAL', devtmpfsMount: 'remount', protectedHardlinks: false, usernsMounts: 'lockNodev', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'init', removeCount: true, propagatedListOrder: 'reversed', changeTypeChecksNs: false, umountOrder: 'permissionFirst', linkXdevFirst: false,
  },
  '4.4-y': {
    id: '4.4-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: false, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_34, parseTmpfs: parseLegacyTmpfsOptions,
    parseOptions: (data, cur, purpose, ids) => parseLegacyOptions(table34y, data, cur, purpose, ids),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table34y, opts),
    userns: true, sysctlMax: 0x7fffffff, mountOnDetached: 'EINVAL', devtmpfsMount: 'remount', protectedHardlinks: false, usernsMounts: 'lockNodev', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'init', removeCount: true, propagatedListOrder: 'reversed', changeTypeChecksNs: false, umountOrder: 'permissionFirst', linkXdevFirst: false,
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
    parseOptions: (data, cur, purpose, ids) => { const r = parseLegacyOptions(table34y, data, cur, purpose, ids); return { ...r, opts: { ...r.opts, newinstance: false } }; },
    mountDevpts: mountNewEveryTime,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseSiblingPts,
    allocateIndex: allocateWithin(LIMITS_6X),
    showOptions: (opts) => showOptions({ ptmxmode: true, max: true }, opts),
    // 6.1: devtmpfs's public_dev_mount reconfigures the one superblock (reconfigure_single,
    // its error returned); do_add_mount's check_mnt EINVAL for a detached target: code
    // reading, to confirm on QEMU
    userns: true, sysctlMax: 0x7fffffff, mountOnDetached: 'EINVAL', devtmpfsMount: 'reconfigure', protectedHardlinks: false, usernsMounts: 'nodevSuperblock', sgidKill: 'groupExec', devptsRemountParsesFirst: false, remountCapability: 'owner', removeCount: true, propagatedListOrder: 'reversed', changeTypeChecksNs: true, umountOrder: 'lookupFirst', linkXdevFirst: false,
  },
  '6.x': {
    id: '6.x', bootMode: 'perMountInstances', initialInstance: false, ptmxNode: true, peer: true, unknownIoctl: 'ENOTTY', nrCountsDown: true, reserveSysctl: true,
    atomicRemount: true, unlinkBusy: 'callerNamespace', ptyLimits: LIMITS_6X, parseTmpfs: parseTmpfsOptions,
    parseOptions: (data, _current, purpose, ids) => parseFsParamOptions(data, purpose, ids),
    mountDevpts: mountNewEveryTime,
    remountDevpts: remountAtomically,
    ptmxInstance: ptmxOwnInstanceElseSiblingPts,
    allocateIndex: allocateWithin(LIMITS_6X),
    showOptions: (opts) => showOptions({ ptmxmode: true, max: true }, opts),
    // live 6.18: `unshare -U -r -m` works; a mount onto a lazily unmounted tree is ENOENT
    userns: true, sysctlMax: 0x7fffffff, mountOnDetached: 'ENOENT', devtmpfsMount: 'attach', protectedHardlinks: true, usernsMounts: 'nodevSuperblock', sgidKill: 'notInGroup', devptsRemountParsesFirst: true, remountCapability: 'owner', removeCount: true, propagatedListOrder: 'made', changeTypeChecksNs: true, umountOrder: 'lookupFirst', linkXdevFirst: false,
  },
};

export function profileOf(id: ProfileId): Profile {
  return PROFILES[id];
}

/** The document's name for the kernel's current mode, read from the state (the mode chart's state). */
export function kernelMode(profile: Profile, state: KernelState): KernelMode {
  return profile.bootMode === 'singleInstance' && state.multiInstance ? 'multiInstance' : profile.bootMode;
}
