// Mount propagation (fs/pnode.c, Documentation/filesystems/sharedsubtree.rst): peer
// groups, slaves, unbindable mounts; `propagate` (mount --make-[r]TYPE); what a mount,
// bind or move on a shared mount sends to its peers and slaves; what an umount takes
// with it there.
//
// A mount's `group` is its peer group (shared: a mount or umount below one peer happens
// below every peer); its `master` is the peer group it receives from (slave: it gets
// what happens below the group and sends nothing back). Neither: private. live 6.18:
// a devpts mounted by a child whose namespace copy kept the host's /tmp/s shared
// appears at the host's /tmp/s too, and stays after the child exits.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { attachTree, childrenOf, isBelow, mapSpec, reorigin, ringFrom, subtree, treeSpec, detachMounts, mountInUse, type MountSpec } from './mount-tree.ts';
import { mountOf, resolve } from './paths.ts';
import { profileOf } from './profiles.ts';
import { put } from './records.ts';
import { capableIn } from './userns.ts';
import type { KernelState, Mount, MountId } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

const withMount = (s: KernelState, m: Mount): KernelState => ({ ...s, mounts: put(s.mounts, m.id, m) });

function freshGroup(s: KernelState): { state: KernelState; group: number } {
  return { group: s.next.group, state: { ...s, next: { ...s.next, group: s.next.group + 1 } } };
}

/** Mounts of a peer group (in a namespace), in mount-id order of their namespaces' lists. */
function peersIn(state: KernelState, group: number): Mount[] {
  const out: Mount[] = [];
  for (const ns in state.namespaces) for (const id of state.namespaces[ns]!.mounts) {
    const m = state.mounts[id]!;
    if (m.group === group) out.push(m);
  }
  return out;
}
function slavesOf(state: KernelState, group: number): Mount[] {
  const out: Mount[] = [];
  for (const ns in state.namespaces) for (const id of state.namespaces[ns]!.mounts) {
    const m = state.mounts[id]!;
    if (m.master === group) out.push(m);
  }
  return out;
}

/** A mount without its unbindable mark and with `group` (set_mnt_shared). */
function shared(m: Mount, group: number): Mount {
  const { unbindable: _u, ...rest } = m;
  return { ...rest, group };
}

/** invent_group_ids + set_mnt_shared over a tree: mounts without a peer group get a fresh one. */
export function makeTreeShared(state: KernelState, ids: readonly MountId[]): KernelState {
  let s = state;
  for (const id of ids) {
    const m = s.mounts[id]!;
    if (m.group !== undefined) { if (m.unbindable) s = withMount(s, shared(m, m.group)); continue; }
    const g = freshGroup(s);
    s = withMount(g.state, shared(m, g.group));
  }
  return s;
}

/**
 * After a tree was attached at (P, mp) with its root `originRoot`: propagate_mnt. When P
 * is shared, the tree becomes shared (fresh groups where it had none) and every other
 * mount of P's propagation tree whose root covers mp gets a copy: peers of P a copy in
 * the tree's peer groups, slaves a copy that is a slave of them (and, if the slave is
 * itself shared, in a fresh group its peers share, which its own slaves receive from).
 * A mount already at that place in a receiver goes on top of the copy (tucked). A copy
 * landing in a namespace of another user namespace is locked (lock_mnt_tree).
 */
