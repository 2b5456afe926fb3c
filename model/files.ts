// Ordinary file operations: mkdir, mknod, touch, symlink, unlink, chmod, chown, stat, readdir.
// Inside devpts, creating or removing names is EPERM; chmod/chown of its nodes work (live 6.x S4h).

import { formatMode, parseModeString, type Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import {
  DEAD_SLAVE_INO, DEVPTS_PTMX_INO, DEVPTS_ROOT_INO, X, W, R, lookupChild, mountOf, nodeAt, permits, resolve, walkParent,
  type NodeView, type Pos,
} from './paths.ts';
import { collect, pinned } from './collect.ts';
import { detachTree } from './mount-tree.ts';
import { readOnlyAt } from './readonly.ts';
import { put } from './records.ts';
import { capableInInit, kernelGid, kernelUid, privilegedOver, shownGid, shownUid } from './userns.ts';
import type { Attrs, DevptsFs, KernelState, PlainFs, PlainInode, Proc } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;
type DirInode = Extract<PlainInode, { type: 'dir' }>;

export { readOnlyAt };

/** Is there a mount on `pos` in the caller's namespace (is_local_mountpoint), or with `anyNamespace` in any live one (d_mountpoint)? */
export function isLocalMountpoint(state: KernelState, pos: Pos, anyNamespace = false): boolean {
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
 * a trailing slash on a name that does not exist is ENOENT except for mkdir
 * (filename_create: "you had / on the end, you've been asking for (non-existent)
 * directory"); devpts has no create operations: EPERM (`createErrno` EACCES for O_CREAT,
 * live 6.x S4h). The owner is the caller; in a setgid directory the group is the
 * directory's and a new directory is setgid too (inode_init_owner). `mustCapable`:
 * mknod of a device needs CAP_MKNOD in the initial user namespace, after may_create
 * (vfs_mknod; live 6.18: EACCES in an unwritable directory, EPERM in a writable one).
 */
function create(ctx: Ctx, path: string, mode: number, what: NewInode, createErrno: 'EPERM' | 'EACCES' = 'EPERM', mustCapable = false): Outcome {
  const { state, proc } = ctx;
  const w = walkParent(state, proc, path);
  if (!w.ok) return fail(state, w.errno);
  if (w.child !== null) return fail(state, 'EEXIST');
  if (w.slash && what.type !== 'dir') return fail(state, createErrno === 'EACCES' ? 'EISDIR' : 'ENOENT');
  if (readOnlyAt(state, w.dir)) return fail(state, 'EROFS');
  if (!permits(w.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  if (mustCapable && !capableInInit(proc)) return fail(state, 'EPERM');
  const fs = state.fss[mountOf(state, w.dir.mount).fs]!;
  if (fs.kind !== 'plain') return fail(state, createErrno);
  const dir = fs.inodes[w.dir.ino]! as DirInode;
  const setgidDir = (dir.mode & 0o2000) !== 0;
  const ino = fs.nextIno;
  const finalMode = (mode & 0o7777) | (what.type === 'dir' && setgidDir ? 0o2000 : 0);
  const attrs = { mode: finalMode, uid: proc.uid, gid: setgidDir ? dir.gid : proc.gid, parent: w.dir.ino };
  const inode = { ...attrs, ...what, ...(what.type === 'dir' ? { entries: {} } : {}) } as PlainInode;
  const next: PlainFs = {
    ...fs, nextIno: ino + 1,
    inodes: { ...fs.inodes, [ino]: inode, [w.dir.ino]: { ...dir, entries: { ...dir.entries, [w.name]: ino } } },
  };
  return done({ ...state, fss: put(state.fss, fs.id, next) });
}

const modeOr = (s: string | undefined, dflt: number): number => (s === undefined ? dflt : parseModeString(s) ?? dflt);

/** mkdir: vfs_mkdir keeps only the permission and sticky bits (live 6.18: 02775 → 0775, 07777 → 01777, root included). */
export const mkdirOp = (ctx: Ctx, op: OpOf<'mkdir'>): Outcome => create(ctx, op.path, modeOr(op.mode, 0o755) & 0o1777, { type: 'dir' });

/** mknod of a character device: CAP_MKNOD (initial user namespace), after the path and permission checks. */
export const mknodOp = (ctx: Ctx, op: OpOf<'mknod'>): Outcome =>
  create(ctx, op.path, modeOr(op.mode, 0o666), { type: 'chr', major: op.major, minor: op.minor }, 'EPERM', true);

/** symlink: an empty target is ENOENT (getname; live 6.18), before anything else. */
export function symlinkOp(ctx: Ctx, op: OpOf<'symlink'>): Outcome {
  if (op.target === '') return fail(ctx.state, 'ENOENT');
  return create(ctx, op.path, 0o777, { type: 'lnk', target: op.target });
}

/** touch: an existing file is only touched (utimensat: EROFS, then owner or write access); else O_CREAT 0644. */
export function touchOp(ctx: Ctx, op: OpOf<'touch'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (r.ok) {
    if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
    if (!privilegedOver(proc, r.node.attrs) && proc.uid !== r.node.attrs.uid && !permits(r.node.attrs, proc, W)) return fail(state, 'EACCES');
    return done(state);
  }
  if (r.errno !== 'ENOENT') return fail(state, r.errno);
  return create(ctx, op.path, 0o644, { type: 'reg' }, 'EACCES');
}

/** How many directory entries name `ino` (hard links). */
function linkCount(fs: PlainFs, ino: number): number {
  let n = 0;
  for (const k in fs.inodes) {
    const d = fs.inodes[k]!;
    if (d.type === 'dir') for (const name in d.entries) if (d.entries[name] === ino) n++;
  }
  return n;
}

/**
 * A name of `ino` went away: with no name left the inode lives on while something holds
 * it (an open file, a bind mount of it: live 6.18 reads a bound file after its unlink)
 * and is dropped otherwise.
 */
export function lostName(state: KernelState, fs: PlainFs, ino: number): PlainFs {
  if (linkCount(fs, ino) > 0) return fs;
  if (pinned(state, fs.id, ino)) return { ...fs, unlinked: [...(fs.unlinked ?? []), ino] };
  const inodes = { ...fs.inodes };
  delete inodes[ino];
  return { ...fs, inodes };
}

/** vfs_unlink / vfs_rename → detach_mounts: mounts on a name that goes away, in other namespaces (in the caller's it is EBUSY). */
export function detachMountsOn(state: KernelState, fsId: string, ino: number): KernelState {
  let next = state;
  for (const id in next.mounts) {
    const m = next.mounts[id]!;
    if (m.ns !== null && m.parent !== null && m.mountpoint === ino && next.mounts[m.parent]!.fs === fsId) next = detachTree(next, id);
  }
  return next;
}

/**
 * do_unlinkat: a last component "." or ".." is EISDIR; a trailing slash answers ENOTDIR
 * (EISDIR for a directory, ENOENT when missing); EROFS; ENOENT; may_delete (EACCES,
 * sticky EPERM, EISDIR); devpts EPERM; EBUSY on a mount point.
 */
export function unlinkOp(ctx: Ctx, op: OpOf<'unlink'>): Outcome {
  const { state, proc } = ctx;
  const w = walkParent(state, proc, op.path);
  if (!w.ok) return fail(state, w.errno);
  if (w.name === '.' || w.name === '..') return fail(state, 'EISDIR');
  if (readOnlyAt(state, w.dir)) return fail(state, 'EROFS');
  const ino = lookupChild(state, w.dir, w.name);
  if (w.slash) return fail(state, ino === null ? 'ENOENT' : nodeAt(state, { mount: w.dir.mount, ino })!.type === 'dir' ? 'EISDIR' : 'ENOTDIR');
  if (ino === null) return fail(state, 'ENOENT');
  const pos = { mount: w.dir.mount, ino };
  const node = nodeAt(state, pos)!;
  if (!permits(w.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  const sticky = (w.dirNode.attrs.mode & 0o1000) !== 0;
  if (sticky && !privilegedOver(proc, node.attrs) && proc.uid !== node.attrs.uid && proc.uid !== w.dirNode.attrs.uid) return fail(state, 'EPERM');
  if (node.type === 'dir') return fail(state, 'EISDIR');
  const fs = state.fss[mountOf(state, w.dir.mount).fs]!;
  // vfs_unlink: "no ->unlink" (EPERM) comes before is_local_mountpoint (EBUSY); live 6.x: a
  // file bind-mounted on a devpts ptmx node cannot be unlinked: EPERM
  if (fs.kind !== 'plain') return fail(state, 'EPERM'); // simple_dir_inode_operations has no unlink
  // fs/namei.c vfs_unlink, 2.6.39 and 3.4: d_mountpoint(dentry) → EBUSY, whichever
  // namespace the mount is in (QEMU 2.6.39.4 =y: a child's bind on its copy of /dev/ptmx
  // makes the parent's `unlink /dev/ptmx` EBUSY); 3.18 on: only the caller's namespace
  if (isLocalMountpoint(state, pos, ctx.profile.unlinkBusy === 'anyNamespace')) return fail(state, 'EBUSY');
  const dir = fs.inodes[w.dir.ino]! as DirInode;
  const entries = { ...dir.entries };
  delete entries[w.name];
  const without: PlainFs = { ...fs, inodes: { ...fs.inodes, [w.dir.ino]: { ...dir, entries } } };
  // live 6.x: an open file keeps the inode and its dentry's parent: TIOCGPTPEER on a master
  // opened through /dev/ptmx still finds the sibling pts after `unlink /dev/ptmx`
  let next: KernelState = { ...state, fss: put(state.fss, fs.id, lostName(state, without, ino)) };
  // live 6.x: after pid 1 unlinks /dev/ptmx, the ptmx bind-mounted there in a child's namespace is gone too
  next = detachMountsOn(next, fs.id, ino);
  return done(collect(next));
}

/** Replace a node's owner/mode, wherever it lives (plain inode, devpts root, ptmx, slave or killed slave node). */
function setAttrs(state: KernelState, pos: Pos, attrs: Attrs): KernelState {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') {
    return { ...state, fss: put(state.fss, fs.id, { ...fs, inodes: { ...fs.inodes, [pos.ino]: { ...fs.inodes[pos.ino]!, ...attrs } } }) };
  }
  const withFs = (f: DevptsFs): KernelState => ({ ...state, fss: put(state.fss, fs.id, f) });
  if (pos.ino === DEVPTS_ROOT_INO) return withFs({ ...fs, root: attrs });
  if (pos.ino === DEVPTS_PTMX_INO) return withFs({ ...fs, ptmx: attrs });
  if (pos.ino >= DEAD_SLAVE_INO) return withFs({ ...fs, dead: { ...fs.dead, [pos.ino]: { ...fs.dead![pos.ino]!, attrs } } });
  const index = pos.ino - 3;
  const pty = fs.ptys[index]!;
  return withFs({ ...fs, ptys: { ...fs.ptys, [index]: { ...pty, node: attrs } } });
}

/** inode_owner_or_capable: the owner, or CAP_FOWNER over the inode. */
const ownerOrCapable = (proc: Proc, a: Attrs): boolean => proc.uid === a.uid || privilegedOver(proc, a);
/** in_group_or_capable: a member of the group, or CAP_FSETID over the inode. */
const inGroupOrCapable = (proc: Proc, a: Attrs, gid: number): boolean => proc.gid === gid || privilegedOver(proc, a);

/** chmod_common / setattr_prepare: EROFS, owner or CAP_FOWNER (EPERM); setgid dropped for a non-member without CAP_FSETID. */
export function chmodOp(ctx: Ctx, op: OpOf<'chmod'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
  if (!ownerOrCapable(proc, r.node.attrs)) return fail(state, 'EPERM');
  let mode = (parseModeString(op.mode) ?? 0) & 0o7777;
  if (!inGroupOrCapable(proc, r.node.attrs, r.node.attrs.gid)) mode &= ~0o2000;
  return done(setAttrs(state, r.pos, { ...r.node.attrs, mode }));
}

/**
 * chown_common + notify_change + setattr_prepare (fs/open.c, fs/attr.c 6.x). Ids are the
 * caller's (unmapped: EINVAL, after EROFS); -1 leaves an id as it is and asks nothing
 * of it: a non-owner's chown -1:-1 is a no-op that succeeds (live 6.18). A new owner
 * needs CAP_CHOWN (or the owner giving it to itself); a new group needs the owner and
 * membership of it, or CAP_CHOWN. On a non-directory the setuid bit goes, and the setgid
 * bit when group-executable or when the caller is neither in the file's current group
 * nor has CAP_FSETID (setattr_should_drop_sgid; live 6.18: root's chown of 06755 leaves
 * 0755, of 06745 leaves 02745; an owner moving its 02755 file to its own group clears it);
 * dropping those bits needs no ownership (live 6.18: a non-owner's chown -1:-1 of a 04755
 * root file succeeds and clears setuid).
 */
export function chownOp(ctx: Ctx, op: OpOf<'chown'>): Outcome {
  const { state, proc } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  if (readOnlyAt(state, r.pos)) return fail(state, 'EROFS');
  const a = r.node.attrs;
  // -1 and (uid_t)-1 both mean "leave it" (chown(2); the trace may write either)
  const setUid = op.uid !== 0xffffffff && op.uid !== -1;
  const setGid = op.gid !== 0xffffffff && op.gid !== -1;
  const uid = setUid ? kernelUid(proc, op.uid) : a.uid;
  const gid = setGid ? kernelGid(proc, op.gid) : a.gid;
  if (uid === null || gid === null) return fail(state, 'EINVAL');
  let mode = a.mode;
  if (r.node.type !== 'dir') {
    mode &= ~0o4000; // ATTR_KILL_SUID
    // ATTR_KILL_SGID: with group-execute; 6.2 on also when the caller is neither in the group nor CAP_FSETID (setattr_should_drop_sgid)
    if ((mode & 0o2000) && ((mode & 0o010) || (ctx.profile.sgidKill === 'notInGroup' && !inGroupOrCapable(proc, a, a.gid)))) mode &= ~0o2000;
  }
  const privileged = privilegedOver(proc, a);
  if (setUid && !((proc.uid === a.uid && uid === a.uid) || privileged)) return fail(state, 'EPERM');
  if (setGid && !((proc.uid === a.uid && (gid === a.gid || gid === proc.gid)) || privileged)) return fail(state, 'EPERM');
  // notify_change: clearing a kill bit is ATTR_MODE, which setattr_prepare allows the owner
  // or CAP_FOWNER only (live 6.18 harness: a non-owner's chown -1:-1 of a 04755 root file is
  // EPERM and the file stays 04755; of a 0644 file, no bit to clear, it succeeds)
  if (mode !== a.mode && proc.uid !== a.uid && !privileged) return fail(state, 'EPERM');
  return done(setAttrs(state, r.pos, { mode, uid, gid }));
}

/** The `fs` value of a result: a devpts instance's id (relabelled by traces/), else "other". */
export const fsName = (node: NodeView): string => (node.devpts ? node.devpts.id : 'other');

/** stat / lstat: ids as the caller sees them (unmapped: 65534, live 6.18). */
export function statOp(ctx: Ctx, op: OpOf<'stat'>): Outcome {
  const r = resolve(ctx.state, ctx.proc, op.path, op.nofollow ?? false);
  if (!r.ok) return fail(ctx.state, r.errno);
  const n = r.node;
  return done(ctx.state, {
    type: n.type, mode: formatMode(n.attrs.mode), uid: shownUid(ctx.proc, n.attrs.uid), gid: shownGid(ctx.proc, n.attrs.gid),
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
    const dir = fs.inodes[r.pos.ino] as DirInode;
    names = Object.keys(dir.entries);
  } else {
    // devpts root: the ptmx node (if any) plus one node per pty whose master is open [I2]
    names = fs.ptmx ? ['ptmx'] : [];
    for (const i in fs.ptys) if (fs.ptys[i]!.node) names.push(i);
  }
  return done(state, { entries: names.sort() });
}
