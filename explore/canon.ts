// The canonical state key: a hand-written encoder of KernelState into integer tokens that
// is independent of object key order, of handle names, of internal id numbering (mounts,
// namespaces, filesystems) and of plain-filesystem inode numbering. One encoding serves
// both modes of the visited set: `--exact` keeps the tokens as text, the default hashes
// them into a 64-bit fingerprint (no strings are built on that path).
//
// Why this is sound. The key is a complete description of the state in which every
// internal identifier has been replaced by its number under a bijective renaming that
// is computed from the state itself. Two states with equal keys are therefore
// isomorphic up to a renaming of identifiers, and the model treats those identifiers
// as opaque names: `step` only ever compares them for equality, looks them up, or
// makes fresh ones from the `next` counters (which are always past every name in use).
// So isomorphic states have isomorphic futures: the same ops give results that are
// equal up to the same renaming (handle names and raw `fs` ids in results are exactly
// such names; traces relabel `fs` by first appearance). Canonicality (how much the
// renaming merges) only affects how many states are merged, never soundness, as long
// as the encoding is complete. Each reduction below says what it drops and why the
// model cannot tell the difference.
//
// Not reduced (deliberately): pids (ops name them), pty indices (results and paths
// show them; no symmetry reduction), devpts inode numbers (they are the index + 3),
// uid/gid/mode values, option values, sysctl values, the profile (one per run).
//
// Tokens. Every part is a sequence of integers that is self-delimiting (counts before
// lists, fixed-size records, strings as length then UTF-16 code units, NONE for an
// absent value or a dangling reference), so concatenating parts never makes two
// different states look alike. Parts that belong to an immutable object (a filesystem,
// the `procs` record, the mount walk) are encoded and hashed once per object: states
// share untouched parts structurally, so most steps re-encode only what they changed.

import { INITIAL_NS, INITIAL_USERNS, MOUNT_FLAGS } from '../model/index.ts';
import type { Attrs, DevptsFs, FsId, Handle, KernelState, Mount, MountId, NsId, PlainFs, Pos, UsernsId } from '../model/index.ts';
import { DEAD_SLAVE_INO } from '../model/paths.ts';
import { childKey } from '../model/mount-tree.ts';

/**
 * What a search can observe beyond what every op sees. A part of the state that no op
 * of the scope can read and that changes no other result may be left out of the key:
 * - `mountOrder`: the order of a namespace's mounts (mountinfo order) is read only by
 *   the `mounts` op (every other use of a namespace's list is order-free, and the order
 *   of a copy follows from it and from the attach order a move changes, Mount.attached);
 * - `ptyNr`: 2.6.39's count of ptys ever allocated is read only by a `sysctl` read of
 *   kernel.pty.nr (its limit is on the index, not on the count).
 * The default observes everything.
 */
export interface CanonOptions { readonly mountOrder: boolean; readonly ptyNr: boolean }
export const OBSERVE_ALL: CanonOptions = { mountOrder: true, ptyNr: true };

/** An encoded part: its tokens, their 64-bit hash, and (on demand, for exact keys) their text. */
export interface Encoded { readonly tokens: readonly number[]; readonly h1: number; readonly h2: number; text?: string }

/** An absent value (null option, no ptmx node, a dangling inode or mount reference). */
const NONE = -1;
/** Start of one namespace's mount walk (mount records start with a parent position ≥ -1). */
const NS_MARK = -2;
const FS_PLAIN = 1, FS_DEVPTS = 2;
const FSTYPE = { tmpfs: 0, devtmpfs: 1, rootfs: 2 } as const;
const INODE_TYPE = { dir: 0, chr: 1, reg: 2, lnk: 3 } as const;
const HANDLE_KIND = { master: 0, slave: 1, file: 2 } as const;
/** Where a handle's mount is: in the walk (its position), detached (fs, root, flags), gone. */
const AT_WALK = 0, AT_DETACHED = 1, AT_NOWHERE = 2;

