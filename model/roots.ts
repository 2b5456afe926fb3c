// A process's root and working directory: chroot, chdir, pivot_root. Paths resolve from
// them (paths.ts); children inherit them; a namespace copy carries them over.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './collect.ts';
import { isBelow } from './mount-tree.ts';
import { mayMount } from './mounts.ts';
import { mountOf, permits, resolve, samePos, X, type Pos } from './paths.ts';
import { put } from './records.ts';
import type { KernelState, Mount, MountId, Proc } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

const withProc = (s: KernelState, p: Proc): KernelState => ({ ...s, procs: put(s.procs, p.pid, p) });

/** The directory a chdir or chroot goes to: LOOKUP_FOLLOW | LOOKUP_DIRECTORY, then search permission (MAY_EXEC | MAY_CHDIR). */
function directory(ctx: Ctx, path: string): { ok: true; pos: Pos } | { ok: false; errno: 'ENOTDIR' | 'EACCES' | Exclude<ReturnType<typeof resolve>, { ok: true }>['errno'] } {
  const r = resolve(ctx.state, ctx.proc, path);
  if (!r.ok) return r;
  if (r.node.type !== 'dir') return { ok: false, errno: 'ENOTDIR' };
  if (!permits(r.node.attrs, ctx.proc, X)) return { ok: false, errno: 'EACCES' };
  return { ok: true, pos: r.pos };
}

/** chdir(2). live 6.18: ENOTDIR for a file, EACCES for a 0700 directory of another user. */
export function chdirOp(ctx: Ctx, op: OpOf<'chdir'>): Outcome {
  const d = directory(ctx, op.path);
  if (!d.ok) return fail(ctx.state, d.errno);
  return done(collect(withProc(ctx.state, { ...ctx.proc, cwd: d.pos })));
}

/**
 * chroot(2): the directory as the process's new root; the working directory stays
 * (live 6.18: after chroot, "." still lists the old root). Needs CAP_SYS_CHROOT in the
 * process's user namespace, checked after the lookup and the search permission (EPERM).
 */
export function chrootOp(ctx: Ctx, op: OpOf<'chroot'>): Outcome {
  const d = directory(ctx, op.path);
  if (!d.ok) return fail(ctx.state, d.errno);
  if (!ctx.proc.caps) return fail(ctx.state, 'EPERM');
  return done(collect(withProc(ctx.state, { ...ctx.proc, root: d.pos })));
}

/**
 * pivot_root(new_root, put_old) (fs/namespace.c 6.x; 2.6.39 the same but for the last
 * check): the process's root mount moves to put_old, new_root's mount takes its place,
 * and every process whose root or working directory was exactly the old root gets the
 * new one (chroot_fs_refs; live 6.18: a sibling with cwd /dev keeps it).
 * Errors in the kernel's order: EPERM; the lookups (ENOENT, ENOTDIR); EINVAL when
 * put_old's mount, new_root's parent or the root's parent is shared, or either is not in
 * the caller's namespace, or new_root is locked; EBUSY when new_root or put_old is on
 * the root mount (live 6.18: a plain directory is EBUSY); EINVAL when the root is not a
 * mount root, or new_root is not one, or put_old is not at or below new_root, or (not
 * on 2.6.39) new_root is not below the root.
 */
export function pivotRootOp(ctx: Ctx, op: OpOf<'pivotRoot'>): Outcome {
  const { state, proc } = ctx;
  if (!mayMount(ctx)) return fail(state, 'EPERM');
  const nw = directory(ctx, op.newRoot);
  if (!nw.ok) return fail(state, nw.errno);
  const old = directory(ctx, op.putOld); // lock_mount: the topmost mount there (resolve already followed)
  if (!old.ok) return fail(state, old.errno);
  const newMnt = mountOf(state, nw.pos.mount);
  const rootMnt = mountOf(state, proc.root.mount);
  const oldMnt = mountOf(state, old.pos.mount);
  const sharedParent = (id: MountId | null): boolean => id !== null && mountOf(state, id).group !== undefined;
  if (oldMnt.group !== undefined || sharedParent(newMnt.parent) || sharedParent(rootMnt.parent)) return fail(state, 'EINVAL');
  if (rootMnt.ns !== proc.ns || newMnt.ns !== proc.ns) return fail(state, 'EINVAL');
  if (newMnt.locked) return fail(state, 'EINVAL');
  if (newMnt.id === rootMnt.id || oldMnt.id === rootMnt.id) return fail(state, 'EBUSY');
  if (rootMnt.root !== proc.root.ino || rootMnt.parent === null) return fail(state, 'EINVAL');
  if (newMnt.root !== nw.pos.ino || newMnt.parent === null) return fail(state, 'EINVAL');
  if (!reachable(state, old.pos, newMnt.id, nw.pos.ino)) return fail(state, 'EINVAL');
  if (ctx.profile.id === '6.x' && !reachable(state, nw.pos, rootMnt.id, proc.root.ino)) return fail(state, 'EINVAL');
  // umount_mnt(new), then the root's mount point goes to new_root and the root goes on put_old
  const rootParent = rootMnt.parent;
  const rootMp = rootMnt.mountpoint;
  let mounts = put(state.mounts, rootMnt.id, { ...rootMnt, parent: oldMnt.id, mountpoint: old.pos.ino });
  mounts = put(mounts, newMnt.id, { ...mounts[newMnt.id]!, parent: rootParent, mountpoint: rootMp });
  // new_root's mount inherits the root's lock (pivot_root 6.x: MNT_LOCKED moves)
  if (rootMnt.locked) {
    const { locked: _r, ...unlockedRoot } = mounts[rootMnt.id]!;
    mounts = put(put(mounts, rootMnt.id, unlockedRoot as Mount), newMnt.id, { ...mounts[newMnt.id]!, locked: true as const });
  }
  let s: KernelState = { ...state, mounts };
  const oldRoot = proc.root;
  const newRoot = nw.pos;
  for (const pid in s.procs) {
    const p = s.procs[pid]!;
    const root = samePos(p.root, oldRoot) ? newRoot : p.root;
    const cwd = samePos(p.cwd, oldRoot) ? newRoot : p.cwd;
    if (root !== p.root || cwd !== p.cwd) s = withProc(s, { ...p, root, cwd });
  }
  return done(collect(s));
}

/**
 * is_path_reachable(mnt, dentry, root): climbing from (mnt, dentry) through mount
 * points reaches the root's mount, at or below the root's dentry.
 */
function reachable(state: KernelState, from: Pos, rootMount: MountId, rootIno: number): boolean {
  let m = mountOf(state, from.mount);
  let ino = from.ino;
  while (m.id !== rootMount) {
    if (m.parent === null) return false;
    ino = m.mountpoint;
    m = mountOf(state, m.parent);
  }
  return isBelow(state, m.id, ino, rootIno);
}

