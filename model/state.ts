// The kernel state the model steps over. Immutable: every step returns a new
// state that shares all untouched parts with the old one (structural sharing).
//
// Identities are kernel identities: uids and gids are kernel ids (as the initial user
// namespace sees them), mount ids grow with creation (mountinfo order), and a process's
// root and working directory are places (mount + inode), as in its fs_struct.

import type { MountFlag, ProfileId } from './ops.ts';

export type FsId = string;      // "root", "rootfs", "tmpfs#N", "devpts#N", "devtmpfs"
export type MountId = string;   // "m0" (rootfs), "m1" (the root filesystem), "m2", ...
export type NsId = string;      // "ns1" is the initial mount namespace
export type UsernsId = string;  // "user1" is the initial user namespace
export const INITIAL_NS: NsId = 'ns1';
export const INITIAL_USERNS: UsernsId = 'user1';

/** A place in the tree: which mount, which inode of that mount's fs (a dentry, up to hard links). */
export interface Pos { readonly mount: MountId; readonly ino: number }

/** Owner and permission bits of a node (mode masked to 07777; ids are kernel ids). */
export interface Attrs { readonly mode: number; readonly uid: number; readonly gid: number }

/** An inode of an ordinary (non-devpts) filesystem: the root fs, a tmpfs, devtmpfs, rootfs. */
export type PlainInode =
  | (Attrs & { readonly type: 'dir'; readonly parent: number; readonly entries: Readonly<Record<string, number>> })
  | (Attrs & { readonly type: 'chr'; readonly parent: number; readonly major: number; readonly minor: number })
  | (Attrs & { readonly type: 'reg'; readonly parent: number })
  | (Attrs & { readonly type: 'lnk'; readonly parent: number; readonly target: string });

export interface PlainFs {
  readonly kind: 'plain';
  readonly id: FsId;
  readonly inodes: Readonly<Record<number, PlainInode>>;
  readonly nextIno: number;
  /** Superblock read-only (tmpfs mounted or remounted "ro"); absent: read-write. */
  readonly readonly?: boolean;
  /** The type mountinfo shows; absent: "tmpfs" (the root filesystem is a tmpfs, as in the harness). */
  readonly fstype?: 'devtmpfs' | 'rootfs';
  /** s_user_ns: the user namespace that mounted it; absent: the initial one. */
  readonly userns?: UsernsId;
  /** SB_I_NODEV: created in a non-initial user namespace (alloc_super 6.x): its device nodes do not open. */
  readonly nodev?: true;
  /** Inodes with no name left that something still holds (an open file, a bind mount, a working directory). */
  readonly unlinked?: readonly number[];
}

/** Mount options of one devpts instance (fs/devpts/inode.c struct pts_mount_opts); uid/gid are kernel ids. */
export interface DevptsOptions {
  readonly uid: number | null;      // null: slave owned by the opener's fsuid (setuid = 0)
  readonly gid: number | null;
  readonly mode: number;            // slave node mode, default 0600
  readonly ptmxmode: number;        // ptmx node mode, default 0000
  readonly max: number | null;      // 3.4+: per-instance limit; null = none given
  readonly newinstance: boolean;    // 2.6.39/3.4: set on a newinstance mount; never changed by remount
}

/** One pty pair of an instance. The slave node exists while the master is open. */
export interface Pty {
  readonly masterOpen: boolean;
  readonly slaveOpens: number;
  readonly locked: boolean;
  readonly node: Attrs | null;      // /dev/pts/N; null once the master closed
}

/** A killed slave inode something still refers to (a mount on it or of it, an open slave): no name, no tty. */
export interface DeadSlave { readonly index: number; readonly attrs: Attrs }

/** A devpts instance (superblock). Inode numbers: 1 root, 2 ptmx, N+3 slave N (devpts_pty_new). */
export interface DevptsFs {
  readonly kind: 'devpts';
  readonly id: FsId;
  readonly opts: DevptsOptions;
  readonly root: Attrs;
  readonly ptmx: Attrs | null;      // null where the profile has no ptmx node (2.6.39-n)
  readonly ptys: Readonly<Record<number, Pty>>;
  readonly initial: boolean;        // the initial kernel instance (2.6.39/3.4): never dies
  readonly reserve: boolean;        // 6.x: mounted from the initial mount namespace
  readonly readonly: boolean;       // superblock read-only ("ro" in 6.x data)
  /** s_user_ns: the user namespace that mounted it; absent: the initial one. */
  readonly userns?: UsernsId;
  /** Killed slave inodes still referred to, by inode number (≥ DEAD_SLAVE_INO; never a live slave's). */
  readonly dead?: Readonly<Record<number, DeadSlave>>;
}

export type Fs = PlainFs | DevptsFs;

/**
 * A vfsmount. `ns` null means detached (umounted, kept alive only by open files, a bind
 * of it, or a process's root or working directory). Propagation: `group` is its peer
 * group (shared), `master` the peer group it receives from (slave); absent: neither.
 */