function pushStr(t: number[], s: string): void {
  t.push(s.length);
  for (let i = 0; i < s.length; i++) t.push(s.charCodeAt(i));
}
function pushAttrs(t: number[], a: Attrs | null): void {
  if (a === null) t.push(NONE); // modes are ≥ 0: unambiguous
  else t.push(a.mode, a.uid, a.gid);
}
const orNone = (v: number | null): number => (v === null ? NONE : v);

// ---- hashing ------------------------------------------------------------------------------

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

// the two lanes of the hash being computed (module state: no closure or array per call)
let laneA = 0, laneB = 0;
function start(): void { laneA = 0x3c6ef372 | 0; laneB = 0xa54ff53a | 0; }
/** murmur3's block step, one word per lane (different constants per lane). */
function mix(x: number, y: number): void {
  const a = laneA ^ Math.imul(x, 0xcc9e2d51);
  laneA = Math.imul(a << 13 | a >>> 19, 5) + 0xe6546b64 | 0;
  const b = laneB ^ Math.imul(y, 0x1b873593);
  laneB = Math.imul(b << 15 | b >>> 17, 5) + 0x561ccd1b | 0;
}
function mixTokens(t: readonly number[]): void {
  for (let i = 0; i < t.length; i++) { const x = t[i]! | 0; mix(x, x ^ 0x2545f491); }
  mix(t.length, ~t.length);
}

function encoded(tokens: readonly number[]): Encoded {
  start();
  mixTokens(tokens);
  return { tokens, h1: fmix(laneA), h2: fmix(laneB ^ 0x27d4eb2f) };
}
const textOf = (e: Encoded): string => (e.text ??= e.tokens.join(','));

/**
 * 64-bit hash of a string: two 32-bit lanes over its UTF-16 code units, each finalised
 * with murmur3's fmix32. Written into `out[0..1]`. As in TLC, two distinct states share
 * a fingerprint with probability about n²/2⁶⁵ for n states (≈ 3·10⁻⁶ at 10 million);
 * `exact: true` keeps the keys themselves instead.
 */
export function fingerprint(key: string, out: Uint32Array): void {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  out[0] = fmix(h1 ^ n);
  out[1] = fmix(h2 ^ n);
}

// ---- caches ------------------------------------------------------------------------------------

/**
 * The last few objects seen and what was computed for them, compared by identity. Why
 * not a WeakMap: the search meets millions of distinct parts, and a WeakMap that large
 * costs more per insert (and in GC ephemeron work) than re-encoding a small part. The
 * parts a search asks about come in runs (the successors of one state share most of
 * its parts), so a handful of recent entries catches nearly every repeat.
 */
class RecentCache<K extends object, V> {
  private readonly keys: (K | null)[];
  private readonly values: (V | null)[];
  private next = 0;
  constructor(size: number) { this.keys = new Array<K | null>(size).fill(null); this.values = new Array<V | null>(size).fill(null); }
  get(k: K): V | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === k) return this.values[i]!;
    return undefined;
  }
  set(k: K, v: V): void {
    this.keys[this.next] = k;
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.keys.length;
  }
}

// ---- filesystem contents (cached per object) ------------------------------------------------

/** Canonical inode numbering of one plain filesystem, with its encoding. */
interface PlainCanon { readonly enc: Encoded; readonly ino: Map<number, number> }
// plain filesystems change rarely (a mknod, a tmpfs mount): few objects, kept for the whole search
const plainCache = new WeakMap<PlainFs, PlainCanon>();
const devptsCache = new RecentCache<DevptsFs, Encoded>(16);

/**
 * Plain fs: inodes renumbered 1, 2, ... in depth-first order from the root (ino 1,
 * which stays 1), entries by name. Reduction: the `nextIno` counter and the history of
 * inode numbers (touch, unlink, touch gives a new number) are dropped: the model only
 * uses plain inode numbers as opaque identities (entries, parent, mountpoint, handle
 * ino), never their order or value, except that the fs root is 1 (kept). Inodes not
 * reachable from the root (unlinked while a handle holds them open) keep their relative
 * order after the rest (any bijection is sound; this one merges a little less).
 */
