// rename(2) and link(2): names moving between directories of one mount, and second names.
// live 6.18 (see kernel/live-observations.md): EXDEV between mounts, EBUSY for "." and a
// mount point, ENOTEMPTY, ENOTDIR/EISDIR for a kind mismatch, EINVAL into itself, a no-op
// onto another name of the same inode, EPERM inside devpts and for a directory link.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './collect.ts';
import { detachMountsOn, isLocalMountpoint, lostName } from './files.ts';
import { lookupChild, mountOf, nodeAt, permits, resolve, walkParent, R, W, X, type ParentWalk, type Pos } from './paths.ts';
import { readOnlyAt } from './readonly.ts';
import { put } from './records.ts';
import { privilegedOver } from './userns.ts';
import type { KernelState, PlainFs, PlainInode, Proc } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;
type DirInode = Extract<PlainInode, { type: 'dir' }>;
type Found = Extract<ParentWalk, { ok: true }>;

/** check_sticky: in a sticky directory only the file's or the directory's owner (or CAP_FOWNER) may remove a name. */
function stickyRefuses(proc: Proc, dir: Found, owner: { uid: number; gid: number; mode: number }): boolean {
  if ((dir.dirNode.attrs.mode & 0o1000) === 0) return false;
  return proc.uid !== owner.uid && proc.uid !== dir.dirNode.attrs.uid && !privilegedOver(proc, owner);
}

/** Is directory `ino` at or above `below` in the fs (the rename trap: a directory into itself)? */
function isAncestor(fs: PlainFs, ino: number, below: number): boolean {
  let cur = below;
  for (let guard = 0; guard < 10_000; guard++) {
    if (cur === ino) return true;
    const n = fs.inodes[cur];
    if (!n || n.parent === cur) return false;
    cur = n.parent;
  }
  return false;
}

/**
 * do_renameat2 + vfs_rename (fs/namei.c 6.x): both parents resolve; different mounts:
 * EXDEV; a last component "." or "..": EBUSY; EROFS; the source must exist (ENOENT); a
 * trailing slash on a non-directory: ENOTDIR; source above target: EINVAL; the same
 * inode: nothing happens; may_delete / may_create (EACCES, sticky EPERM, kind mismatch
 * ENOTDIR / EISDIR, ENOTEMPTY); a directory moving to another parent needs write
 * permission on itself; no rename operation (devpts): EPERM; a mount point: EBUSY.
 */
