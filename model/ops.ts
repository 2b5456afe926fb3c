// The one op vocabulary (../shared/design/operations.md) and the one result shape.
// Every component speaks these types: model, generators, explorer, traces, shell, harness.

export type ProfileId = '2.6.39-n' | '2.6.39-y' | '3.4-y' | '4.4-n' | '4.4-y' | '6.1' | '6.x';
export const PROFILE_IDS: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y', '6.1', '6.x'];

export type MountFlag = 'ro' | 'nosuid' | 'nodev' | 'noexec';
export const MOUNT_FLAGS: readonly MountFlag[] = ['ro', 'nosuid', 'nodev', 'noexec'];

interface Base { pid?: number }

/** How a new mount namespace's mounts propagate (util-linux `unshare --propagation`; "keep" = the raw syscall). */
export type NsPropagation = 'private' | 'keep' | 'unchanged' | 'shared' | 'slave';
export const NS_PROPAGATIONS: readonly NsPropagation[] = ['private', 'keep', 'unchanged', 'shared', 'slave'];
/** mount --make-TYPE. */
export type PropagationType = 'shared' | 'private' | 'slave' | 'unbindable';
export const PROPAGATION_TYPES: readonly PropagationType[] = ['shared', 'private', 'slave', 'unbindable'];

export type Op =
  | (Base & { op: 'spawn'; child: number; newns?: boolean; inherit?: boolean; propagation?: NsPropagation })
  | (Base & { op: 'unshare'; mount?: boolean; user?: boolean; propagation?: NsPropagation })
  | (Base & { op: 'chroot'; path: string })
  | (Base & { op: 'pivotRoot'; newRoot: string; putOld: string })
  | (Base & { op: 'chdir'; path: string })
  | (Base & { op: 'setuid'; uid: number; gid?: number })
  | (Base & { op: 'exit' })
  | (Base & { op: 'mount'; fstype: string; target: string; options?: string; flags?: MountFlag[] })
  | (Base & { op: 'remount'; target: string; options?: string; flags?: MountFlag[]; bind?: boolean })
  | (Base & { op: 'bind'; source: string; target: string; recursive?: boolean })
  | (Base & { op: 'move'; source: string; target: string })
  | (Base & { op: 'propagate'; target: string; type: PropagationType; recursive?: boolean })
  | (Base & { op: 'umount'; target: string; lazy?: boolean })
  | (Base & { op: 'mkdir'; path: string; mode?: string })
  | (Base & { op: 'mknod'; path: string; major: number; minor: number; mode?: string })
  | (Base & { op: 'touch'; path: string })
  | (Base & { op: 'symlink'; target: string; path: string })
  | (Base & { op: 'unlink'; path: string })
  | (Base & { op: 'rename'; from: string; to: string })
  | (Base & { op: 'link'; target: string; path: string })
  | (Base & { op: 'chmod'; path: string; mode: string })
  | (Base & { op: 'chown'; path: string; uid: number; gid: number })
  | (Base & { op: 'stat'; path: string; nofollow?: boolean })
  | (Base & { op: 'readdir'; path: string })
  | (Base & { op: 'mounts' })
  | (Base & { op: 'open'; path: string; as?: string })
  | (Base & { op: 'unlockpt'; fd: string })
  | (Base & { op: 'peer'; fd: string; as?: string })
  | (Base & { op: 'close'; fd: string })
  | (Base & { op: 'dup'; fd: string; as?: string })
  | (Base & { op: 'fstat'; fd: string })
  | (Base & { op: 'sysctl'; name: string; value?: number });

export type OpName = Op['op'];
export const OP_NAMES: readonly OpName[] = [
  'spawn', 'unshare', 'chroot', 'pivotRoot', 'chdir', 'setuid', 'exit', 'mount', 'remount', 'bind', 'move',
  'propagate', 'umount', 'mkdir', 'mknod', 'touch', 'symlink', 'unlink', 'rename', 'link', 'chmod', 'chown',
  'stat', 'readdir', 'mounts', 'open', 'unlockpt', 'peer', 'close', 'dup', 'fstat', 'sysctl',
];

export type Errno =
  | 'EACCES' | 'EPERM' | 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'EEXIST' | 'EINVAL' | 'EBUSY'
  | 'EIO' | 'ENOSPC' | 'ENODEV' | 'ENXIO' | 'ELOOP' | 'EROFS' | 'EBADF' | 'ENOTTY' | 'ENOTEMPTY'
  | 'ENAMETOOLONG' | 'EXDEV';

export type FileType = 'dir' | 'chr' | 'reg' | 'lnk';

/** A kernel result: success with values, or an errno. `log` carries console lines. */
export interface OkResult {
  ok: true;
  fd?: string;
  index?: number;
  type?: FileType;
  mode?: string;
  uid?: number;
  gid?: number;
  rdev?: string;
  fs?: string;
  entries?: string[];
  /** `mounts`: the process's mountinfo lines, in order. */
  mounts?: MountEntry[];
  /** `sysctl` read. */
  value?: number;
  log?: string[];
}

/** One line of a process's /proc/self/mountinfo as `mounts` returns it (operations.md). */
export interface MountEntry {
  /** Mount point relative to the process's root. */
  target: string;
  fstype: string;
  /** devpts1, devpts2, ... or "other" (relabelled like every `fs`). */
  fs: string;
  /** devpts only: the instance's options as the kernel prints them (devpts_show_options). */
  options?: string;
}
export interface ErrnoResult { errno: Errno; log?: string[] }
/** Not a kernel result: the step itself was not well-formed (unknown handle, missing pid, ...). */
export interface ToolError { error: string; field: string }

export type KernelResult = OkResult | ErrnoResult;
export type StepResult = KernelResult | ToolError;

export const isToolError = (r: StepResult): r is ToolError => 'error' in r;
export const isErrno = (r: StepResult): r is ErrnoResult => 'errno' in r;
export const isOk = (r: StepResult): r is OkResult => 'ok' in r;

/** Boot configuration of a trace (operations.md, "The world at boot"). */
export interface BootConfig {
  devptsOptions?: string;
  mountDevpts?: boolean;
  ptmxMode?: string;
  /** "dir" (default): /dev is a directory of the root fs; "devtmpfs": the kernel's one devtmpfs mounted on /dev. */
  dev?: 'dir' | 'devtmpfs';
  /** "private" (default) or "shared": every boot mount shared, as systemd leaves a system. */
  rootPropagation?: 'private' | 'shared';
}

/** Octal mode string as the contract prints it: "0620", "0000", "07777". */
export const formatMode = (mode: number): string => '0' + mode.toString(8).padStart(3, '0');
export const parseModeString = (s: string): number | null =>
  /^[0-7]{1,7}$/.test(s) ? parseInt(s, 8) & 0o7777 : null;
