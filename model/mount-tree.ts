// The mount tree as data: attaching a (copied) tree of mounts, detaching a subtree,
// copying a namespace, and the questions the mount ops ask about the tree (which mounts
// hang below which, what holds a mount busy). Propagation (propagation.ts) and the
// mount ops (mounts.ts) are built on these.

import type { MountFlag } from './ops.ts';
import { mountOf, nodeAt, samePos } from './paths.ts';
import { put } from './records.ts';
import type { FsId, KernelState, Mount, MountId, NsId, Pos, UsernsId } from './state.ts';

/** A mount to be made, with the mounts to hang below it (a fresh mount, a bind, a copy). */
export interface MountSpec {
  readonly fs: FsId;
  readonly root: number;
  readonly flags: readonly MountFlag[];
  readonly group?: number;
  readonly master?: number;
  readonly unbindable?: true;
  readonly locked?: true;
  readonly lockedFlags?: readonly MountFlag[];
  /** The mount this node copies: a copy in its peer group goes right after it in the ring (clone_mnt's list_add). */
  readonly origin?: MountId;
  readonly children: readonly { readonly mountpoint: number; readonly spec: MountSpec }[];
}

/**
 * The ring key for a new member of peer group `group` placed right after mount `after`
 * (clone_mnt: list_add(&mnt->mnt_share, &old->mnt_share)); the first member, or one after a
 * mount not in the group, gets a key after every member.
 */
export function ringAfter(mounts: Readonly<Record<MountId, Mount>>, group: number, after: MountId | undefined): number {
  const a = after !== undefined ? mounts[after] : undefined;
  const from = a !== undefined && a.group === group && a.ns !== null ? a.ring ?? 0 : null;
  let next = Infinity;
  let last = -Infinity;
  for (const id in mounts) {
    const m = mounts[id]!;
    if (m.group !== group || m.ns === null) continue;
    const k = m.ring ?? 0;
    if (k > last) last = k;
    if (from !== null && k > from && k < next) next = k;
  }
  if (from === null) return last === -Infinity ? 0 : last + 1;
  return next === Infinity ? from + 1 : (from + next) / 2;
}

/** A peer group's members in ring order starting right after `start` (next_peer from it), `start` left out. */
export function ringFrom(state: KernelState, group: number, start: MountId | null): Mount[] {
  const all: Mount[] = [];
  for (const id in state.mounts) {
    const m = state.mounts[id]!;
    if (m.group === group && m.ns !== null) all.push(m);
  }
  all.sort((x, y) => (x.ring ?? 0) - (y.ring ?? 0) || (Number(x.id.slice(1)) - Number(y.id.slice(1))));
  const at = start === null ? -1 : all.findIndex((m) => m.id === start);
  return at < 0 ? all : [...all.slice(at + 1), ...all.slice(0, at)];
}

/** The propagation and lock fields of a mount, without the undefined ones (records stay small). */
export function propagationOf(m: Pick<Mount, 'group' | 'master' | 'unbindable' | 'locked' | 'lockedFlags'>): Partial<Mount> {
  const out: { group?: number; master?: number; unbindable?: true; locked?: true; lockedFlags?: readonly MountFlag[] } = {};
  if (m.group !== undefined) out.group = m.group;
  if (m.master !== undefined) out.master = m.master;
  if (m.unbindable) out.unbindable = true;
  if (m.locked) out.locked = true;
  if (m.lockedFlags && m.lockedFlags.length > 0) out.lockedFlags = m.lockedFlags;
  return out;
}

/** The members of a namespace (mount records), in its list order. */
export function members(state: KernelState, ns: NsId): Mount[] {
  const out: Mount[] = [];
  for (const id of state.namespaces[ns]!.mounts) out.push(state.mounts[id]!);
  return out;
}

/** Mounts hanging directly below `id` (same namespace), in mount-id order. */
export function childrenOf(state: KernelState, id: MountId): Mount[] {
  const m = mountOf(state, id);
  if (m.ns === null) return [];
  const out: Mount[] = [];
  for (const c of state.namespaces[m.ns]!.mounts) {
    const child = state.mounts[c]!;
    if (child.parent === id) out.push(child);
  }
  return out;
}

/** A mount's place among its parent's children (Mount.attached, else its id's number). */
export function childKey(m: Mount): number {
  return m.attached ?? Number(m.id.slice(1));
}

/** `id` and every mount below it, depth first (pre-order, children in the order they were attached: copy_tree's order). */
export function subtree(state: KernelState, id: MountId): MountId[] {
  const out: MountId[] = [id];
  const m = state.mounts[id]!;
  if (m.ns === null) return out;
  let list = state.namespaces[m.ns]!.mounts;
  // the namespace's list is in attach order unless a move re-attached a mount: then sort (rare)
  for (const c of list) if (state.mounts[c]!.attached !== undefined) { list = [...list].sort((a, b) => childKey(state.mounts[a]!) - childKey(state.mounts[b]!)); break; }
  // iterative pre-order: a stack of (mount, next list position to look at)
  const stack: MountId[] = [id];
  const from: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const parent = stack[top]!;
    let i = from[top]!;
    while (i < list.length && state.mounts[list[i]!]!.parent !== parent) i++;
    if (i >= list.length) { stack.pop(); from.pop(); continue; }
    from[top] = i + 1;
    out.push(list[i]!);
    stack.push(list[i]!);
    from.push(0);
  }
  return out;
}