const recentPlain = new RecentCache<PlainFs, PlainCanon>(4);
export function canonPlain(fs: PlainFs): PlainCanon {
  // nearly every lookup is of a root filesystem seen a moment ago: a few recent entries before the WeakMap
  const recent = recentPlain.get(fs);
  if (recent) return recent;
  const hit = plainCache.get(fs);
  if (hit) { recentPlain.set(fs, hit); return hit; }
  const ino = new Map<number, number>();
  const order: number[] = [];
  const visit = (n: number): void => {
    if (ino.has(n)) return;
    const inode = fs.inodes[n];
    if (!inode) return;
    ino.set(n, order.length + 1);
    order.push(n);
    if (inode.type === 'dir') {
      const names = Object.keys(inode.entries).sort();
      for (const name of names) visit(inode.entries[name]!);
    }
  };
  visit(1);
  for (const k in fs.inodes) { const n = Number(k); if (!ino.has(n)) { ino.set(n, order.length + 1); order.push(n); } }
  // a read-only superblock behaves differently (EROFS): never merge it with a writable one
  const t: number[] = [FS_PLAIN, fs.readonly ? 1 : 0, FSTYPE[fs.fstype ?? 'tmpfs'], fs.nodev ? 1 : 0, order.length];
  for (const n of order) {
    const i = fs.inodes[n]!;
    t.push(INODE_TYPE[i.type], i.mode, i.uid, i.gid, ino.get(i.parent) ?? NONE);
    switch (i.type) {
      case 'dir': {
        const names = Object.keys(i.entries).sort();
        t.push(names.length);
        for (const name of names) { pushStr(t, name); t.push(ino.get(i.entries[name]!) ?? NONE); }
        break;
      }
      case 'chr': t.push(i.major, i.minor); break;
      case 'lnk': pushStr(t, i.target); break;
      case 'reg': break;
    }
  }
  const made = { enc: encoded(t), ino };
  plainCache.set(fs, made);
  recentPlain.set(fs, made);
  return made;
}

/**
 * Killed slave inodes of an instance in canonical order (by index, then attributes):
 * their inode numbers are fresh names (only compared for equality), replaced by rank.
 */
const deadRankCache = new RecentCache<DevptsFs, Map<number, number>>(8);
function deadRanks(fs: DevptsFs): Map<number, number> {
  const hit = deadRankCache.get(fs);
  if (hit) return hit;
  const inos = Object.keys(fs.dead ?? {}).map(Number);
  const key = (i: number) => { const d = fs.dead![i]!; return [d.index, d.attrs.mode, d.attrs.uid, d.attrs.gid]; };
  inos.sort((a, b) => compareTokens(key(a), key(b)) || a - b);
  const ranks = new Map<number, number>();
  inos.forEach((ino, r) => ranks.set(ino, DEAD_SLAVE_INO + r));
  deadRankCache.set(fs, ranks);
  return ranks;
}

/** Devpts instance: everything but its id (the id is replaced by its canonical number). */
export function canonDevpts(fs: DevptsFs): Encoded {
  const hit = devptsCache.get(fs);
  if (hit !== undefined) return hit;
  const o = fs.opts;
  const t: number[] = [FS_DEVPTS, orNone(o.uid), orNone(o.gid), o.mode, o.ptmxmode, orNone(o.max), o.newinstance ? 1 : 0,
    fs.initial ? 1 : 0, fs.reserve ? 1 : 0, fs.readonly ? 1 : 0];
  pushAttrs(t, fs.root);
  pushAttrs(t, fs.ptmx);
  const count = t.length;
  t.push(0);
  // integer keys enumerate in ascending order: ptys by index
  for (const k in fs.ptys) {
    const p = fs.ptys[k]!;
    t.push(Number(k), p.masterOpen ? 1 : 0, p.locked ? 1 : 0, p.slaveOpens);
    pushAttrs(t, p.node);
    t[count]!++;
  }
  if (fs.dead) {
    const ranks = deadRanks(fs);
    const byRank = [...ranks].sort((a, b) => a[1] - b[1]);
    t.push(byRank.length);
    for (const [ino] of byRank) { const d = fs.dead[ino]!; t.push(d.index); pushAttrs(t, d.attrs); }
  } else t.push(0);
  const made = encoded(t);
  devptsCache.set(fs, made);
  return made;
}

