// Mounts and mount namespaces: mount, remount, bind, umount, namespace copies, and
// the collection of detached mounts and dead instances.

import type { Errno, MountFlag, Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { mountOf, nodeAt, resolve, type Pos } from './paths.ts';
import { drop, put } from './records.ts';
import { outlivesItsMounts } from './charts/instance.ts';
import { INITIAL_NS, type Fs, type KernelState, type Mount, type MountId, type NsId, type PlainFs, type PlainInode } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** Attach a new mount of `fs` (rooted at `root`) on top of `on`, in on's namespace. */
export function attach(state: KernelState, on: Pos, fs: string, root: number, flags: readonly MountFlag[]): { state: KernelState; id: MountId } {
  const parent = mountOf(state, on.mount);
  const ns = parent.ns!;
  const id = `m${state.next.mount}`;
  const m: Mount = { id, ns, fs, root, parent: parent.id, mountpoint: on.ino, flags };
  const space = state.namespaces[ns]!;
  return {
    id,
    state: {
      ...state,
      mounts: put(state.mounts, id, m),
      namespaces: put(state.namespaces, ns, { ...space, mounts: [...space.mounts, id] }),
      next: { ...state.next, mount: state.next.mount + 1 },
    },
  };
}

const needsAdmin = (ctx: Ctx): boolean => ctx.proc.uid !== 0; // CAP_SYS_ADMIN (do_new_mount, do_remount, do_umount)

/** mount(2) of a new filesystem: devpts (policy from the profile) or tmpfs. */
export function mountOp(ctx: Ctx, op: OpOf<'mount'>): Outcome {
  const { state, profile, proc } = ctx;
  // live 6.x: do_mount resolves the target before path_mount's may_mount (ENOENT before EPERM),
  // and the options are parsed before graft_tree refuses a non-directory (EINVAL before ENOTDIR)
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (needsAdmin(ctx)) return fail(state, 'EPERM');
  const notDir = target.node.type !== 'dir';
  const flags = op.flags ?? [];
  if (op.fstype === 'tmpfs') {
    const id = `tmpfs#${state.next.fs}`;
    // live 6.x: a bad tmpfs option fails the mount (EINVAL); mode=/uid=/gid= set the root directory
    const o = profile.parseTmpfs(op.options, 'mount');
    if (!o.ok) return fail(state, 'EINVAL');
    if (notDir) return fail(state, 'ENOTDIR');
    // shmem_fill_super: root directory mode 01777, owned by the mounter
    const root = { type: 'dir' as const, mode: o.mode ?? 0o1777, uid: o.uid ?? proc.uid, gid: o.gid ?? proc.gid, parent: 1, entries: {} };
    // live 6.x: MS_RDONLY (or "ro" in the data) makes the new superblock read-only
    const readonly = o.sbReadonly ?? flags.includes('ro');
    const fs: PlainFs = { kind: 'plain', id, nextIno: 2, inodes: { 1: root }, ...(readonly ? { readonly } : {}) };
    const made = { ...state, fss: put(state.fss, id, fs), next: { ...state.next, fs: state.next.fs + 1 } };
    return done(attach(made, target.pos, id, 1, flags).state);
  }
  if (op.fstype !== 'devpts') return fail(state, 'ENODEV'); // get_fs_type: no such filesystem
  const decision = profile.mountDevpts({ state, proc, data: op.options, parse: profile.parseOptions, readonly: flags.includes('ro') });
  if (!decision.ok) return fail(state, decision.errno, decision.log);
  // do_new_mount: devpts_mount has run (do_kern_mount) before do_add_mount may refuse. A
  // refused new instance dies with its mount (mntput); what devpts_mount did to an existing
  // instance stays: the memcpy of the options on =y, mount_single's remount on =n. [K11]
  const refused = (errno: Errno): Outcome => fail(state.fss[decision.fs] ? decision.state : state, errno, decision.log);
  // do_add_mount, "Refuse the same filesystem on the same mount point": the topmost mount at
  // the target is a mount of the very superblock devpts_mount returned, at its root (also a
  // bind of that instance's ptmx node). fs/namespace.c 2.6.39, 3.4, 4.4; QEMU 2.6.39.4 =n/=y,
  // 3.4.113 =y, 4.4.178 =y. [K11]
  const on = mountOf(state, target.pos.mount);
  if (on.fs === decision.fs && on.root === target.pos.ino) return refused('EBUSY');
  if (notDir) return refused('ENOTDIR'); // graft_tree: a directory only onto a directory
  return done(attach(decision.state, target.pos, decision.fs, 1, flags).state, {}, decision.log);
}

/** A remount sets the mount's flags to exactly the ones given (do_remount: mnt_flags replaced). */
function withFlags(s: KernelState, id: MountId, flags: readonly MountFlag[] | undefined): KernelState {
  return { ...s, mounts: put(s.mounts, id, { ...s.mounts[id]!, flags: flags ?? [] }) };
}

/** mount(2) with MS_REMOUNT and exactly this data (not mount(8)'s merged options). */
export function remountOp(ctx: Ctx, op: OpOf<'remount'>): Outcome {
  const { state, profile, proc } = ctx;
  const target = resolve(state, proc, op.target); // live 6.x: ENOENT before EPERM (as mount)
  if (!target.ok) return fail(state, target.errno);
  if (needsAdmin(ctx)) return fail(state, 'EPERM');
  const m = mountOf(state, target.pos.mount);
  if (m.root !== target.pos.ino) return fail(state, 'EINVAL'); // do_remount: path must be a mount root
  const fs = state.fss[m.fs]!;
  if (fs.kind !== 'devpts') {
    // live 6.x: a tmpfs remount checks its data like a mount (EINVAL, nothing changes), ignores
    // mode=/uid=/gid=, and leaves the superblock read-only iff the data says "ro" or, without
    // "ro"/"rw" in the data, MS_RDONLY is given (seen through another bind of the same tmpfs).
    // The root filesystem is devtmpfs-like: devtmpfs is shmem, with tmpfs's parser.
    const o = profile.parseTmpfs(op.options, 'remount');
    if (!o.ok) return fail(state, 'EINVAL');
    const readonly = o.sbReadonly ?? (op.flags ?? []).includes('ro');
    if (readonly && !fs.readonly && busyForReadonly(state, fs)) return fail(state, 'EBUSY');
    const { readonly: _was, ...rest } = fs;
    return done(withFlags({ ...state, fss: put(state.fss, fs.id, readonly ? { ...rest, readonly } : rest) }, m.id, op.flags));
  }
  const change = profile.remountDevpts(state, fs.id, op.options, profile.parseOptions, (op.flags ?? []).includes('ro'));
  const after = change.state.fss[fs.id]!;
  if (change.ok && !fs.readonly && after.readonly && busyForReadonly(state, fs)) return fail(state, 'EBUSY');
  // do_remount: mount flags are updated only when the superblock remount succeeded
  if (!change.ok) return { state: change.state, result: change.log.length ? { errno: change.errno, log: [...change.log] } : { errno: change.errno } };
  return done(withFlags(change.state, m.id, op.flags), {}, change.log);
}

/**
 * reconfigure_super → sb_prepare_remount_readonly: a read-write superblock cannot become
 * read-only (EBUSY, nothing changes, after the options were found valid) while a file is
 * open for writing on it or an unlinked inode of it is still open (s_remove_count). live 6.x:
 * a devpts slave still open after its master closed (devpts_pty_kill drops the node's
 * nlink); a tmpfs regular file open read-write; an unlinked tmpfs ptmx node a master was
 * opened through. Char devices (masters, slaves) are not writers.
 */
export function busyForReadonly(state: KernelState, fs: Fs): boolean {
  if (fs.kind === 'devpts') {
    for (const i in fs.ptys) if (!fs.ptys[i]!.masterOpen && fs.ptys[i]!.slaveOpens > 0) return true;
    return false;
  }
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.kind === 'file' && state.mounts[h.mount]?.fs === fs.id) return true; // opened O_RDWR: a writer
  }
  // an unlinked inode still here is held open (collect drops the others): s_remove_count > 0
  const linked = new Set<number>([1]);
  for (const ino in fs.inodes) { const n = fs.inodes[ino]!; if (n.type === 'dir') for (const k in n.entries) linked.add(n.entries[k]!); }
  for (const ino in fs.inodes) if (!linked.has(Number(ino))) return true;
  return false;
}

