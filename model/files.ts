// Ordinary file operations: mkdir, mknod, touch, symlink, unlink, chmod, chown, stat, readdir.
// Inside devpts, creating or removing names is EPERM; chmod/chown of its nodes work (live 6.x S4h).

import { formatMode, parseModeString, type Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import {
  DEVPTS_PTMX_INO, DEVPTS_ROOT_INO, X, W, R, isRoot, lookupChild, mountOf, nodeAt, permits, resolve, walkParent,
  type NodeView, type Pos,
} from './paths.ts';
import { collect, detachTree, pinned } from './mounts.ts';
import { put } from './records.ts';
import type { Attrs, KernelState, PlainFs, PlainInode } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** The mount or its superblock is read-only (mnt_want_write: EROFS). */
export function readOnlyAt(state: KernelState, pos: Pos): boolean {
  const m = mountOf(state, pos.mount);
  const fs = state.fss[m.fs]!;
  return m.flags.includes('ro') || (fs.readonly ?? false);
}

/** Is there a mount on `pos` in the caller's namespace (is_local_mountpoint), or with `anyNamespace` in any live one (d_mountpoint)? */
function isLocalMountpoint(state: KernelState, pos: Pos, anyNamespace = false): boolean {
  const ns = mountOf(state, pos.mount).ns;
  if (ns === null) return false;
  if (anyNamespace) {
    // d_mountpoint (2.6.39, 3.4): the dentry is mounted on, in whatever namespace
    const fs = mountOf(state, pos.mount).fs;
    for (const id in state.mounts) {
      const m = state.mounts[id]!;
      if (m.ns !== null && m.parent !== null && m.mountpoint === pos.ino && mountOf(state, m.parent).fs === fs) return true;
    }
    return false;
  }
  // __is_local_mountpoint compares dentries: a mount on the same inode through any mount of
  // its filesystem counts (live 6.x: with /dev bound on /tmp/b and /dev/pts/ptmx bound on
  // /dev/ptmx, `unlink /tmp/b/ptmx` is EBUSY)
  const fs = mountOf(state, pos.mount).fs;
  return state.namespaces[ns]!.mounts.some((id) => {
    const m = state.mounts[id]!;
    return m.parent !== null && m.mountpoint === pos.ino && mountOf(state, m.parent).fs === fs;
  });
}

type NewInode = { type: 'dir' } | { type: 'chr'; major: number; minor: number } | { type: 'reg' } | { type: 'lnk'; target: string };

/**
 * filename_create + vfs_mk*: EEXIST before EROFS before EACCES (w+x on the parent);
 * devpts has no create operations: EPERM (`createErrno` EACCES for O_CREAT, live 6.x S4h).
 */
function create(ctx: Ctx, path: string, mode: number, what: NewInode, createErrno: 'EPERM' | 'EACCES' = 'EPERM'): Outcome {
  const { state, proc } = ctx;
  const w = walkParent(state, proc, path);
  if (!w.ok) return fail(state, w.errno);
  if (w.child !== null) return fail(state, 'EEXIST');
  if (readOnlyAt(state, w.dir)) return fail(state, 'EROFS');
  if (!permits(w.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  const fs = state.fss[mountOf(state, w.dir.mount).fs]!;
  if (fs.kind !== 'plain') return fail(state, createErrno);
  const ino = fs.nextIno;
  const attrs = { mode: mode & 0o7777, uid: proc.uid, gid: proc.gid, parent: w.dir.ino };
  const inode = { ...attrs, ...what, ...(what.type === 'dir' ? { entries: {} } : {}) } as PlainInode;
  const dir = fs.inodes[w.dir.ino]! as Extract<PlainInode, { type: 'dir' }>;
  const next: PlainFs = {
    ...fs, nextIno: ino + 1,
    inodes: { ...fs.inodes, [ino]: inode, [w.dir.ino]: { ...dir, entries: { ...dir.entries, [w.name]: ino } } },
  };
  return done({ ...state, fss: put(state.fss, fs.id, next) });
}

const modeOr = (s: string | undefined, dflt: number): number => (s === undefined ? dflt : parseModeString(s) ?? dflt);

export const mkdirOp = (ctx: Ctx, op: OpOf<'mkdir'>): Outcome => create(ctx, op.path, modeOr(op.mode, 0o755), { type: 'dir' });

/** mknod needs CAP_MKNOD (vfs_mknod): EPERM for others, after the path checks. */
export function mknodOp(ctx: Ctx, op: OpOf<'mknod'>): Outcome {
  if (!isRoot(ctx.proc)) {
    const w = walkParent(ctx.state, ctx.proc, op.path);
    if (!w.ok) return fail(ctx.state, w.errno);
    if (w.child !== null) return fail(ctx.state, 'EEXIST');
    if (readOnlyAt(ctx.state, w.dir)) return fail(ctx.state, 'EROFS');
    return fail(ctx.state, 'EPERM');
  }
  return create(ctx, op.path, modeOr(op.mode, 0o666), { type: 'chr', major: op.major, minor: op.minor });
}

export const symlinkOp = (ctx: Ctx, op: OpOf<'symlink'>): Outcome => create(ctx, op.path, 0o777, { type: 'lnk', target: op.target });

/** touch: an existing file is only touched (utimensat: EROFS, then owner or write access); else O_CREAT 0644. */
export function touchOp(ctx: Ctx, op: OpOf<'touch'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (r.ok) {
    if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
    if (!isRoot(proc) && proc.uid !== r.node.attrs.uid && !permits(r.node.attrs, proc, W)) return fail(state, 'EACCES');
    return done(state);
  }
  if (r.errno !== 'ENOENT') return fail(state, r.errno);
  return create(ctx, op.path, 0o644, { type: 'reg' }, 'EACCES');
}

/** do_unlinkat: EROFS, ENOENT, may_delete (EACCES, sticky EPERM, EISDIR), EBUSY on a mountpoint, devpts EPERM. */
export function unlinkOp(ctx: Ctx, op: OpOf<'unlink'>): Outcome {
  const { state, proc } = ctx;
  const w = walkParent(state, proc, op.path);
  if (!w.ok) return fail(state, w.errno);
  if (readOnlyAt(state, w.dir)) return fail(state, 'EROFS');
  const ino = w.name === '.' || w.name === '..' ? null : lookupChild(state, w.dir, w.name);
  if (ino === null) return fail(state, w.name === '.' || w.name === '..' ? 'EISDIR' : 'ENOENT');
  const pos = { mount: w.dir.mount, ino };
  const node = nodeAt(state, pos)!;
  if (!permits(w.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  const sticky = (w.dirNode.attrs.mode & 0o1000) !== 0;
  if (sticky && !isRoot(proc) && proc.uid !== node.attrs.uid && proc.uid !== w.dirNode.attrs.uid) return fail(state, 'EPERM');
  if (node.type === 'dir') return fail(state, 'EISDIR');
  const fs = state.fss[mountOf(state, w.dir.mount).fs]!;
  // vfs_unlink: "no ->unlink" (EPERM) comes before is_local_mountpoint (EBUSY); live 6.x: a
  // file bind-mounted on a devpts ptmx node cannot be unlinked: EPERM
  if (fs.kind !== 'plain') return fail(state, 'EPERM'); // simple_dir_inode_operations has no unlink
  // fs/namei.c vfs_unlink, 2.6.39 and 3.4: d_mountpoint(dentry) → EBUSY, whichever
  // namespace the mount is in (QEMU 2.6.39.4 =y: a child's bind on its copy of /dev/ptmx
  // makes the parent's `unlink /dev/ptmx` EBUSY); 3.18 on: only the caller's namespace
  if (isLocalMountpoint(state, pos, ctx.profile.unlinkBusy === 'anyNamespace')) return fail(state, 'EBUSY');
  const dir = fs.inodes[w.dir.ino]! as Extract<PlainInode, { type: 'dir' }>;
  const entries = { ...dir.entries };
  delete entries[w.name];
  const inodes = { ...fs.inodes, [w.dir.ino]: { ...dir, entries } };
  // live 6.x: an open file keeps the inode and its dentry's parent: TIOCGPTPEER on a master
  // opened through /dev/ptmx still finds the sibling pts after `unlink /dev/ptmx` (collect
  // drops the inode with the last handle)
  if (!pinned(state, fs.id, ino)) delete inodes[ino];
  let next: KernelState = { ...state, fss: put(state.fss, fs.id, { ...fs, inodes }) };
  // vfs_unlink → detach_mounts: mounts on the unlinked dentry in other namespaces (in the
  // caller's it is EBUSY above) are detached, like a lazy umount. live 6.x: after pid 1
  // unlinks /dev/ptmx, the ptmx bind-mounted there in a child's namespace is gone too
  for (const id in next.mounts) {
    const m = next.mounts[id]!;
    if (m.ns !== null && m.parent !== null && m.mountpoint === ino && next.mounts[m.parent]!.fs === fs.id) next = detachTree(next, id);
  }
  return done(collect(next));
}

/** Replace a node's owner/mode, wherever it lives (plain inode, devpts root, ptmx or slave node). */
function setAttrs(state: KernelState, pos: Pos, attrs: Attrs): KernelState {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') {
    return { ...state, fss: put(state.fss, fs.id, { ...fs, inodes: { ...fs.inodes, [pos.ino]: { ...fs.inodes[pos.ino]!, ...attrs } } }) };
  }
  if (pos.ino === DEVPTS_ROOT_INO) return { ...state, fss: put(state.fss, fs.id, { ...fs, root: attrs }) };
  if (pos.ino === DEVPTS_PTMX_INO) return { ...state, fss: put(state.fss, fs.id, { ...fs, ptmx: attrs }) };
  const index = pos.ino - 3;
  const pty = fs.ptys[index]!;
  return { ...state, fss: put(state.fss, fs.id, { ...fs, ptys: { ...fs.ptys, [index]: { ...pty, node: attrs } } }) };
}

/** chmod_common / setattr_prepare: EROFS, owner or root (EPERM); setgid dropped for non-members. */
export function chmodOp(ctx: Ctx, op: OpOf<'chmod'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
  if (!isRoot(proc) && proc.uid !== r.node.attrs.uid) return fail(state, 'EPERM');
  let mode = (parseModeString(op.mode) ?? 0) & 0o7777;
  if (!isRoot(proc) && proc.gid !== r.node.attrs.gid) mode &= ~0o2000;
  return done(setAttrs(state, r.pos, { ...r.node.attrs, mode }));
}

/**
 * chown_common: EROFS, then only root may give a file away (a non-root owner may only
 * set its own gid); on non-directories setuid is dropped, setgid when group-exec is
 * set (6.x setattr_should_drop_sgid).
 */
export function chownOp(ctx: Ctx, op: OpOf<'chown'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
  const a = r.node.attrs;
  // chown_common: (uid_t)-1 / (gid_t)-1 leave that id as it is (live 6.x: chown -1:5 keeps
  // the owner; a non-root owner may chown -1:<own gid>)
  const uid = op.uid === 0xffffffff ? a.uid : op.uid;
  const gid = op.gid === 0xffffffff ? a.gid : op.gid;
  if (!isRoot(proc) && !(proc.uid === a.uid && uid === a.uid && (gid === a.gid || gid === proc.gid))) return fail(state, 'EPERM');
  let mode = a.mode;
  if (r.node.type !== 'dir') {
    mode &= ~0o4000;
    if ((mode & 0o2000) && ((mode & 0o010) || (!isRoot(proc) && proc.gid !== gid))) mode &= ~0o2000;
  }
  return done(setAttrs(state, r.pos, { mode, uid, gid }));
}

/** The `fs` value of a result: a devpts instance's id (relabelled by traces/), else "other". */
export const fsName = (node: NodeView): string => (node.devpts ? node.devpts.id : 'other');

export function statOp(ctx: Ctx, op: OpOf<'stat'>): Outcome {
  const r = resolve(ctx.state, ctx.proc, op.path, op.nofollow ?? false);
  if (!r.ok) return fail(ctx.state, r.errno);
  const n = r.node;
  return done(ctx.state, {
    type: n.type, mode: formatMode(n.attrs.mode), uid: n.attrs.uid, gid: n.attrs.gid,
    ...(n.rdev ? { rdev: `${n.rdev[0]}:${n.rdev[1]}` } : {}),
    fs: fsName(n),
  });
}

export function readdirOp(ctx: Ctx, op: OpOf<'readdir'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  if (r.node.type !== 'dir') return fail(state, 'ENOTDIR');
  if (!permits(r.node.attrs, proc, R)) return fail(state, 'EACCES');
  const fs = state.fss[mountOf(state, r.pos.mount).fs]!;
  let names: string[];
  if (fs.kind === 'plain') {
    const dir = fs.inodes[r.pos.ino] as Extract<PlainInode, { type: 'dir' }>;
    names = Object.keys(dir.entries);
  } else {
    // devpts root: the ptmx node (if any) plus one node per pty whose master is open [I2]
    names = fs.ptmx ? ['ptmx'] : [];
    for (const i in fs.ptys) if (fs.ptys[i]!.node) names.push(i);
  }
  return done(state, { entries: names.sort() });
}
