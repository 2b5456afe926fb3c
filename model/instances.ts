// devpts instances: creation, mounting policies, remount policies, ptmx instance
// lookup and index allocation. Each export is one policy; profiles.ts picks them.

import type { Errno } from './ops.ts';
import { DEFAULT_OPTIONS, type ParseOutcome, type ParsePurpose } from './options.ts';
import { followMounts, lookupChild, mountOf, nodeAt, DEVPTS_ROOT_INO, type NodeView, type Pos } from './paths.ts';
import { busyForReadonly } from './mounts.ts';
import { lowestFree, ptyLimitReached, type PtyLimits } from './limits.ts';
import { ptmxAfterRemount } from './charts/ptmx.ts';
import { put } from './records.ts';
import { INITIAL_NS, type DevptsFs, type DevptsOptions, type FsId, type KernelState, type MountId, type Proc } from './state.ts';

export type Parser = (data: string | undefined, current: DevptsOptions, purpose: ParsePurpose) => ParseOutcome;

export type Decision =
  | { readonly ok: true; readonly state: KernelState; readonly fs: FsId; readonly log: readonly string[] }
  | { readonly ok: false; readonly errno: Errno; readonly log: readonly string[] };

export type Change =
  | { readonly ok: true; readonly state: KernelState; readonly log: readonly string[] }
  | { readonly ok: false; readonly errno: Errno; readonly state: KernelState; readonly log: readonly string[] };

export function newInstance(
  state: KernelState, opts: DevptsOptions, init: { ptmx: boolean; owner: { uid: number; gid: number }; initial?: boolean; reserve?: boolean; readonly?: boolean },
): { state: KernelState; fs: FsId } {
  const id = `devpts#${state.next.fs}`;
  const fs: DevptsFs = {
    kind: 'devpts', id, opts,
    root: { mode: 0o755, uid: 0, gid: 0 },          // devpts_fill_super: S_IFDIR | S_IRUGO | S_IXUGO | S_IWUSR
    ptmx: init.ptmx ? { mode: opts.ptmxmode, ...init.owner } : null, // mknod_ptmx: mode from ptmxmode
    ptys: {},
    initial: init.initial ?? false,
    reserve: init.reserve ?? false,
    readonly: init.readonly ?? false,
  };
  return { state: { ...state, fss: put(state.fss, id, fs), next: { ...state.next, fs: state.next.fs + 1 } }, fs: id };
}

const withFs = (state: KernelState, fs: DevptsFs): KernelState => ({ ...state, fss: put(state.fss, fs.id, fs) });
const devptsOf = (state: KernelState, id: FsId): DevptsFs => state.fss[id] as DevptsFs;

// ---- which instance a devpts mount attaches -------------------------------------

export interface MountRequest {
  readonly state: KernelState; readonly proc: Proc; readonly data: string | undefined; readonly parse: Parser;
  /** MS_RDONLY (the op's 'ro' flag). */
  readonly readonly: boolean;
}

/**
 * 2.6.39-n: mount_single finds the one superblock and calls do_remount_sb, ignoring
 * its error: options are reset and applied up to the first bogus one, and the mount
 * succeeds anyway (fs/super.c mount_single, fs/devpts/inode.c devpts_remount, 2.6.39). [D3, K1]
 */
export function mountSingleInstance(req: MountRequest): Decision {
  const fs = devptsOf(req.state, req.state.initialInstance!);
  // mount_single → do_remount_sb(sb, flags, data), its result ignored (fs/super.c 2.6.39):
  // going read-only while a file is busy stops it before anything is parsed; a bogus
  // option stops it after the partial parse, before the flags; otherwise the single
  // superblock - every mount of it - becomes read-only or read-write as this mount asks
  // (MS_RMT_MASK). QEMU 2.6.39.4 =n: after `mount -o ro` elsewhere, unlink in /dev/pts is EROFS.
  if (req.readonly && !fs.readonly && busyForReadonly(req.state, fs)) return { ok: true, state: req.state, fs: fs.id, log: [] };
  const parsed = req.parse(req.data, fs.opts, 'remount');
  const readonly = parsed.ok ? req.readonly : fs.readonly;
  return { ok: true, state: withFs(req.state, { ...fs, opts: parsed.opts, readonly }), fs: fs.id, log: parsed.log };
}