const fsContent = (fs: PlainFs | DevptsFs): Encoded => (fs.kind === 'plain' ? canonPlain(fs).enc : canonDevpts(fs));

// ---- processes and the mount walk (cached per record) ------------------------------------------

/** Processes part: encoding and namespace order, cached per `procs` record. */
interface ProcsPart { readonly enc: Encoded; readonly nsIds: readonly NsId[]; readonly nsKey: string }
const procsCache = new RecentCache<object, ProcsPart>(8);

function procsPart(state: KernelState): ProcsPart {
  const hit = procsCache.get(state.procs);
  if (hit) return hit;
  const nsIds: NsId[] = [INITIAL_NS];
  const t: number[] = [0];
  // integer keys enumerate in ascending order: processes by pid
  for (const k in state.procs) {
    const p = state.procs[k]!;
    let n = nsIds.indexOf(p.ns);
    if (n < 0) { n = nsIds.length; nsIds.push(p.ns); }
    t.push(Number(k), p.uid, p.gid, n);
    t[0]!++;
  }
  const part = { enc: encoded(t), nsIds, nsKey: nsIds.join(' ') };
  procsCache.set(state.procs, part);
  return part;
}

/**
 * Mounts part: the walk's output and the fs/mount orders it fixes. It depends only on
 * the namespaces and mounts records, the namespace order, and the plain filesystems
 * whose inode numbering it used, so it is cached per `mounts` record and reused while
 * those are the same objects (most steps touch none of them).
 */
interface MountsPart {
  readonly namespaces: object;
  readonly nsKey: string;
  readonly mountOrder: boolean;
  /** Plain filesystems whose inode numbering the walk used: ids and the objects it saw. */
  readonly plainIds: readonly FsId[];
  readonly plainFss: readonly PlainFs[];
  readonly enc: Encoded;
  readonly fsIds: readonly FsId[];
  readonly mountIds: readonly MountId[];
}
const mountsCache = new RecentCache<object, MountsPart[]>(8);

function mountsPart(state: KernelState, nsIds: readonly NsId[], nsKey: string, mountOrder: boolean): MountsPart {
  const list = mountsCache.get(state.mounts);
  if (list) {
    for (const e of list) {
      if (e.namespaces !== state.namespaces || e.nsKey !== nsKey || e.mountOrder !== mountOrder) continue;
      let same = true;
      for (let i = 0; i < e.plainIds.length; i++) if (state.fss[e.plainIds[i]!] !== e.plainFss[i]) { same = false; break; }
      if (same) return e;
    }
  }
  const w: Walk = { state, fsIds: [], mountIds: [], t: [], plainIds: [], plainFss: [], groups: new Map() };
  for (let i = 0; i < nsIds.length; i++) {
    const ns = state.namespaces[nsIds[i]!];
    w.t.push(NS_MARK);
    if (!ns) continue;
    // the namespace's mounts, looked up once (the walk scans them for each mount's children)
    const members: Mount[] = [];
    for (const id of ns.mounts) members.push(state.mounts[id]!);
    visitMount(w, members, state.mounts[ns.root]!, -1, null);
  }
  if (mountOrder) {
    // mountinfo order: each namespace's list as walk positions
    for (let i = 0; i < nsIds.length; i++) {
      const ns = state.namespaces[nsIds[i]!];
      w.t.push(NS_MARK);
      if (ns) for (const id of ns.mounts) w.t.push(w.mountIds.indexOf(id));
      // after a move, children are in attach order, not list order: a copy of the namespace lists them so
      if (ns && ns.mounts.some((id) => state.mounts[id]!.attached !== undefined)) {
        w.t.push(NS_MARK);
        for (const id of [...ns.mounts].sort((a, b) => childKey(state.mounts[a]!) - childKey(state.mounts[b]!))) w.t.push(w.mountIds.indexOf(id));
      }
    }
  }
  const part: MountsPart = { namespaces: state.namespaces, nsKey, mountOrder, plainIds: w.plainIds, plainFss: w.plainFss, enc: encoded(w.t), fsIds: w.fsIds, mountIds: w.mountIds };
  if (list) { if (list.length >= 4) list.shift(); list.push(part); } else mountsCache.set(state.mounts, [part]);
  return part;
}