/** mount --bind / --rbind: a new mount of the same fs, rooted at the source node. */
export function bindOp(ctx: Ctx, op: OpOf<'bind'>): Outcome {
  const { state, proc } = ctx;
  // live 6.x: do_mount resolves the target, path_mount checks may_mount, and only then
  // do_loopback resolves the source (a missing source is EPERM for non-root, ENOENT for root)
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (needsAdmin(ctx)) return fail(state, 'EPERM');
  const source = resolve(state, proc, op.source);
  if (!source.ok) return fail(state, source.errno);
  // graft_tree: a directory goes only onto a directory, a file only onto a file
  if ((source.node.type === 'dir') !== (target.node.type === 'dir')) return fail(state, 'ENOTDIR');
  const srcMount = mountOf(state, source.pos.mount);
  const made = attach(state, target.pos, srcMount.fs, source.pos.ino, srcMount.flags);
  if (!op.recursive) return done(made.state);
  return done(copySubmounts(made.state, source.pos, made.id));
}

/** --rbind: clone every mount below the source into the new tree (copy_tree). */
function copySubmounts(state: KernelState, source: Pos, copyRoot: MountId): KernelState {
  let s = state;
  const ns = mountOf(state, source.mount).ns!;
  const queue: { from: MountId; to: MountId; under: number | null }[] = [{ from: source.mount, to: copyRoot, under: source.ino }];
  while (queue.length > 0) {
    const { from, to, under } = queue.shift()!;
    for (const id of state.namespaces[ns]!.mounts) {
      const child = state.mounts[id]!;
      if (child.parent !== from || id === copyRoot) continue;
      if (under !== null && !isBelow(state, from, child.mountpoint, under)) continue;
      const cloned = attach(s, { mount: to, ino: child.mountpoint }, child.fs, child.root, child.flags);
      s = cloned.state;
      queue.push({ from: id, to: cloned.id, under: null });
    }
  }
  return s;
}