export function renameOp(ctx: Ctx, op: OpOf<'rename'>): Outcome {
  const { state, proc } = ctx;
  const from = walkParent(state, proc, op.from);
  if (!from.ok) return fail(state, from.errno);
  const to = walkParent(state, proc, op.to);
  if (!to.ok) return fail(state, to.errno);
  if (from.dir.mount !== to.dir.mount) return fail(state, 'EXDEV');
  const dots = (n: string): boolean => n === '.' || n === '..';
  if (dots(from.name) || dots(to.name)) return fail(state, 'EBUSY');
  if (readOnlyAt(state, from.dir)) return fail(state, 'EROFS');
  const srcIno = lookupChild(state, from.dir, from.name);
  if (srcIno === null) return fail(state, 'ENOENT');
  const src: Pos = { mount: from.dir.mount, ino: srcIno };
  const srcNode = nodeAt(state, src)!;
  const isDir = srcNode.type === 'dir';
  if (!isDir && (from.slash || to.slash)) return fail(state, 'ENOTDIR');
  const fs = state.fss[mountOf(state, from.dir.mount).fs]!;
  if (fs.kind === 'plain' && isDir && isAncestor(fs, srcIno, to.dir.ino)) return fail(state, 'EINVAL');
  const dstIno = lookupChild(state, to.dir, to.name);
  if (dstIno === srcIno) return done(state); // vfs_rename: source == target
  const dst: Pos | null = dstIno === null ? null : { mount: to.dir.mount, ino: dstIno };
  const dstNode = dst === null ? null : nodeAt(state, dst)!;
  // may_delete(old)
  if (!permits(from.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  if (stickyRefuses(proc, from, srcNode.attrs)) return fail(state, 'EPERM');
  // may_create(new) or may_delete(new)
  if (!permits(to.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  if (dstNode !== null) {
    if (stickyRefuses(proc, to, dstNode.attrs)) return fail(state, 'EPERM');
    if (isDir && dstNode.type !== 'dir') return fail(state, 'ENOTDIR');
    if (!isDir && dstNode.type === 'dir') return fail(state, 'EISDIR');
  }
  if (fs.kind !== 'plain') return fail(state, 'EPERM'); // simple_dir_inode_operations has no rename
  // a directory changing parent gets a new "..": write permission on itself
  if (isDir && from.dir.ino !== to.dir.ino && !permits(srcNode.attrs, proc, W)) return fail(state, 'EACCES');
  // vfs_rename: d_mountpoint before 3.18 (any namespace), is_local_mountpoint after
  const anyNs = ctx.profile.unlinkBusy === 'anyNamespace';
  if (isLocalMountpoint(state, src, anyNs) || (dst !== null && isLocalMountpoint(state, dst, anyNs))) return fail(state, 'EBUSY');
  if (dst !== null && dstNode!.type === 'dir') {
    const victim = fs.inodes[dstIno!] as DirInode;
    for (const _ in victim.entries) return fail(state, 'ENOTEMPTY');
  }
  // the move: the name leaves its directory, lands in the other (replacing what was there)
  let inodes = { ...fs.inodes };
  const fromDir = inodes[from.dir.ino] as DirInode;
  const fromEntries = { ...fromDir.entries };
  delete fromEntries[from.name];
  inodes[from.dir.ino] = { ...fromDir, entries: fromEntries };
  const toDir = inodes[to.dir.ino] as DirInode;
  inodes[to.dir.ino] = { ...toDir, entries: { ...toDir.entries, [to.name]: srcIno } };
  inodes[srcIno] = { ...inodes[srcIno]!, parent: to.dir.ino };
  let next: PlainFs = { ...fs, inodes };
  if (dstIno !== null) next = lostName(state, next, dstIno);
  let s: KernelState = { ...state, fss: put(state.fss, fs.id, next) };
  // an open master's dentry moves with its name: TIOCGPTPEER looks at the new parent
  for (const name in s.handles) {
    const h = s.handles[name]!;
    if (h.kind === 'master' && h.ino === srcIno && h.dir === from.dir.ino && s.mounts[h.mount]?.fs === fs.id) {
      s = { ...s, handles: put(s.handles, name, { ...h, dir: to.dir.ino }) };
    }
  }
  if (dstIno !== null) s = detachMountsOn(s, fs.id, dstIno);
  return done(collect(s));
}

/**
 * do_linkat (no AT_SYMLINK_FOLLOW: a symlink is linked itself) + vfs_link: the target
 * resolves; the new name as for every creation (EEXIST, a trailing slash ENOENT, EROFS);
 * another mount: EXDEV (live 6.18, also between two mounts of one filesystem);
 * protected_hardlinks (3.6+, on by default and on the live host): a non-owner without
 * CAP_FOWNER may link only a regular file it can read and write that is neither setuid
 * nor setgid-executable (EPERM); may_create (EACCES); no link operation (devpts) or a
 * directory: EPERM.
 */
export function linkOp(ctx: Ctx, op: OpOf<'link'>): Outcome {
  const { state, proc } = ctx;
  const t = resolve(state, proc, op.target, true);
  if (!t.ok) return fail(state, t.errno);
  const w = walkParent(state, proc, op.path);
  if (!w.ok) return fail(state, w.errno);
  if (ctx.profile.linkXdevFirst && t.pos.mount !== w.dir.mount) return fail(state, 'EXDEV'); // 2.6.39 sys_linkat
  if (w.child !== null) return fail(state, 'EEXIST');
  if (w.slash) return fail(state, 'ENOENT');
  if (readOnlyAt(state, w.dir)) return fail(state, 'EROFS');
  if (t.pos.mount !== w.dir.mount) return fail(state, 'EXDEV');
  const a = t.node.attrs;
  if (ctx.profile.protectedHardlinks && proc.uid !== a.uid && !privilegedOver(proc, a)) {
    const safe = t.node.type === 'reg' && (a.mode & 0o4000) === 0 && (a.mode & 0o2010) !== 0o2010 && permits(a, proc, R | W);
    if (!safe) return fail(state, 'EPERM');
  }
  if (!permits(w.dirNode.attrs, proc, W | X)) return fail(state, 'EACCES');
  const fs = state.fss[mountOf(state, w.dir.mount).fs]!;
  if (fs.kind !== 'plain' || t.node.type === 'dir') return fail(state, 'EPERM');
  const dir = fs.inodes[w.dir.ino] as DirInode;
  const next: PlainFs = { ...fs, inodes: { ...fs.inodes, [w.dir.ino]: { ...dir, entries: { ...dir.entries, [w.name]: t.pos.ino } } } };
  return done({ ...state, fss: put(state.fss, fs.id, next) });
}