/** Scratch of one walk: fs and mount ids in canonical order (index = number), tokens. */
interface Walk { readonly state: KernelState; readonly fsIds: FsId[]; readonly mountIds: MountId[]; readonly t: number[]; readonly plainIds: FsId[]; readonly plainFss: PlainFs[]; readonly groups: Map<number, number> }

function fsNum(w: Walk, id: FsId): number {
  let n = w.fsIds.indexOf(id);
  if (n < 0) {
    n = w.fsIds.length;
    w.fsIds.push(id);
    const fs = w.state.fss[id];
    if (fs && fs.kind === 'plain') { w.plainIds.push(id); w.plainFss.push(fs); } // the walk reads its inode numbering
  }
  return n;
}

/** Canonical number of inode `ino` of fs `fsId` (NONE when it does not exist). */
function inoIn(state: KernelState, fsId: FsId, ino: number): number {
  const fs = state.fss[fsId];
  if (!fs) return NONE;
  if (fs.kind === 'devpts') return ino >= DEAD_SLAVE_INO ? deadRanks(fs).get(ino) ?? NONE : ino; // live ones are semantic (index + 3)
  return canonPlain(fs).ino.get(ino) ?? NONE;
}

/** Peer groups are fresh numbers (only compared for equality): renumbered in walk order. */
function groupNum(w: Walk, g: number | undefined): number {
  if (g === undefined) return NONE;
  let n = w.groups.get(g);
  if (n === undefined) { n = w.groups.size; w.groups.set(g, n); }
  return n;
}
function lockedBits(flags: readonly string[]): number {
  let bits = 0;
  for (const f of flags) bits |= 1 << MOUNT_FLAGS.indexOf(f as never);
  return bits;
}

function flagBits(m: Mount): number {
  let bits = 0;
  for (const f of m.flags) bits |= 1 << MOUNT_FLAGS.indexOf(f);
  return bits;
}

/**
 * Depth-first walk of one namespace's mount tree; children by canonical mountpoint, ties
 * in list order. `mp` is the mount's canonical mountpoint in its parent (null: the root).
 */
function visitMount(w: Walk, members: readonly Mount[], m: Mount, parentPos: number, mp: number | null): void {
  const state = w.state;
  const pos = w.mountIds.length;
  w.mountIds.push(m.id);
  const f = fsNum(w, m.fs);
  w.t.push(parentPos, mp ?? NONE, f, inoIn(state, m.fs, m.root), flagBits(m),
    groupNum(w, m.group), groupNum(w, m.master), m.unbindable ? 1 : 0, m.locked ? 1 : 0, m.lockedFlags ? lockedBits(m.lockedFlags) : 0,
    m.group === undefined ? 0 : ringRank(state, m));
  let kids: { m: Mount; mp: number }[] | null = null;
  for (const c of members) {
    if (c.parent === m.id) (kids ??= []).push({ m: c, mp: inoIn(state, m.fs, c.mountpoint) });
  }
  if (kids === null) return;
  // Array.prototype.sort is stable: ties keep the namespace's list order
  if (kids.length > 1) kids.sort(byMountpoint);
  for (const kid of kids) visitMount(w, members, kid.m, pos, kid.mp);
}
const byMountpoint = (a: { mp: number }, b: { mp: number }): number => a.mp - b.mp;

/** A shared mount's place in its peer group's ring: how many live peers have a smaller key (the keys' values mean nothing). */
function ringRank(state: KernelState, m: Mount): number {
  const k = m.ring ?? 0;
  let n = 0;
  for (const id in state.mounts) {
    const o = state.mounts[id]!;
    if (o.group === m.group && o.ns !== null && (o.ring ?? 0) < k) n++;
  }
  return n;
}

// ---- the key ----------------------------------------------------------------------------------