/** Is inode `ino` at or below directory `top` in the fs of mount `m`? */
function isBelow(state: KernelState, m: MountId, ino: number, top: number): boolean {
  let cur = ino;
  for (let guard = 0; guard < 10_000; guard++) {
    if (cur === top) return true;
    const node = nodeAt(state, { mount: m, ino: cur });
    if (!node || node.parent === cur) return false;
    cur = node.parent;
  }
  return false;
}

/** umount2: EBUSY while a file opened through the mount is open (lazy always works). [K10] */
export function umountOp(ctx: Ctx, op: OpOf<'umount'>): Outcome {
  const { state, proc } = ctx;
  const target = resolve(state, proc, op.target); // live 6.x: ksys_umount resolves, then can_umount: ENOENT before EPERM
  if (!target.ok) return fail(state, target.errno);
  if (needsAdmin(ctx)) return fail(state, 'EPERM');
  const m = mountOf(state, target.pos.mount);
  if (m.root !== target.pos.ino || m.parent === null) return fail(state, 'EINVAL'); // not a mount point
  const ns = state.namespaces[m.ns!]!;
  if (!op.lazy) {
    // do_umount / propagate_mount_busy: child mounts and open files pin it
    if (ns.mounts.some((id) => state.mounts[id]!.parent === m.id)) return fail(state, 'EBUSY');
    for (const name in state.handles) if (state.handles[name]!.mount === m.id) return fail(state, 'EBUSY');
  }
  return done(collect(detachTree(state, m.id)));
}

/** Detach a mount and everything mounted below it (umount_tree). */
export function detachTree(state: KernelState, top: MountId): KernelState {
  const ns = mountOf(state, top).ns!;
  const gone = new Set<MountId>([top]);
  let grew = true;
  const members = state.namespaces[ns]!.mounts;
  while (grew) {
    grew = false;
    for (const id of members) {
      const parent = state.mounts[id]!.parent;
      if (!gone.has(id) && parent !== null && gone.has(parent)) { gone.add(id); grew = true; }
    }
  }
  let mounts = state.mounts;
  for (const id of gone) mounts = put(mounts, id, { ...mounts[id]!, ns: null, parent: null });
  const space = state.namespaces[ns]!;
  return { ...state, mounts, namespaces: put(state.namespaces, ns, { ...space, mounts: space.mounts.filter((id) => !gone.has(id)) }) };
}