export function propagateAttach(state: KernelState, parent: MountId, mp: number, originRoot: MountId, fresh: ReadonlySet<MountId>): KernelState {
  const P = mountOf(state, parent);
  if (P.group === undefined) return state;
  let s = makeTreeShared(state, subtree(state, originRoot));
  const origin = mountOf(s, originRoot);
  const owner = s.namespaces[P.ns!]!.owner;
  const made = new Set<MountId>(fresh);
  for (const id of subtree(s, originRoot)) made.add(id);
  const source: MountSpec = treeSpec(s, { mount: originRoot, ino: origin.root }, true, false);

  // each copy's namespace list position: [namespace, its ids], in the order they were made
  const blocks: { ns: string; ids: MountId[] }[] = [];
  const attachCopy = (st: KernelState, r: Mount, spec: MountSpec): { state: KernelState; ids: MountId[] } => {
    // the copy's root is not MNT_LOCKED by its origin (attach_recursive_mnt clears it); a copy
    // landing in a namespace of another user namespace gets lock_mnt_tree: locked flags for
    // all of it, MNT_LOCKED below its root
    const { locked: _l, ...top } = spec;
    let placed = top as MountSpec;
    if (st.namespaces[r.ns!]!.owner !== owner) {
      placed = mapSpec(placed, (x) => ({ ...x, locked: true as const, ...(x.flags.length > 0 ? { lockedFlags: x.flags } : {}) }));
      const { locked: _root, ...unlockedRoot } = placed;
      placed = unlockedRoot as MountSpec;
    }
    const out = attachTree(st, { mount: r.id, ino: mp }, placed);
    for (const id of out.ids) made.add(id);
    blocks.push({ ns: r.ns!, ids: out.ids });
    return { state: out.state, ids: out.ids };
  };
  const covers = (st: KernelState, r: Mount): boolean => r.ns !== null && !made.has(r.id) && isBelow(st, r.id, mp, r.root);

  // level by level: (the group that receives, the tree its members get copies of). The
  // peers of P in ring order from P (propagate_mnt: next_peer), then the slave groups;
  // each copy of a peer group's tree goes right after the previous one in its ring
  // (copy_tree from last_source)
  const queue: { group: number; spec: MountSpec }[] = [{ group: P.group, spec: source }];
  const seen = new Set<number>([P.group]);
  while (queue.length > 0) {
    const item = queue.shift()!;
    const { group } = item;
    let spec = item.spec;
    for (const r of ringFrom(s, group, group === P.group ? parent : null)) {
      if (r.id === parent || !covers(s, r)) continue;
      const out = attachCopy(s, r, spec);
      s = out.state;
      spec = reorigin(spec, out.ids);
    }
    for (const r of slavesOf(s, group)) {
      if (made.has(r.id)) continue;
      if (r.group === undefined) {
        if (covers(s, r)) s = attachCopy(s, r, mapSpec(spec, (x) => slaveCopy(x, undefined))).state;
        continue;
      }
      if (seen.has(r.group)) continue;
      seen.add(r.group);
      // a shared slave's peer group: its members get copies in fresh groups they share,
      // which receive from the copied tree's groups; its own slaves receive from those
      let next = s.next.group;
      let relayed: MountSpec = mapSpec(spec, (x) => slaveCopy(x, next++));
      s = { ...s, next: { ...s.next, group: next } };
      const first = relayed;
      for (const h of ringFrom(s, r.group, null)) {
        if (!covers(s, h)) continue;
        const out = attachCopy(s, h, relayed);
        s = out.state;
        relayed = reorigin(relayed, out.ids);
      }
      queue.push({ group: r.group, spec: first });
    }
  }
  // 3.19 to 6.7 attach_recursive_mnt commits the copies from an hlist built head first:
  // each namespace lists them in the reverse of the order they were made (QEMU 4.4.178);
  // before (list_add_tail) and from 6.8 (mountinfo by mount id) in that order
  if (profileOf(s.profile).propagatedListOrder === 'reversed' && blocks.length > 1) {
    const byNs = new Map<string, MountId[][]>();
    for (const b of blocks) { const l = byNs.get(b.ns) ?? []; l.push(b.ids); byNs.set(b.ns, l); }
    for (const [ns, list] of byNs) {
      if (list.length < 2) continue;
      const moved = new Set(list.flat());
      const space = s.namespaces[ns]!;
      const kept = space.mounts.filter((id) => !moved.has(id));
      s = { ...s, namespaces: put(s.namespaces, ns, { ...space, mounts: [...kept, ...list.reverse().flat()] }) };
    }
  }
  return s;
}

/** A copy node that receives from the source node's group (CL_SLAVE), in group `g` if the receiver is shared. */
function slaveCopy(x: MountSpec, g: number | undefined): Omit<MountSpec, 'children'> {
  const { group: srcGroup, children: _c, unbindable: _u, origin: _o, ...rest } = x;
  return { ...rest, ...(srcGroup !== undefined ? { master: srcGroup } : {}), ...(g !== undefined ? { group: g } : {}) };
}

// ---- umount ------------------------------------------------------------------------------

/** The mount directly at (m, mp) (__lookup_mnt). */
function mountAt(state: KernelState, m: Mount, mp: number): Mount | null {
  for (const id of state.namespaces[m.ns!]!.mounts) {
    const c = state.mounts[id]!;
    if (c.parent === m.id && c.mountpoint === mp) return c;
  }
  return null;
}

/** The propagation tree of a shared mount: its peers and, recursively, the slaves of their groups (not itself). */
function receiversOf(state: KernelState, P: Mount): Mount[] {
  if (P.group === undefined) return [];
  const out: Mount[] = [];
  const seen = new Set<number>([P.group]);
  const queue = [P.group];
  while (queue.length > 0) {
    const g = queue.shift()!;
    for (const r of peersIn(state, g)) if (r.id !== P.id) out.push(r);
    for (const r of slavesOf(state, g)) {
      if (r.group === undefined) { if (r.ns !== null) out.push(r); continue; }
      if (!seen.has(r.group)) { seen.add(r.group); queue.push(r.group); }
    }
  }
  return out;
}

/** find_topper: the one mount on a mount's root that covers it completely, when that is its only child. */
function topperOf(state: KernelState, c: Mount): Mount | null {
  const kids = childrenOf(state, c.id);
  return kids.length === 1 && kids[0]!.mountpoint === c.root ? kids[0]! : null;
}

/**
 * propagate_mount_busy: the copies of `m` below its parent's peers and slaves are busy
 * when an open file, root or working directory holds them; a copy with other mounts
 * on it is left alone (not busy, not unmounted).
 */
