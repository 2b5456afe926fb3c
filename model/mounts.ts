// The mount ops: mount (devpts, tmpfs, devtmpfs), remount (of the superblock, or with
// `bind` of the mount's own flags), bind (--bind, --rbind), move, umount. The tree they
// work on is mount-tree.ts, propagation to peers and slaves propagation.ts, the
// collector collect.ts.
//
// Privilege: every one needs CAP_SYS_ADMIN over the user namespace owning the caller's
// mount namespace (may_mount), checked after the target resolves (live 6.x: ENOENT
// before EPERM). New superblocks of a type without FS_USERNS_MOUNT (devtmpfs) need it in
// the initial user namespace (mount_capable; live 6.18: EPERM in `unshare -U -r`).

import type { Errno, MountFlag, Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './collect.ts';
import { idsOf } from './instances.ts';
import { attachTree, childrenOf, detachTree, isBelow, mountInUse, subtree, treeSpec, type MountSpec } from './mount-tree.ts';
import { parseTmpfsOptions } from './options.ts';
import { mountOf, resolve, type Pos } from './paths.ts';
import { propagateAttach, propagatedBusy, umountPropagated } from './propagation.ts';
import { busyForReadonly, mountHasWriter } from './readonly.ts';
import { put } from './records.ts';
import { mountDevtmpfs } from './devtmpfs.ts';
import { capableIn } from './userns.ts';
import { INITIAL_USERNS, type KernelState, type MountId, type PlainFs } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** may_mount: CAP_SYS_ADMIN over the owner of the caller's mount namespace. */
export const mayMount = (ctx: Ctx): boolean => capableIn(ctx.state, ctx.proc, ctx.state.namespaces[ctx.proc.ns]!.owner);

/** Is the place on a mount of the caller's namespace (check_mnt), not a detached one? */
const inCallerNs = (ctx: Ctx, pos: Pos): boolean => mountOf(ctx.state, pos.mount).ns === ctx.proc.ns;

/**
 * Attach a new tree on `on` and propagate it (graft_tree → attach_recursive_mnt): the
 * tree's mounts are fresh (their propagation fields come from the spec).
 */
export function graft(state: KernelState, on: Pos, spec: MountSpec): { state: KernelState; id: MountId } {
  const made = attachTree(state, on, spec);
  return { state: propagateAttach(made.state, on.mount, on.ino, made.id, new Set(made.ids)), id: made.id };
}

/** A fresh mount of a new or existing superblock: private, with these flags. */
const freshSpec = (fs: string, root: number, flags: readonly MountFlag[]): MountSpec => ({ fs, root, flags, children: [] });

/** mount(2) of a new filesystem: devpts (policy from the profile), tmpfs, devtmpfs. */
export function mountOp(ctx: Ctx, op: OpOf<'mount'>): Outcome {
  const { state, profile, proc } = ctx;
  // live 6.x: do_mount resolves the target before path_mount's may_mount (ENOENT before EPERM),
  // and the options are parsed before graft_tree refuses a non-directory (EINVAL before ENOTDIR)
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (!mayMount(ctx)) return fail(state, 'EPERM');
  const notDir = target.node.type !== 'dir';
  let flags = op.flags ?? [];
  let lockNodev = false;
  if (profile.usernsMounts === 'lockNodev' && state.namespaces[proc.ns]!.owner !== INITIAL_USERNS) {
    // 3.9 to 4.7 do_new_mount, a mount namespace of a non-initial user namespace: a type
    // without FS_USERNS_MOUNT is EPERM (devtmpfs; devpts with CONFIG=n), one without
    // FS_USERNS_DEV_MOUNT (tmpfs) is mounted nodev, the flag locked (code reading, 4.4)
    if (op.fstype === 'devtmpfs' || (op.fstype === 'devpts' && profile.bootMode === 'legacy')) return fail(state, 'EPERM');
    if (op.fstype === 'tmpfs') { lockNodev = true; if (!flags.includes('nodev')) flags = [...flags, 'nodev']; }
  }
  // do_add_mount / lock_mount: a detached mount takes no new mounts (6.x ENOENT, live 6.18; 2.6.39/3.4 check_mnt EINVAL)
  const detached = !inCallerNs(ctx, target.pos);
  if (op.fstype === 'tmpfs') {
    const id = `tmpfs#${state.next.fs}`;
    // live 6.x: a bad tmpfs option fails the mount (EINVAL); mode=/uid=/gid= set the root directory
    const o = profile.parseTmpfs(op.options, 'mount', idsOf(proc));
    if (!o.ok) return fail(state, 'EINVAL');
    if (detached) return fail(state, profile.mountOnDetached);
    if (notDir) return fail(state, 'ENOTDIR');
    // shmem_fill_super: root directory mode 01777, owned by the mounter
    const root = { type: 'dir' as const, mode: o.mode ?? 0o1777, uid: o.uid ?? proc.uid, gid: o.gid ?? proc.gid, parent: 1, entries: {} };
    // live 6.x: MS_RDONLY (or "ro" in the data) makes the new superblock read-only
    const readonly = o.sbReadonly ?? flags.includes('ro');
    // alloc_super 6.x: a superblock of a non-initial user namespace is SB_I_NODEV
    const owned = proc.userns === INITIAL_USERNS ? {} : profile.usernsMounts === 'nodevSuperblock' ? { userns: proc.userns, nodev: true as const } : { userns: proc.userns };
    const fs: PlainFs = { kind: 'plain', id, nextIno: 2, inodes: { 1: root }, ...(readonly ? { readonly } : {}), ...owned };
    const made = { ...state, fss: put(state.fss, id, fs), next: { ...state.next, fs: state.next.fs + 1 } };
    const spec = freshSpec(id, 1, flags);
    return done(graft(made, target.pos, lockNodev ? { ...spec, lockedFlags: ['nodev'] } : spec).state);
  }
  if (op.fstype === 'devtmpfs') {
    const out = mountDevtmpfs(ctx, op.options, flags);
    if (!out.ok) return fail(out.state ?? state, out.errno);
    if (detached) return fail(out.state, profile.mountOnDetached);
    // do_add_mount, "Refuse the same filesystem on the same mount point" (after what the
    // mount did to the one superblock; QEMU 2.6.39.4 =y: EBUSY onto a devtmpfs mount)
    const on = mountOf(state, target.pos.mount);
    if (on.fs === state.devtmpfs && on.root === target.pos.ino) return fail(out.state, 'EBUSY');
    if (notDir) return fail(out.state, 'ENOTDIR');
    return done(graft(out.state, target.pos, freshSpec(state.devtmpfs, 1, flags)).state);
  }
  if (op.fstype !== 'devpts') return fail(state, 'ENODEV'); // get_fs_type: no such filesystem
  const decision = profile.mountDevpts({ state, proc, data: op.options, parse: profile.parseOptions, readonly: flags.includes('ro'), removeCount: profile.removeCount });
  if (!decision.ok) return fail(state, decision.errno, decision.log);
  // do_new_mount: devpts_mount has run (do_kern_mount) before do_add_mount may refuse. A
  // refused new instance dies with its mount (mntput); what devpts_mount did to an existing
  // instance stays: the memcpy of the options on =y, mount_single's remount on =n. [K11]
  const refused = (errno: Errno): Outcome => fail(state.fss[decision.fs] ? decision.state : state, errno, decision.log);
  if (detached) return refused(profile.mountOnDetached);
  // do_add_mount, "Refuse the same filesystem on the same mount point": the topmost mount at
  // the target is a mount of the very superblock devpts_mount returned, at its root (also a
  // bind of that instance's ptmx node). fs/namespace.c 2.6.39, 3.4, 4.4; QEMU 2.6.39.4 =n/=y,
  // 3.4.113 =y, 4.4.178 =y. [K11]
  const on = mountOf(state, target.pos.mount);
  if (on.fs === decision.fs && on.root === target.pos.ino) return refused('EBUSY');
  if (notDir) return refused('ENOTDIR'); // graft_tree: a directory only onto a directory
  return done(graft(decision.state, target.pos, freshSpec(decision.fs, 1, flags)).state, {}, decision.log);
}

/** A remount sets the mount's flags to exactly the ones given (do_remount: mnt_flags replaced). */
function withFlags(s: KernelState, id: MountId, flags: readonly MountFlag[] | undefined): KernelState {
  return { ...s, mounts: put(s.mounts, id, { ...s.mounts[id]!, flags: flags ?? [] }) };
}

/** can_change_locked_flags: a flag locked by a copy into a less privileged user namespace stays. */
function clearsLockedFlag(ctx: Ctx, id: MountId, flags: readonly MountFlag[]): boolean {
  const locked = mountOf(ctx.state, id).lockedFlags;
  return locked !== undefined && locked.some((f) => !flags.includes(f));
}

/**
 * mount(2) with MS_REMOUNT and exactly this data (not mount(8)'s merged options). With
 * `bind` (MS_BIND): only the mount's own flags change, the data is ignored, and making
 * it read-only while a file is open for writing through it is EBUSY (do_reconfigure_mnt,
 * mnt_make_readonly; live 6.18).
 */
export function remountOp(ctx: Ctx, op: OpOf<'remount'>): Outcome {
  const { state, profile, proc } = ctx;
  const target = resolve(state, proc, op.target); // live 6.x: ENOENT before EPERM (as mount)
  if (!target.ok) return fail(state, target.errno);
  if (!mayMount(ctx)) return fail(state, 'EPERM');
  const m = mountOf(state, target.pos.mount);
  if (m.root !== target.pos.ino) return fail(state, 'EINVAL'); // do_remount: path must be a mount root
  if (!inCallerNs(ctx, target.pos)) return fail(state, 'EINVAL'); // check_mnt
  let flags = op.flags ?? [];
  // 3.9 to 4.7 do_remount: a nodev locked because a non-initial user namespace mounted a
  // type without FS_USERNS_DEV_MOUNT is kept, not refused (QEMU 4.4.178 =n: a read-only
  // bind remount of such a tmpfs succeeds)
  if (profile.usernsMounts === 'lockNodev' && m.lockedFlags?.includes('nodev') && !flags.includes('nodev') &&
    state.namespaces[m.ns!]!.owner !== INITIAL_USERNS && state.fss[m.fs]!.kind !== 'devpts') flags = [...flags, 'nodev'];
  if (clearsLockedFlag(ctx, m.id, flags)) return fail(state, 'EPERM');
  if (op.bind) {
    if (flags.includes('ro') && !m.flags.includes('ro') && mountHasWriter(state, m.id)) return fail(state, 'EBUSY');
    return done(withFlags(state, m.id, flags));
  }
  const fs = state.fss[m.fs]!;
  // to 4.7, do_remount's capable(CAP_SYS_ADMIN): the initial user namespace, before any
  // parsing (Profile.remountCapability; QEMU 4.4.178 =n)
  if (profile.remountCapability === 'init' && !capableIn(state, proc, INITIAL_USERNS)) return fail(state, 'EPERM');
  // since fs_context: the superblock's user namespace must grant CAP_SYS_ADMIN (live 6.18: the
  // host's devpts in `unshare -U -r` is EPERM), checked after the data parsed
  const sbOwner = profile.remountCapability === 'init' ? INITIAL_USERNS : fs.userns ?? INITIAL_USERNS;
  if (fs.kind !== 'devpts') {
    // live 6.x: a tmpfs remount checks its data like a mount (EINVAL, nothing changes), ignores
    // mode=/uid=/gid=, and leaves the superblock read-only iff the data says "ro" or, without
    // "ro"/"rw" in the data, MS_RDONLY is given (seen through another bind of the same tmpfs).
    // The root filesystem is devtmpfs-like: devtmpfs is shmem, with tmpfs's parser.
    const o = profile.parseTmpfs(op.options, 'remount', idsOf(proc));
    if (!o.ok) return fail(state, 'EINVAL');
    if (!capableIn(state, proc, sbOwner)) return fail(state, 'EPERM');
    const readonly = o.sbReadonly ?? flags.includes('ro');
    if (readonly && !fs.readonly && busyForReadonly(state, fs, profile.removeCount)) return fail(state, 'EBUSY');
    const { readonly: _was, ...rest } = fs;
    return done(withFlags({ ...state, fss: put(state.fss, fs.id, readonly ? { ...rest, readonly } : rest) }, m.id, op.flags));
  }
  if (sbOwner !== INITIAL_USERNS || proc.userns !== INITIAL_USERNS) {
    // fs_context kernels (6.1, 6.x; the 'init' ones asked above): the owner's capability, after
    // the data parsed where devpts' parameters are fs_context's (6.15 on: live 6.18), before
    // where remount_fs parses them (6.1: QEMU 6.1.0-50, `unshare -U -r`, bogus options: EPERM)
    if (profile.devptsRemountParsesFirst) {
      const trial = profile.parseOptions(op.options, fs.opts, 'remount', idsOf(proc));
      if (!trial.ok) return fail(state, 'EINVAL', trial.log);
    }
    if (!capableIn(state, proc, sbOwner)) return fail(state, 'EPERM');
  }
  const change = profile.remountDevpts(state, fs.id, op.options, profile.parseOptions, flags.includes('ro'), profile.removeCount, idsOf(proc));
  const after = change.state.fss[fs.id]!;
  if (change.ok && !fs.readonly && after.readonly && busyForReadonly(state, fs, profile.removeCount)) return fail(state, 'EBUSY');
  // do_remount: mount flags are updated only when the superblock remount succeeded
  if (!change.ok) return { state: change.state, result: change.log.length ? { errno: change.errno, log: [...change.log] } : { errno: change.errno } };
  return done(withFlags(change.state, m.id, op.flags), {}, change.log);
}

/** has_locked_children: a mount locked below the source (in its subtree) that a plain bind would reveal. */
function hasLockedChildren(state: KernelState, source: Pos): boolean {
  const top = mountOf(state, source.mount);
  const below = subtree(state, top.id);
  for (let i = 1; i < below.length; i++) {
    const m = state.mounts[below[i]!]!;
    if (m.locked && (m.parent !== top.id || source.ino === top.root || isBelow(state, top.id, m.mountpoint, source.ino))) return true;
  }
  return false;
}

/**
 * mount --bind / --rbind (do_loopback): a new mount of the same fs, rooted at the source
 * node, a peer of the source mount when that is shared (clone_mnt flag 0); --rbind copies
 * the mounts below the source too, except unbindable ones. An unbindable source is EINVAL.
 */
export function bindOp(ctx: Ctx, op: OpOf<'bind'>): Outcome {
  const { state, proc, profile } = ctx;
  // live 6.x: do_mount resolves the target, path_mount checks may_mount, and only then
  // do_loopback resolves the source (a missing source is EPERM for non-root, ENOENT for root)
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (!mayMount(ctx)) return fail(state, 'EPERM');
  const source = resolve(state, proc, op.source);
  if (!source.ok) return fail(state, source.errno);
  if (!inCallerNs(ctx, target.pos)) return fail(state, profile.mountOnDetached); // lock_mount
  const old = mountOf(state, source.pos.mount);
  if (old.unbindable) return fail(state, 'EINVAL');
  if (!inCallerNs(ctx, source.pos)) return fail(state, 'EINVAL'); // check_mnt(old)
  if (!op.recursive && hasLockedChildren(state, source.pos)) return fail(state, 'EINVAL');
  // graft_tree: a directory goes only onto a directory, a file only onto a file
  if ((source.node.type === 'dir') !== (target.node.type === 'dir')) return fail(state, 'ENOTDIR');
  // the copy's root is never locked (do_loopback clears MNT_LOCKED on it); its submounts keep theirs
  const tree = treeSpec(state, source.pos, op.recursive ?? false, true);
  const { locked: _l, ...top } = tree;
  return done(graft(state, target.pos, top as MountSpec).state);
}

/**
 * mount --move (do_move_mount): the source must be a mount root of the caller's
 * namespace (EINVAL), not locked, not below a shared parent (EINVAL), a directory only
 * onto a directory (EINVAL), and the target not inside it (ELOOP). The mount keeps its
 * id, so its place in mountinfo (live 6.18); below a shared target it becomes shared and
 * propagates.
 */
export function moveOp(ctx: Ctx, op: OpOf<'move'>): Outcome {
  const { state, proc, profile } = ctx;
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (!mayMount(ctx)) return fail(state, 'EPERM');
  const source = resolve(state, proc, op.source);
  if (!source.ok) return fail(state, source.errno);
  const old = mountOf(state, source.pos.mount);
  const dest = mountOf(state, target.pos.mount);
  // live 6.18: a source that is no mount root is EINVAL even onto a detached target
  if (old.root !== source.pos.ino) return fail(state, 'EINVAL');
  if (!inCallerNs(ctx, target.pos)) return fail(state, profile.mountOnDetached);
  if (!inCallerNs(ctx, source.pos) || old.parent === null) return fail(state, 'EINVAL');
  if (old.locked) return fail(state, 'EINVAL');
  if ((source.node.type === 'dir') !== (target.node.type === 'dir')) return fail(state, 'EINVAL');
  if (mountOf(state, old.parent).group !== undefined) return fail(state, 'EINVAL');
  const tree = subtree(state, old.id);
  if (dest.group !== undefined && tree.some((id) => state.mounts[id]!.unbindable)) return fail(state, 'EINVAL');
  for (let p: MountId | null = dest.id; p !== null; p = mountOf(state, p).parent) if (p === old.id) return fail(state, 'ELOOP');
  // attach_mnt: the moved mount goes last among its new parent's children (a number from the mount counter)
  let s: KernelState = {
    ...state,
    mounts: put(state.mounts, old.id, { ...old, parent: dest.id, mountpoint: target.pos.ino, attached: state.next.mount }),
    next: { ...state.next, mount: state.next.mount + 1 },
  };
  if (dest.group !== undefined) s = propagateAttach(s, dest.id, target.pos.ino, old.id, new Set());
  return done(s);
}

/**
 * umount2 (do_umount): the target must be a mount root of the caller's namespace and not
 * locked (EINVAL). The process's own root mount is special (non-lazy): the superblock is
 * remounted read-only instead (do_umount_root; live 6.18: `umount /` is 0 and later
 * writes are EROFS, EBUSY with a file open for writing; QEMU-free code reading on
 * 2.6.39/3.4: the same special case). Otherwise EBUSY while mounts stand on it or an
 * open file, root or working directory is on it or on a copy of it that goes with it
 * (propagate_mount_busy); lazy always detaches it with everything below. [K10]
 */
export function umountOp(ctx: Ctx, op: OpOf<'umount'>): Outcome {
  const { state, proc } = ctx;
  const order = ctx.profile.umountOrder;
  if (order === 'permissionFirst' && !mayMount(ctx)) return fail(state, 'EPERM'); // 3.8 to 5.8: may_mount before the lookup
  const target = resolve(state, proc, op.target); // live 6.x: ksys_umount resolves, then can_umount: ENOENT before EPERM
  if (!target.ok) return fail(state, target.errno);
  if (order === 'lookupFirst' && !mayMount(ctx)) return fail(state, 'EPERM');
  const m = mountOf(state, target.pos.mount);
  if (m.root !== target.pos.ino || !inCallerNs(ctx, target.pos)) return fail(state, 'EINVAL'); // not a mount point; check_mnt
  if (order === 'targetFirst' && !mayMount(ctx)) return fail(state, 'EPERM'); // 2.6.39, 3.4: capable() after the EINVAL checks
  if (m.locked) return fail(state, 'EINVAL');
  if (!op.lazy && m.id === proc.root.mount) return umountRoot(ctx, m.id);
  if (m.parent === null) return fail(state, 'EINVAL'); // a namespace's root (never the process's, see boot)
  if (!op.lazy) {
    if (childrenOf(state, m.id).length > 0 || mountInUse(state, m.id) || propagatedBusy(state, m)) return fail(state, 'EBUSY');
  }
  const s = umountPropagated(state, m, op.lazy ?? false);
  return done(collect(detachTree(s, m.id)));
}

/** do_umount_root: "unmounting" the process's root remounts its superblock read-only. */
function umountRoot(ctx: Ctx, id: MountId): Outcome {
  const { state, profile, proc } = ctx;
  const fs = state.fss[mountOf(state, id).fs]!;
  if (!capableIn(state, proc, fs.userns ?? INITIAL_USERNS)) return fail(state, 'EPERM');
  if (fs.readonly) return done(state);
  if (busyForReadonly(state, fs, profile.removeCount)) return fail(state, 'EBUSY');
  if (fs.kind === 'devpts') {
    // a devpts root (a process chrooted into /dev/pts): the remount has no data, so the
    // options go back to their defaults as well (live 6.18: ptmx node c0000 afterwards)
    const change = profile.remountDevpts(state, fs.id, undefined, profile.parseOptions, true, profile.removeCount);
    return change.ok ? done(change.state) : fail(change.state, change.errno, change.log);
  }
  return done({ ...state, fss: put(state.fss, fs.id, { ...fs, readonly: true }) });
}