/** CLONE_NEWNS: a private copy of a namespace; the copies share filesystems (instances). */
export function copyNamespace(state: KernelState, from: NsId): { state: KernelState; ns: NsId } {
  const ns = `ns${state.next.ns}`;
  const source = state.namespaces[from]!;
  const ids = new Map<MountId, MountId>();
  let n = state.next.mount;
  for (const id of source.mounts) ids.set(id, `m${n++}`);
  let mounts = state.mounts;
  for (const id of source.mounts) {
    const m = state.mounts[id]!;
    const copy: Mount = { ...m, id: ids.get(id)!, ns, parent: m.parent === null ? null : ids.get(m.parent) ?? null };
    mounts = put(mounts, copy.id, copy);
  }
  return {
    ns,
    state: {
      ...state,
      mounts,
      namespaces: put(state.namespaces, ns, { id: ns, root: ids.get(source.root)!, mounts: source.mounts.map((id) => ids.get(id)!) }),
      next: { ...state.next, mount: n, ns: state.next.ns + 1 },
    },
  };
}

/** Is inode `ino` of filesystem `fsId` held by an open handle (opened through a mount of it)? */
export function pinned(state: KernelState, fsId: string, ino: number): boolean {
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.ino === ino && state.mounts[h.mount]?.fs === fsId) return true;
  }
  return false;
}

/**
 * Every inode of `fs` is linked: there is one more inode than directory entries. No op
 * makes a second link to an inode (operations.md has no link or rename), so every inode
 * but the root has at most one entry; a quick count saves the set of linked inodes on
 * the common path (collect runs after every close, exit, umount, unlink and unshare).
 */
function allLinked(fs: PlainFs): boolean {
  let inodes = 0, entries = 0;
  for (const ino in fs.inodes) {
    inodes++;
    const n = fs.inodes[ino]!;
    if (n.type === 'dir') for (const _ in n.entries) entries++;
  }
  return inodes === entries + 1;
}

/**
 * Drop what nothing can reach any more: namespaces without processes (except the
 * initial one, pinned by init_task), detached mounts no open file holds, and
 * instances no mount shows that nothing pins (the instance chart, charts/instance.ts:
 * the initial instance never dies, 2.6.39 §1.9; ptys pin theirs).
 */
export function collect(state: KernelState): KernelState {
  let s = state;
  for (const ns in s.namespaces) {
    if (ns === INITIAL_NS) continue;
    let used = false;
    for (const pid in s.procs) if (s.procs[pid]!.ns === ns) { used = true; break; }
    if (!used) {
      const root = s.namespaces[ns]!.root;
      s = detachTree(s, root);
      s = { ...s, mounts: put(s.mounts, root, { ...s.mounts[root]!, ns: null, parent: null }), namespaces: drop(s.namespaces, ns) };
    }
  }
  const held = new Set<string>();
  for (const name in s.handles) held.add(s.handles[name]!.mount);
  let mounts = s.mounts;
  for (const id in s.mounts) if (s.mounts[id]!.ns === null && !held.has(id)) mounts = drop(mounts, id);
  const usedFs = new Set<string>();
  for (const id in mounts) usedFs.add(mounts[id]!.fs);
  let fss = s.fss;
  // unlinked inodes nothing pins any more (files.ts unlinkOp keeps pinned ones)
  const live = { ...s, mounts };
  for (const id in fss) {
    const fs = fss[id]!;
    if (fs.kind !== 'plain' || allLinked(fs)) continue;
    const linked = new Set<number>([1]);
    for (const ino in fs.inodes) { const n = fs.inodes[ino]!; if (n.type === 'dir') for (const name in n.entries) linked.add(n.entries[name]!); }
    let inodes: Record<number, PlainInode> | null = null;
    for (const ino in fs.inodes) {
      const n = Number(ino);
      if (linked.has(n) || pinned(live, id, n)) continue;
      inodes ??= { ...fs.inodes };
      delete inodes[n];
    }
    if (inodes) fss = put(fss, id, { ...fs, inodes });
  }
  for (const id in s.fss) {
    const fs = s.fss[id]!;
    if (usedFs.has(id) || (fs.kind === 'devpts' && outlivesItsMounts(fs))) continue;
    fss = drop(fss, id);
  }
  return mounts === s.mounts && fss === s.fss ? s : { ...s, mounts, fss };
}
