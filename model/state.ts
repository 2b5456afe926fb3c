// The kernel state the model steps over. Immutable: every step returns a new
// state that shares all untouched parts with the old one (structural sharing).

import type { MountFlag, ProfileId } from './ops.ts';

export type FsId = string;      // "fs1" (root), "tmpfsN", "devptsN"
export type MountId = string;   // "m1", "m2", ...
export type NsId = string;      // "ns1" is the initial mount namespace
export const INITIAL_NS: NsId = 'ns1';

/** Owner and permission bits of a node (mode masked to 07777). */
export interface Attrs { readonly mode: number; readonly uid: number; readonly gid: number }

/** An inode of an ordinary (non-devpts) filesystem: the root fs or a tmpfs. */
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
}

/** Mount options of one devpts instance (fs/devpts/inode.c struct pts_mount_opts). */
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
}

export type Fs = PlainFs | DevptsFs;

/** A vfsmount. `ns` null means detached (umounted, kept alive only by open handles). */
export interface Mount {
  readonly id: MountId;
  readonly ns: NsId | null;
  readonly fs: FsId;
  readonly root: number;            // inode of fs at the root of this mount (bind mounts: not the fs root)
  readonly parent: MountId | null;  // null for a namespace root or a detached mount
  readonly mountpoint: number;      // inode (in the parent's fs) this mount covers
  readonly flags: readonly MountFlag[];
}

export interface Namespace { readonly id: NsId; readonly root: MountId; readonly mounts: readonly MountId[] }

export interface Proc { readonly pid: number; readonly uid: number; readonly gid: number; readonly ns: NsId }

/** An open file. `mount`/`ino` say through which mount and node it was opened. */
export type Handle =
  | { readonly pid: number; readonly kind: 'master'; readonly fs: FsId; readonly index: number; readonly mount: MountId; readonly ino: number }
  | { readonly pid: number; readonly kind: 'slave'; readonly fs: FsId; readonly index: number; readonly mount: MountId; readonly ino: number }
  | { readonly pid: number; readonly kind: 'file'; readonly fs: FsId; readonly mount: MountId; readonly ino: number };

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
  readonly mounts: Readonly<Record<MountId, Mount>>;
  readonly fss: Readonly<Record<FsId, Fs>>;
  readonly handles: Readonly<Record<string, Handle>>;
  readonly sysctl: Sysctl;
  /** Name of the single/initial kernel instance (2.6.39, 3.4); null on 6.x. */
  readonly initialInstance: FsId | null;
  /** 2.6.39-y/3.4-y: a newinstance mount has succeeded ("multi-instance mode"). */
  readonly multiInstance: boolean;
  /** Counters for fresh names; handle names count successful opens and peers. */
  readonly next: { readonly mount: number; readonly ns: number; readonly fs: number; readonly fd: number };
}