export interface Mount {
  readonly id: MountId;
  readonly ns: NsId | null;
  readonly fs: FsId;
  readonly root: number;            // inode of fs at the root of this mount (bind mounts: not the fs root)
  readonly parent: MountId | null;  // null for a namespace root or a detached mount
  readonly mountpoint: number;      // inode (in the parent's fs) this mount covers
  readonly flags: readonly MountFlag[];
  readonly group?: number;
  /**
   * Its place in its peer group's ring (mnt_share: a copy goes right after the mount it
   * was copied from; propagation walks the ring from the mount it starts at). Only the
   * order of the keys of one group means anything; absent: 0.
   */
  readonly ring?: number;
  readonly master?: number;
  readonly unbindable?: true;
  /** MNT_LOCKED: copied into a less privileged user namespace; cannot be unmounted or moved alone. */
  readonly locked?: true;
  /** MNT_LOCK_*: flags a less privileged user namespace may not clear. */
  readonly lockedFlags?: readonly MountFlag[];
  /**
   * Its place among its parent's children after a move re-attached it (attach_mnt appends
   * to the parent's mnt_mounts, while the namespace's list keeps its place): a number from
   * the mount counter; absent, its id's number. copy_tree copies children in this order
   * (live 6.18: a namespace copied after `mount --move` lists the moved mount after the
   * parent's other children, its parent namespace does not).
   */
  readonly attached?: number;
}

export interface Namespace {
  readonly id: NsId;
  readonly root: MountId;
  /** Members in mount-id order, which is the order /proc/self/mountinfo lists them. */
  readonly mounts: readonly MountId[];
  /** The user namespace that owns it (mount, umount, remount need CAP_SYS_ADMIN there). */
  readonly owner: UsernsId;
}

/**
 * A user namespace made by `unshare -U -r`: id 0 inside maps to the creator's kernel
 * uid and gid (`uid`, `gid`), nothing else is mapped. The initial one maps everything.
 */
export interface UserNs {
  readonly id: UsernsId;
  readonly parent: UsernsId | null;
  readonly level: number;
  /** The creator's kernel euid (cap_capable: the creator has every capability in it). */
  readonly owner: number;
  readonly uid: number;
  readonly gid: number;
}

/** Id mapping of a process's user namespace: inside 0 ↔ these kernel ids (absent in the initial one: identity). */
export interface IdMap { readonly uid: number; readonly gid: number }

export interface Proc {
  readonly pid: number;
  /** Kernel uid and gid (fsuid = euid = uid). */
  readonly uid: number;
  readonly gid: number;
  readonly ns: NsId;
  readonly userns: UsernsId;
  /** Its user namespace's mapping; absent in the initial user namespace. */
  readonly map?: IdMap;
  /** Every capability in its own user namespace (its uid is 0 there). */
  readonly caps: boolean;
  /** fs_struct: root and working directory. */
  readonly root: Pos;
  readonly cwd: Pos;
}

/**
 * An open file descriptor. `file` names the open file description: dup and spawn with
 * `inherit` make descriptors that share one, and a pty end is released when the last
 * descriptor of its description closes. `mount`/`ino` say through which mount and
 * node it was opened, `dir` the directory the name was found in (dget_parent of the
 * opened dentry, which TIOCGPTPEER looks at).
 */
export type Handle =
  | { readonly pid: number; readonly file: number; readonly kind: 'master'; readonly fs: FsId; readonly index: number; readonly mount: MountId; readonly ino: number; readonly dir: number }
  | { readonly pid: number; readonly file: number; readonly kind: 'slave'; readonly fs: FsId; readonly index: number; readonly mount: MountId; readonly ino: number }
  | { readonly pid: number; readonly file: number; readonly kind: 'file'; readonly fs: FsId; readonly mount: MountId; readonly ino: number };

export interface Sysctl {
  readonly max: number;
  readonly reserve: number;
  /** 2.6.39 kernel.pty.nr: every pty allocated since boot (it never counts down; Profile.nrCountsDown). */
  readonly allocated?: number;
}

export interface KernelState {
  readonly profile: ProfileId;
  readonly procs: Readonly<Record<number, Proc>>;
  readonly namespaces: Readonly<Record<NsId, Namespace>>;
  readonly userns: Readonly<Record<UsernsId, UserNs>>;
  readonly mounts: Readonly<Record<MountId, Mount>>;
  readonly fss: Readonly<Record<FsId, Fs>>;
  /** Open handles by name. Any string is a name: read it with `handleOf`, never by indexing. */
  readonly handles: Readonly<Record<string, Handle>>;
  readonly sysctl: Sysctl;
  /** Name of the single/initial kernel instance (2.6.39, 3.4); null on 6.x. */
  readonly initialInstance: FsId | null;
  /** 2.6.39-y/3.4-y: a newinstance mount has succeeded ("multi-instance mode"). */
  readonly multiInstance: boolean;
  /** The kernel's one devtmpfs superblock (it exists from boot, mounted or not). */
  readonly devtmpfs: FsId;
  /** Counters for fresh names; handle names count successful opens, peers and dups. */
  readonly next: {
    readonly mount: number; readonly ns: number; readonly fs: number; readonly fd: number;
    readonly file: number; readonly group: number; readonly userns: number;
  };
}