/**
 * The canonical key of a state.
 *  - Namespaces: ns1 (the initial one, special: never collected) is 0; the others are
 *    numbered in order of the lowest pid living in them. Reduction: ns ids are fresh
 *    names from a counter (copyNamespace); only equality matters.
 *  - Mounts: per namespace in that order, a depth-first walk of the mount tree from
 *    the namespace root; children ordered by their (canonical) mountpoint inode, ties
 *    in the namespace's list order. Reduction: mount ids (fresh names) and the order of
 *    `ns.mounts` between mounts on different mountpoints. The model reads that order
 *    only through mountOn (first mount on a given parent+mountpoint: the tie order
 *    kept here) and copies it into new namespaces (copyNamespace, --rbind), where it
 *    again matters only among such ties; every other use (EBUSY scans, detachTree,
 *    isLocalMountpoint, collect) is order-independent.
 *  - Filesystems: numbered in order of first use by the mount walk; the rest (the
 *    initial instance when nothing mounts it, instances held only by handles) after
 *    them, ordered by content (ties by raw id: sound, possibly less merging).
 *    Reduction: fs ids are fresh names.
 *  - Detached mounts (umounted, held by open handles) are encoded inline in each handle
 *    that holds them by (fs, root, flags). Reduction: their mountpoint and identity.
 *    Nothing can reach a detached mount except through its handles (collect drops it
 *    with the last one); the model reads only its fs, root and flags (nodeAt,
 *    readOnlyAt, devpts_mntget stops at parent null).
 *  - Handles: a sorted multiset of (pid, kind, fs, index, mount, ino). Reduction: the
 *    names (fd1, fd2, ...: the model only looks them up) and the `next.fd` counter.
 *  - Mount flags: a set (bit mask). Reduction: their order and repetitions; the model
 *    only asks whether a flag is present (flags.includes).
 *  - Dropped entirely: the `next` counters (fresh-name generators: always past every
 *    name in use, so equivalent under renaming) and `initialInstance` (it always names
 *    the instance whose `initial` flag is set, which is in the fs content).
 *  - Dangling inode references (a handle or mountpoint whose plain inode was unlinked)
 *    are all written `?`: an unlinked inode number is never reused (nextIno only
 *    grows), nodeAt finds nothing for any of them, and no path walk can reach one.
 */
export function canonical(state: KernelState, opts: CanonOptions = OBSERVE_ALL): Canonical {
  const p = parts(state, opts);
  let handles = '';
  for (const h of p.handles) handles += h.join(',') + ';';
  let fss = '';
  for (const id of p.fsIds) fss += textOf(fsContent(state.fss[id]!)) + '/';
  const key = (state.multiInstance ? '1' : '0') + ',' + state.sysctl.max + ',' + state.sysctl.reserve
    + '|' + textOf(p.procs.enc) + '|' + textOf(p.mp.enc) + '|' + handles + '|' + fss + '|' + p.extra.join(',');
  return { key, handles: p.order, fsIds: p.fsIds };
}

/** What the explorer needs besides the key: handle names in canonical order (actions are enumerated in it). */
export interface Canonical {
  key: string;
  /** Handle names sorted by their canonical encoding (ties are interchangeable handles). */
  handles: string[];
  /** Raw fs ids in canonical order (index = canonical number; the product explorer pairs fs labels through it). */
  fsIds: readonly FsId[];
}

/** Handle names in canonical order, without building the key. */
export function canonicalHandles(state: KernelState, opts: CanonOptions = OBSERVE_ALL): string[] {
  return parts(state, opts).order;
}

/** The parts of the key: cached encodings, the canonical fs order, the sorted handle records, and the small rest. */
interface Parts { procs: ProcsPart; mp: MountsPart; fsIds: readonly FsId[]; handles: number[][]; order: string[]; extra: number[] }