/**
 * 2.6.39-y / 3.4-y devpts_mount: parse into a fresh copy (any error fails the mount,
 * nothing changes); `newinstance` makes a new instance whose ptmx node gets ptmxmode;
 * otherwise the initial instance's options are replaced wholesale by memcpy, and its
 * existing ptmx node keeps its mode (mknod_ptmx returns early). [D4, D6, K2, K3]
 */
export function mountInitialUnlessNewinstance(req: MountRequest): Decision {
  const parsed = req.parse(req.data, DEFAULT_OPTIONS, 'mount');
  if (!parsed.ok) return { ok: false, errno: 'EINVAL', log: parsed.log };
  if (parsed.opts.newinstance) {
    // (the mode chart, charts/mode.ts, moves to multiInstance on this successful mount)
    const made = newInstance(req.state, parsed.opts, { ptmx: true, owner: { uid: 0, gid: 0 } });
    return { ok: true, state: made.state, fs: made.fs, log: [] };
  }
  const initial = devptsOf(req.state, req.state.initialInstance!);
  return { ok: true, state: withFs(req.state, { ...initial, opts: { ...parsed.opts, newinstance: false } }), fs: initial.id, log: [] };
}

/**
 * 6.x: every mount is a new instance (4.7 devpts_mount; live 6.x S1a/S1b); reserve is
 * decided by the mounter's mount namespace (6.x parse_mount_options PARSE_MOUNT); the
 * ptmx node belongs to the mounter's fsuid/fsgid (6.x mknod_ptmx).
 */
export function mountNewEveryTime(req: MountRequest): Decision {
  const parsed = req.parse(req.data, DEFAULT_OPTIONS, 'mount');
  if (!parsed.ok) return { ok: false, errno: 'EINVAL', log: parsed.log };
  const made = newInstance(req.state, parsed.opts, {
    ptmx: true, owner: { uid: req.proc.uid, gid: req.proc.gid },
    reserve: req.proc.ns === INITIAL_NS, readonly: parsed.sbReadonly ?? false,
  });
  return { ok: true, state: made.state, fs: made.fs, log: parsed.log };
}

// ---- remount -------------------------------------------------------------------

/**
 * 2.6.39 / 3.4 devpts_remount: parse_mount_options writes the live options (reset,
 * then left to right up to the first error), then update_ptmx_mode sets the ptmx
 * node to the resulting ptmxmode (the ptmx chart's resetToOption), even when parsing
 * failed (EINVAL). [K4]
 */
export function remountInPlace(state: KernelState, id: FsId, data: string | undefined, parse: Parser, readonly: boolean): Change {
  const fs = devptsOf(state, id);
  // do_remount_sb (fs/super.c 2.6.39): going read-only while files are busy is EBUSY before remount_fs runs
  if (readonly && !fs.readonly && busyForReadonly(state, fs)) return { ok: false, errno: 'EBUSY', state, log: [] };
  const parsed = parse(data, fs.opts, 'remount');
  const ptmx = ptmxAfterRemount(fs, parsed.opts.ptmxmode);
  const next = withFs(state, { ...fs, opts: parsed.opts, ptmx });
  if (!parsed.ok) return { ok: false, errno: 'EINVAL', state: next, log: parsed.log };
  // do_remount_sb: MS_RDONLY without MS_BIND makes the superblock (every mount of it) read-only
  return { ok: true, state: withFs(state, { ...fs, opts: parsed.opts, ptmx, readonly }), log: parsed.log };
}

/**
 * 6.x devpts_reconfigure: a fresh, defaulted context; a bad option fails and changes
 * nothing; success replaces every option (reserve kept) and resets the ptmx node's
 * mode, keeping its owner (live 6.x S3, S7). [K4]
 */