/** Is inode `ino` at or below directory `top` in the fs of mount `m` (is_subdir)? */
export function isBelow(state: KernelState, m: MountId, ino: number, top: number): boolean {
  let cur = ino;
  for (let guard = 0; guard < 10_000; guard++) {
    if (cur === top) return true;
    const node = nodeAt(state, { mount: m, ino: cur });
    if (!node || node.parent === cur) return false;
    cur = node.parent;
  }
  return false;
}

/**
 * The spec of the tree at `source` (a mount and a directory or file of it): the mount
 * re-rooted at the source node, and, when `recursive`, every mount hanging below that
 * node (copy_tree; with `skipUnbindable`, unbindable submounts stay behind, as for
 * --rbind). Propagation fields are copied as they are; callers adjust them.
 */
export function treeSpec(state: KernelState, source: Pos, recursive: boolean, skipUnbindable: boolean): MountSpec {
  const top = mountOf(state, source.mount);
  return specOf(state, top, source.ino, source.ino === top.root, recursive, skipUnbindable);
}
function specOf(state: KernelState, m: Mount, root: number, fromRoot: boolean, recursive: boolean, skipUnbindable: boolean): MountSpec {
  const children: { mountpoint: number; spec: MountSpec }[] = [];
  if (recursive) {
    for (const c of childrenOf(state, m.id)) {
      if (skipUnbindable && c.unbindable) continue;
      if (!fromRoot && !isBelow(state, m.id, c.mountpoint, root)) continue;
      children.push({ mountpoint: c.mountpoint, spec: specOf(state, c, c.root, true, true, skipUnbindable) });
    }
  }
  return { fs: m.fs, root, flags: m.flags, ...propagationOf(m), ...(m.group !== undefined ? { origin: m.id } : {}), children };
}

/** The spec with each node's origin set to the mount made from it (ids in the spec's depth-first order). */
export function reorigin(spec: MountSpec, ids: readonly MountId[]): MountSpec {
  let i = 0;
  const walk = (s: MountSpec): MountSpec => {
    const id = ids[i++]!;
    return { ...s, origin: id, children: s.children.map((c) => ({ mountpoint: c.mountpoint, spec: walk(c.spec) })) };
  };
  return walk(spec);
}

/** Rewrite every node of a spec (group/master/lock changes for copies). */
export function mapSpec(spec: MountSpec, f: (s: MountSpec) => Omit<MountSpec, 'children'>): MountSpec {
  return { ...f(spec), children: spec.children.map((c) => ({ mountpoint: c.mountpoint, spec: mapSpec(c.spec, f) })) };
}

/**
 * Attach the tree `spec` on `on` (a place in namespace `ns`): ids in depth-first order
 * (creation order is mountinfo order), appended to the namespace's list. A mount
 * already directly on `on` is tucked on top of the new tree's root
 * (attach_recursive_mnt → mnt_change_mountpoint: a propagated copy goes under it).
 */
export function attachTree(state: KernelState, on: Pos, spec: MountSpec): { state: KernelState; id: MountId; ids: MountId[] } {
  const parent = mountOf(state, on.mount);
  const ns = parent.ns!;
  const space = state.namespaces[ns]!;
  let tucked: MountId | null = null;
  for (const c of space.mounts) {
    const m = state.mounts[c]!;
    if (m.parent === on.mount && m.mountpoint === on.ino) { tucked = c; break; }
  }
  const ids: MountId[] = [];
  const made = { mounts: state.mounts as Record<MountId, Mount>, n: state.next.mount };
  const id = makeMount(made, ids, spec, ns, on.mount, on.ino);
  let mounts = made.mounts as Readonly<Record<MountId, Mount>>;
  if (tucked !== null) mounts = put(mounts, tucked, { ...mounts[tucked]!, parent: id, mountpoint: spec.root });
  return {
    id, ids,
    state: {
      ...state,
      mounts,
      namespaces: put(state.namespaces, ns, { ...space, mounts: ids.length === 1 ? [...space.mounts, id] : [...space.mounts, ...ids] }),
      next: { ...state.next, mount: made.n },
    },
  };
}
/** One mount of a spec and its children, depth first (ids in creation order). */
function makeMount(made: { mounts: Readonly<Record<MountId, Mount>>; n: number }, ids: MountId[], s: MountSpec, ns: NsId, parentId: MountId, mountpoint: number): MountId {
  const id = `m${made.n++}`;
  ids.push(id);
  const m: Mount = s.children.length === 0 && s.group === undefined && s.master === undefined && !s.unbindable && !s.locked && !s.lockedFlags
    ? { id, ns, fs: s.fs, root: s.root, parent: parentId, mountpoint, flags: s.flags }
    : { id, ns, parent: parentId, mountpoint, fs: s.fs, root: s.root, flags: s.flags, ...propagationOf(s), ...(s.group !== undefined ? ringKey(ringAfter(made.mounts, s.group, s.origin)) : {}) };
  made.mounts = put(made.mounts, id, m);
  for (const c of s.children) makeMount(made, ids, c.spec, ns, id, c.mountpoint);
  return id;
}