function parts(state: KernelState, opts: CanonOptions): Parts {
  const procs = procsPart(state);
  let nsIds = procs.nsIds;
  let nsKey = procs.nsKey;
  // namespaces without processes (collect removes them; kept sound if one remains)
  let spare: NsId[] | null = null;
  for (const id in state.namespaces) if (nsIds.indexOf(id) < 0) (spare ??= []).push(id);
  if (spare) { spare.sort(); nsIds = [...nsIds, ...spare]; nsKey = nsIds.join(' '); }

  const mp = mountsPart(state, nsIds, nsKey, opts.mountOrder);
  let fsIds = mp.fsIds;
  // filesystems no namespace mounts: by content, then raw id
  let rest: FsId[] | null = null;
  for (const id in state.fss) if (fsIds.indexOf(id) < 0) (rest ??= []).push(id);
  if (rest) {
    if (rest.length > 1) {
      const keyed = rest.map((id) => ({ id, c: fsContent(state.fss[id]!).tokens }));
      keyed.sort(byContentThenId);
      rest = keyed.map((x) => x.id);
    }
    fsIds = fsIds.concat(rest);
  }
  const extra = extraPart(state, opts, nsIds, fsIds, mp.mountIds);

  // handles: a sorted multiset of fixed-size records, then which of them share an open file
  const names = Object.keys(state.handles);
  if (names.length <= 1) {
    return { procs, mp, fsIds, extra, order: names, handles: names.length === 0 ? [] : [handleRecord(state, fsIds, mp.mountIds, state.handles[names[0]!]!)] };
  }
  const keyed: { name: string; r: number[] }[] = [];
  for (const name of names) keyed.push({ name, r: handleRecord(state, fsIds, mp.mountIds, state.handles[name]!) });
  keyed.sort(byRecord);
  const order: string[] = [], handles: number[][] = [];
  const files = new Map<number, number>();
  for (const x of keyed) {
    order.push(x.name);
    // open file descriptions are fresh numbers: renumbered by first appearance in this order
    const f = state.handles[x.name]!.file;
    let n = files.get(f);
    if (n === undefined) { n = files.size; files.set(f, n); }
    x.r.push(n);
    handles.push(x.r);
  }
  return { procs, mp, fsIds, handles, order, extra };
}

/**
 * The parts that are small and change rarely: user namespaces (fresh names: numbered
 * initial first, then in order of use by processes, namespaces and filesystems), each
 * process's user namespace, capabilities, root and working directory (places: as
 * handles hold mounts), each namespace's owner, each filesystem's user namespace, which
 * filesystem is the kernel's devtmpfs, and (when observed) 2.6.39's allocation count.
 */
function extraPart(state: KernelState, opts: CanonOptions, nsIds: readonly NsId[], fsIds: readonly FsId[], mountIds: readonly MountId[]): number[] {
  // the common case: only the initial user namespace (number 0 for every reference)
  let users: Map<UsernsId, number> | null = null;
  for (const u in state.userns) if (u !== INITIAL_USERNS) { users = usernsNumbers(state, nsIds, fsIds); break; }
  const t: number[] = [];
  for (const k in state.procs) {
    const p = state.procs[k]!;
    t.push(users === null ? 0 : users.get(p.userns)!, p.caps ? 1 : 0);
    pushPlace(t, state, fsIds, mountIds, p.root);
    pushPlace(t, state, fsIds, mountIds, p.cwd);
  }
  for (const ns of nsIds) { const o = state.namespaces[ns]?.owner; t.push(o === undefined ? NONE : users === null ? 0 : users.get(o)!); }
  for (const f of fsIds) { const u = state.fss[f]!.userns; t.push(u === undefined ? NONE : users === null ? 0 : users.get(u)!); }
  if (users === null) t.push(1, NONE, 0, 0, 0, 0);
  else {
    t.push(users.size);
    for (const [id] of users) {
      const u = state.userns[id];
      if (!u) { t.push(NONE); continue; }
      t.push(u.parent === null ? NONE : users.get(u.parent) ?? NONE, u.level, u.owner, u.uid, u.gid);
    }
  }
  t.push(fsIds.indexOf(state.devtmpfs));
  if (opts.ptyNr) t.push(state.sysctl.allocated ?? 0);
  return t;
}

/** User namespaces numbered: the initial one 0, then in order of use by processes, namespaces, filesystems, then the rest. */
function usernsNumbers(state: KernelState, nsIds: readonly NsId[], fsIds: readonly FsId[]): Map<UsernsId, number> {
  const users = new Map<UsernsId, number>([[INITIAL_USERNS, 0]]);
  for (const k in state.procs) addUser(users, state.procs[k]!.userns);
  for (const ns of nsIds) addUser(users, state.namespaces[ns]?.owner);
  for (const f of fsIds) addUser(users, state.fss[f]!.userns);
  for (const u of Object.keys(state.userns).sort()) addUser(users, u); // unreferenced ones (sound; less merging)
  return users;
}
function addUser(users: Map<UsernsId, number>, u: UsernsId | undefined): void {
  if (u !== undefined && !users.has(u)) users.set(u, users.size);
}