export function propagatedBusy(state: KernelState, m: Mount): boolean {
  if (m.parent === null) return false;
  for (const r of receiversOf(state, mountOf(state, m.parent))) {
    const c = mountAt(state, r, m.mountpoint);
    if (c === null) continue;
    if (childrenOf(state, c.id).length > 0 && topperOf(state, c) === null) continue;
    if (mountInUse(state, c.id)) return true;
  }
  return false;
}

/**
 * propagate_umount: with `m` (at (P, mp)) go the mounts at mp below P's peers and
 * slaves that have no other mounts on them; one with just a mount tucked on its root
 * goes and leaves that mount in its place (live 6.18: the copy a master's mount sent
 * under a slave's own mount disappears with the master's umount, the slave's own mount
 * stays). A lazy umount takes each copy with everything on it.
 */
export function umountPropagated(state: KernelState, m: Mount, lazy: boolean): KernelState {
  if (m.parent === null) return state;
  let s = state;
  const gone = new Set<MountId>();
  for (const r of receiversOf(s, mountOf(s, m.parent))) {
    if (r.ns === null) continue;
    const c = mountAt(s, r, m.mountpoint);
    if (c === null) continue;
    if (lazy) { for (const id of subtree(s, c.id)) gone.add(id); continue; }
    const kids = childrenOf(s, c.id);
    if (kids.length === 0) { gone.add(c.id); continue; }
    const top = topperOf(s, c);
    if (top === null) continue;
    gone.add(c.id);
    s = withMount(s, { ...top, parent: r.id, mountpoint: m.mountpoint });
  }
  return detachMounts(s, gone);
}

// ---- mount --make-TYPE --------------------------------------------------------------------

/**
 * change_mnt_propagation for one mount (fs/pnode.c 6.x). shared: a fresh group if it has
 * none (a slave stays a slave), unbindable cleared. slave: with peers it leaves them and
 * receives from their group; alone it keeps what it received from (or becomes private).
 * private, unbindable: neither peer nor slave. Slaves of a group whose last member leaves
 * move to that member's own master, or become private.
 */
export function changeType(state: KernelState, id: MountId, type: 'shared' | 'private' | 'slave' | 'unbindable'): KernelState {
  let s = state;
  const m = mountOf(s, id);
  if (type === 'shared') {
    if (m.group !== undefined && !m.unbindable) return s;
    if (m.group !== undefined) return withMount(s, shared(m, m.group));
    const g = freshGroup(s);
    return withMount(g.state, shared(m, g.group));
  }
  // private or unbindable on a mount that is neither shared nor a slave: nothing to change but the mark
  if (m.group === undefined && m.master === undefined && (type === 'private' ? !m.unbindable : type === 'unbindable' ? m.unbindable : type === 'slave')) return s;
  // do_make_slave
  let master = m.master;
  if (m.group !== undefined) {
    const others = peersIn(s, m.group).filter((p) => p.id !== id);
    if (others.length > 0) master = m.group;
    else {
      // the group dies with its last member: its slaves follow this mount's master, or are free
      for (const sl of slavesOf(s, m.group)) {
        const { master: _old, ...rest } = sl;
        s = withMount(s, master !== undefined ? { ...rest, master } : rest);
      }
    }
  }
  const { group: _g, master: _m, ring: _r, unbindable: wasUnbindable, ...rest } = mountOf(s, id);
  if (type === 'slave') return withMount(s, { ...rest, ...(master !== undefined ? { master } : {}), ...(wasUnbindable ? { unbindable: true as const } : {}) });
  return withMount(s, type === 'unbindable' ? { ...rest, unbindable: true } : rest);
}

/** make-r<type> over a mount and everything below it (do_change_type with MS_REC). */
export function changeTypeTree(state: KernelState, top: MountId, type: 'shared' | 'private' | 'slave' | 'unbindable', recursive: boolean): KernelState {
  let s = state;
  for (const id of recursive ? subtree(s, top) : [top]) s = changeType(s, id, type);
  return s;
}

/**
 * `propagate`: mount --make-[r]TYPE TARGET (do_change_type). The target resolves first
 * (ENOENT before EPERM, as every mount op, live 6.18), needs CAP_SYS_ADMIN over the
 * namespace's owner, and must be a mount's root (EINVAL, live 6.18).
 */
export function propagateOp(ctx: Ctx, op: OpOf<'propagate'>): Outcome {
  const { state, proc } = ctx;
  const target = resolve(state, proc, op.target);
  if (!target.ok) return fail(state, target.errno);
  if (!capableIn(state, proc, state.namespaces[proc.ns]!.owner)) return fail(state, 'EPERM');
  const m = mountOf(state, target.pos.mount);
  if (m.root !== target.pos.ino) return fail(state, 'EINVAL');
  // 6.x (and stable backports of CVE-2025-38498): a mount not in the caller's namespace is EINVAL (check_mnt)
  if (ctx.profile.changeTypeChecksNs && m.ns !== proc.ns) return fail(state, 'EINVAL');
  return done(changeTypeTree(state, m.id, op.type, op.recursive ?? false));
}