export function remountAtomically(state: KernelState, id: FsId, data: string | undefined, parse: Parser, readonly: boolean): Change {
  const fs = devptsOf(state, id);
  const parsed = parse(data, DEFAULT_OPTIONS, 'remount');
  if (!parsed.ok) return { ok: false, errno: 'EINVAL', state, log: parsed.log };
  const ptmx = ptmxAfterRemount(fs, parsed.opts.ptmxmode);
  // do_remount → fs_context_for_reconfigure(sb, sb_flags, MS_RMT_MASK): the sb follows MS_RDONLY
  // (the op's 'ro' flag) unless "ro"/"rw" in the data string say otherwise
  return { ok: true, state: withFs(state, { ...fs, opts: parsed.opts, ptmx, readonly: parsed.sbReadonly ?? readonly }), log: parsed.log };
}

// ---- which instance an open of a ptmx node allocates in ---------------------------

export type Lookup = { readonly ok: true; readonly fs: FsId; readonly mount?: MountId } | { readonly ok: false; readonly errno: Errno };

/** 2.6.39-n: there is one instance; every ptmx open allocates there. */
export function ptmxAlwaysSingle(state: KernelState): Lookup {
  return { ok: true, fs: state.initialInstance! };
}

/**
 * 2.6.39-y / 3.4-y pts_sb_from_inode: a ptmx inode on devpts allocates in its own
 * instance; any other c 5:2 node in the initial instance. [D7, U5]
 */
export function ptmxOwnInstanceElseInitial(state: KernelState, _pos: Pos, node: NodeView): Lookup {
  return { ok: true, fs: node.devpts ? node.devpts.id : state.initialInstance! };
}

/**
 * 6.x devpts_acquire: a ptmx inode on devpts allocates in its own instance; any other
 * c 5:2 node uses the devpts mounted at the sibling `pts` (devpts_ptmx_path). [K8]
 */
export function ptmxOwnInstanceElseSiblingPts(state: KernelState, pos: Pos, node: NodeView): Lookup {
  if (node.devpts) return { ok: true, fs: node.devpts.id };
  return siblingPts(state, pos, node.parent);
}

/**
 * devpts_ptmx_path / path_pts (6.x): look up `pts` in the parent directory of the node
 * inside the same mount (no symlink following), go to the topmost mount there and
 * require the root of a devpts mount. ENOENT without `pts`, ENODEV otherwise. [K8]
 */
export function siblingPts(state: KernelState, pos: Pos, parentIno: number): Lookup {
  // path_pts: path_connected(mnt, parent) fails for a bind mount of a single file: ENOENT (fs/namei.c path_pts, 4.7 and 6.x)
  if (mountOf(state, pos.mount).root === pos.ino && nodeAt(state, pos)?.type !== 'dir') return { ok: false, errno: 'ENOENT' };
  const ptsIno = lookupChild(state, { mount: pos.mount, ino: parentIno }, 'pts');
  if (ptsIno === null) return { ok: false, errno: 'ENOENT' };
  const top = followMounts(state, { mount: pos.mount, ino: ptsIno });
  const m = mountOf(state, top.mount);
  const fs = state.fss[m.fs]!;
  if (fs.kind !== 'devpts' || top.ino !== DEVPTS_ROOT_INO || m.root !== DEVPTS_ROOT_INO) return { ok: false, errno: 'ENODEV' };
  return { ok: true, fs: fs.id, mount: top.mount };
}

// ---- index allocation and limits ---------------------------------------------------

export type Allocation = { readonly ok: true; readonly index: number } | { readonly ok: false; readonly errno: Errno };

/** devpts_new_index: the lowest free index, unless the profile's limits (limits.ts, the one rule) refuse it. [I1, K5] */
export function allocateWithin(limits: PtyLimits): (state: KernelState, fs: DevptsFs) => Allocation {
  return (state, fs) => {
    const index = lowestFree(fs);
    const errno = ptyLimitReached(limits, state, fs, index);
    return errno === null ? { ok: true, index } : { ok: false, errno };
  };
}

export { nodeAt, lowestFree };