/** A place (root, working directory): in the mount walk, or on a detached mount described inline (as handles do). */
function pushPlace(t: number[], state: KernelState, fsIds: readonly FsId[], mountIds: readonly MountId[], pos: Pos): void {
  const m = state.mounts[pos.mount];
  if (!m) { t.push(AT_NOWHERE, 0, 0, 0, NONE); return; }
  const ino = inoIn(state, m.fs, pos.ino);
  const mi = m.ns !== null ? mountIds.indexOf(m.id) : -1;
  if (mi >= 0) t.push(AT_WALK, mi, 0, 0, ino);
  else t.push(AT_DETACHED, fsIds.indexOf(m.fs), inoIn(state, m.fs, m.root), flagBits(m), ino);
}

/** Lexicographic order of token sequences (a proper prefix first). */
function compareTokens(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
const byContentThenId = (a: { id: string; c: readonly number[] }, b: { id: string; c: readonly number[] }): number =>
  compareTokens(a.c, b.c) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byRecord = (a: { r: number[] }, b: { r: number[] }): number => compareTokens(a.r, b.r);

/** One handle: pid, kind, fs number, index, where its mount is (3 tokens after the tag), inode, a master's directory. */
function handleRecord(state: KernelState, fsIds: readonly FsId[], mountIds: readonly MountId[], h: Handle): number[] {
  const m = state.mounts[h.mount];
  const kind = HANDLE_KIND[h.kind];
  const f = fsIds.indexOf(h.fs);
  const index = h.kind === 'file' ? NONE : h.index;
  const ino = m ? inoIn(state, m.fs, h.ino) : NONE;
  const dir = m && h.kind === 'master' ? inoIn(state, m.fs, h.dir) : NONE;
  if (!m) return [h.pid, kind, f, index, AT_NOWHERE, 0, 0, 0, ino, dir];
  const mi = m.ns !== null ? mountIds.indexOf(m.id) : -1;
  if (mi >= 0) return [h.pid, kind, f, index, AT_WALK, mi, 0, 0, ino, dir];
  return [h.pid, kind, f, index, AT_DETACHED, fsIds.indexOf(m.fs), inoIn(state, m.fs, m.root), flagBits(m), ino, dir];
}

/** Just the key. */
export const stateKey = (state: KernelState): string => canonical(state).key;

/**
 * The state's 64-bit fingerprint: the hash of the same parts the key is made of, in the
 * same order (so equal keys give equal fingerprints), computed from the cached hashes of
 * the parts (processes, mount walk, each filesystem's content); only the handle records
 * and a few numbers are hashed afresh. No string is built.
 */
const fsScratch: Encoded[] = [];
export function canonicalFingerprint(state: KernelState, out: Uint32Array, opts: CanonOptions = OBSERVE_ALL): void {
  const p = parts(state, opts);
  const n = p.fsIds.length;
  // encode (and hash) every filesystem before the lanes start: encoding a part uses them
  const contents = fsScratch;
  for (let i = 0; i < n; i++) contents[i] = fsContent(state.fss[p.fsIds[i]!]!);
  start();
  mix(state.multiInstance ? 1 : 2, state.multiInstance ? 3 : 4);
  mix(state.sysctl.max, state.sysctl.max ^ 0x5555);
  mix(state.sysctl.reserve, state.sysctl.reserve ^ 0x3333);
  mix(p.procs.enc.h1, p.procs.enc.h2);
  mix(p.mp.enc.h1, p.mp.enc.h2);
  for (const r of p.handles) mixTokens(r);
  mix(p.handles.length, ~p.handles.length);
  for (let i = 0; i < n; i++) { const e = contents[i]!; mix(e.h1, e.h2); }
  mix(n, ~n);
  mixTokens(p.extra);
  out[0] = fmix(laneA);
  out[1] = fmix(laneB ^ 0x27d4eb2f);
}