/** A ring key as a record field (0, the default, left out: records stay small). */
export const ringKey = (k: number): { ring?: number } => (k === 0 ? {} : { ring: k });

/** Detach mounts from their namespace (umount_tree: each is disconnected from its parent). */
export function detachMounts(state: KernelState, gone: ReadonlySet<MountId>): KernelState {
  if (gone.size === 0) return state;
  let mounts = state.mounts;
  const touched = new Set<NsId>();
  for (const id of gone) {
    const m = mounts[id]!;
    if (m.ns !== null) touched.add(m.ns);
    // umount_tree: change_mnt_propagation(MS_PRIVATE) on every mount it takes
    const { group: _g, master: _m, ring: _r, ...rest } = m;
    mounts = put(mounts, id, { ...rest, ns: null, parent: null });
  }
  let namespaces = state.namespaces;
  for (const ns of touched) {
    const space = namespaces[ns]!;
    namespaces = put(namespaces, ns, { ...space, mounts: space.mounts.filter((id) => !gone.has(id)) });
  }
  return { ...state, mounts, namespaces };
}

/** Detach a mount and everything mounted below it (umount_tree). */
export function detachTree(state: KernelState, top: MountId): KernelState {
  return detachMounts(state, new Set(subtree(state, top)));
}

/** Mounts a process holds by its root or working directory (they pin the mount like an open file). */
export function heldByProcs(state: KernelState, id: MountId): boolean {
  for (const pid in state.procs) {
    const p = state.procs[pid]!;
    if (p.root.mount === id || p.cwd.mount === id) return true;
  }
  return false;
}

/** Open files, working directories and roots on this mount (propagate_mount_busy's refcount, beyond the tree itself). */
export function mountInUse(state: KernelState, id: MountId): boolean {
  for (const name in state.handles) if (state.handles[name]!.mount === id) return true;
  return heldByProcs(state, id);
}

/**
 * CLONE_NEWNS: a copy of a namespace's whole tree (copy_mnt_ns → copy_tree with
 * CL_COPY_ALL): ids in depth-first order, propagation kept (a copy of a shared mount is
 * a peer of it; `sharedToSlave` — a new user namespace — makes it a slave instead), and,
 * for a less privileged owner, every mount but the root locked (lock_mnt_tree).
 * Returns the map from old to new mount ids (to carry roots and working directories over).
 */
export function copyNamespace(state: KernelState, from: NsId, owner: UsernsId): { state: KernelState; ns: NsId; ids: ReadonlyMap<MountId, MountId> } {
  const ns = `ns${state.next.ns}`;
  const source = state.namespaces[from]!;
  const lock = owner !== source.owner;
  const order = subtree(state, source.root);
  const ids = new Map<MountId, MountId>();
  let n = state.next.mount;
  for (const id of order) ids.set(id, `m${n++}`);
  let mounts = state.mounts;
  for (const id of order) {
    const m = state.mounts[id]!;
    const { ring: _r, attached: _a, ...plain } = m;
    let copy: Mount = { ...plain, id: ids.get(id)!, ns, parent: m.parent === null ? null : ids.get(m.parent) ?? null };
    if (lock) {
      // CL_SHARED_TO_SLAVE: a shared mount's copy receives from it and sends nothing back
      if (m.group !== undefined) {
        const { group: _g, ...rest } = copy;
        copy = { ...rest, master: m.group };
      }
      // MNT_LOCK_READONLY/NODEV/NOSUID/NOEXEC for the flags it has now; MNT_LOCKED for all but the root
      copy = { ...copy, ...(m.flags.length > 0 ? { lockedFlags: m.flags } : {}), ...(m.parent !== null ? { locked: true as const } : {}) };
    } else if (m.group !== undefined) {
      // a copy of a shared mount is its peer, right after it in the ring
      copy = { ...copy, ...ringKey(ringAfter(mounts, m.group, id)) };
    }
    mounts = put(mounts, copy.id, copy);
  }
  return {
    ns, ids,
    state: {
      ...state,
      mounts,
      namespaces: put(state.namespaces, ns, { id: ns, root: ids.get(source.root)!, mounts: order.map((id) => ids.get(id)!), owner }),
      next: { ...state.next, mount: n, ns: state.next.ns + 1 },
    },
  };
}

/** A place carried into a namespace copy. */
export const carried = (pos: Pos, ids: ReadonlyMap<MountId, MountId>): Pos => {
  const m = ids.get(pos.mount);
  return m === undefined ? pos : { mount: m, ino: pos.ino };
};

export { samePos };
