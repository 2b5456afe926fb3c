// The canonical state key: a hand-written string encoder of KernelState that is
// independent of object key order, of handle names, of internal id numbering (mounts,
// namespaces, filesystems) and of plain-filesystem inode numbering.
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

import { INITIAL_NS } from '../model/index.ts';
import type { DevptsFs, FsId, Handle, KernelState, Mount, MountId, NsId, PlainFs } from '../model/index.ts';

/** Canonical inode numbering of one plain filesystem, with its encoding. */
interface PlainCanon { readonly enc: string; readonly ino: Map<number, number> }

// Encodings of filesystem contents are cached per object: states share untouched
// filesystems structurally, so the root fs is encoded once for thousands of states.
const plainCache = new WeakMap<PlainFs, PlainCanon>();
const devptsCache = new WeakMap<DevptsFs, string>();

/** Length-prefixed, so any string (names, symlink bodies) is unambiguous. */
const str = (s: string): string => `${s.length}'${s}`;

/**
 * Plain fs: inodes renumbered 1, 2, ... in depth-first order from the root (ino 1,
 * which stays 1), entries by name. Reduction: the `nextIno` counter and the history of
 * inode numbers (touch, unlink, touch gives a new number) are dropped: the model only
 * uses plain inode numbers as opaque identities (entries, parent, mountpoint, handle
 * ino), never their order or value, except that the fs root is 1 (kept). Inodes not
 * reachable from the root (unlinked while a handle holds them open) keep their relative
 * order after the rest (any bijection is sound; this one merges a little less).
 */
export function canonPlain(fs: PlainFs): PlainCanon {
  const hit = plainCache.get(fs);
  if (hit) return hit;
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
  let enc = fs.readonly ? 'PR' : 'P'; // a read-only superblock behaves differently (EROFS): never merge it with a writable one
  for (const n of order) {
    const i = fs.inodes[n]!;
    enc += `[${i.type[0]}${i.mode.toString(8)},${i.uid},${i.gid},${ino.get(i.parent) ?? '?'}`;
    switch (i.type) {
      case 'dir': {
        const names = Object.keys(i.entries).sort();
        for (const name of names) enc += `;${str(name)}=${ino.get(i.entries[name]!) ?? '?'}`;
        break;
      }
      case 'chr': enc += `;${i.major}:${i.minor}`; break;
      case 'lnk': enc += `;${str(i.target)}`; break;
      case 'reg': break;
    }
    enc += ']';
  }
  const made = { enc, ino };
  plainCache.set(fs, made);
  return made;
}

const attrs = (a: { mode: number; uid: number; gid: number } | null): string => (a ? `${a.mode.toString(8)},${a.uid},${a.gid}` : '-');
const nul = (v: number | null): string => (v === null ? '-' : String(v));

/** Devpts instance: everything but its id (the id is replaced by its canonical number). */
export function canonDevpts(fs: DevptsFs): string {
  const hit = devptsCache.get(fs);
  if (hit !== undefined) return hit;
  const o = fs.opts;
  let enc = `D${nul(o.uid)},${nul(o.gid)},${o.mode.toString(8)},${o.ptmxmode.toString(8)},${nul(o.max)},${o.newinstance ? 1 : 0}`
    + `|${fs.initial ? 1 : 0}${fs.reserve ? 1 : 0}${fs.readonly ? 1 : 0}|${attrs(fs.root)}|${attrs(fs.ptmx)}`;
  // integer keys enumerate in ascending order: ptys by index
  for (const k in fs.ptys) {
    const p = fs.ptys[k]!;
    enc += `[${k}:${p.masterOpen ? 1 : 0}${p.locked ? 1 : 0}${p.slaveOpens}:${attrs(p.node)}]`;
  }
  devptsCache.set(fs, enc);
  return enc;
}

const fsContent = (fs: PlainFs | DevptsFs): string => (fs.kind === 'plain' ? canonPlain(fs).enc : canonDevpts(fs));

/** What the explorer needs besides the key: handle names in canonical order (actions are enumerated in it). */
export interface Canonical {
  key: string;
  /** Handle names sorted by their canonical encoding (ties are interchangeable handles). */
  handles: string[];
  /** Raw fs ids in canonical order (index = canonical number; the product explorer pairs fs labels through it). */
  fsIds: readonly FsId[];
}

/** Processes part: encoding and namespace order, cached per `procs` record. */
interface ProcsPart { readonly enc: string; readonly nsIds: readonly NsId[]; readonly nsKey: string }
const procsCache = new WeakMap<object, ProcsPart>();

function procsPart(state: KernelState): ProcsPart {
  const hit = procsCache.get(state.procs);
  if (hit) return hit;
  const nsIds: NsId[] = [INITIAL_NS];
  let enc = '';
  // integer keys enumerate in ascending order: processes by pid
  for (const k in state.procs) {
    const p = state.procs[k]!;
    let n = nsIds.indexOf(p.ns);
    if (n < 0) { n = nsIds.length; nsIds.push(p.ns); }
    enc += k + ':' + p.uid + ',' + p.gid + ',' + n + ';';
  }
  const part = { enc, nsIds, nsKey: nsIds.join(' ') };
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
  /** Plain filesystems whose inode numbering the walk used: ids and the objects it saw. */
  readonly plainIds: readonly FsId[];
  readonly plainFss: readonly PlainFs[];
  readonly out: string;
  readonly fsIds: readonly FsId[];
  readonly mountIds: readonly MountId[];
}
const mountsCache = new WeakMap<object, MountsPart[]>();

function mountsPart(state: KernelState, nsIds: readonly NsId[], nsKey: string): MountsPart {
  const list = mountsCache.get(state.mounts);
  if (list) {
    for (const e of list) {
      if (e.namespaces !== state.namespaces || e.nsKey !== nsKey) continue;
      let same = true;
      for (let i = 0; i < e.plainIds.length; i++) if (state.fss[e.plainIds[i]!] !== e.plainFss[i]) { same = false; break; }
      if (same) return e;
    }
  }
  const w: Walk = { state, fsIds: [], mountIds: [], out: '', plainIds: [], plainFss: [] };
  for (let i = 0; i < nsIds.length; i++) {
    const ns = state.namespaces[nsIds[i]!];
    w.out += '#';
    if (ns) visitMount(w, ns.mounts, ns.root, -1);
  }
  const part: MountsPart = { namespaces: state.namespaces, nsKey, plainIds: w.plainIds, plainFss: w.plainFss, out: w.out, fsIds: w.fsIds, mountIds: w.mountIds };
  if (list) { if (list.length >= 4) list.shift(); list.push(part); } else mountsCache.set(state.mounts, [part]);
  return part;
}

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
 *  - Dropped entirely: the `next` counters (fresh-name generators: always past every
 *    name in use, so equivalent under renaming) and `initialInstance` (it always names
 *    the instance whose `initial` flag is set, which is in the fs content).
 *  - Dangling inode references (a handle or mountpoint whose plain inode was unlinked)
 *    are all written `?`: an unlinked inode number is never reused (nextIno only
 *    grows), nodeAt finds nothing for any of them, and no path walk can reach one.
 */
export function canonical(state: KernelState): Canonical {
  const p = parts(state);
  let fss = '';
  for (const id of p.fsIds) fss += fsContent(state.fss[id]!) + '/';
  const key = (state.multiInstance ? '1' : '0') + state.sysctl.max + ',' + state.sysctl.reserve + '|' + p.procs.enc + '|' + p.mp.out + '|' + p.handles + '|' + fss;
  return { key, handles: p.order, fsIds: p.fsIds };
}

/** The parts of the key (everything but the fs contents, which are cached per object). */
interface Parts { procs: ProcsPart; mp: MountsPart; fsIds: readonly FsId[]; handles: string; order: string[] }

function parts(state: KernelState): Parts {
  const procs = procsPart(state);
  let nsIds = procs.nsIds;
  let nsKey = procs.nsKey;
  // namespaces without processes (collect removes them; kept sound if one remains)
  let spare: NsId[] | null = null;
  for (const id in state.namespaces) if (nsIds.indexOf(id) < 0) (spare ??= []).push(id);
  if (spare) { spare.sort(); nsIds = [...nsIds, ...spare]; nsKey = nsIds.join(' '); }

  const mp = mountsPart(state, nsIds, nsKey);
  let fsIds = mp.fsIds;
  // filesystems no namespace mounts: by content, then raw id
  let rest: FsId[] | null = null;
  for (const id in state.fss) if (fsIds.indexOf(id) < 0) (rest ??= []).push(id);
  if (rest) {
    if (rest.length > 1) {
      const keyed = rest.map((id) => ({ id, c: fsContent(state.fss[id]!) }));
      keyed.sort(byContentThenId);
      rest = keyed.map((x) => x.id);
    }
    fsIds = fsIds.concat(rest);
  }

  // handles: sorted multiset
  const names = Object.keys(state.handles);
  let handles = '';
  let order = names;
  if (names.length === 1) {
    handles = encodeHandle(state, fsIds, mp.mountIds, state.handles[names[0]!]!);
  } else if (names.length > 1) {
    const keyed: { name: string; e: string }[] = [];
    for (const name of names) keyed.push({ name, e: encodeHandle(state, fsIds, mp.mountIds, state.handles[name]!) });
    keyed.sort(byEncoding);
    order = [];
    for (const x of keyed) { order.push(x.name); handles += x.e + ';'; }
  }
  return { procs, mp, fsIds, handles, order };
}

// ---- fingerprints without the key string ----------------------------------------------------

/** 64-bit hash of a string: two 32-bit lanes. */
function hashString(str: string, out: Uint32Array | number[]): void {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  const n = str.length;
  for (let i = 0; i < n; i++) {
    const c = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  out[0] = fmix(h1 ^ n);
  out[1] = fmix(h2 ^ n);
}
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return h >>> 0;
}

const partHash = new WeakMap<object, number[]>();
/** The cached hash of the string that belongs to an immutable object (a part, a filesystem). */
function cachedHash(owner: object, str: string): number[] {
  let h = partHash.get(owner);
  if (!h) { h = [0, 0]; hashString(str, h); partHash.set(owner, h); }
  return h;
}

const scratch = new Uint32Array(2);
// the two lanes of the fingerprint being computed (module state: no closure per call)
let laneA = 0, laneB = 0;
function mix(x: number, y: number): void {
  const a = laneA ^ Math.imul(x, 0xcc9e2d51);
  laneA = Math.imul(a << 13 | a >>> 19, 5) + 0xe6546b64 | 0;
  const b = laneB ^ Math.imul(y, 0x1b873593);
  laneB = Math.imul(b << 15 | b >>> 17, 5) + 0x561ccd1b | 0;
}

/**
 * The state's 64-bit fingerprint, equal to hashing its canonical key in structure but
 * computed from cached hashes of the parts (processes, mount walk, each filesystem's
 * content): only the handles and a few numbers are hashed afresh. Two lanes, each a
 * murmur3-style combination of the parts in a fixed order, with the number of
 * filesystems mixed in (the parts' boundaries are therefore unambiguous).
 */
export function canonicalFingerprint(state: KernelState, out: Uint32Array): void {
  const p = parts(state);
  laneA = 0x3c6ef372 | 0; laneB = 0xa54ff53a | 0;
  mix(state.multiInstance ? 1 : 2, state.multiInstance ? 3 : 4);
  mix(state.sysctl.max, state.sysctl.max ^ 0x5555);
  mix(state.sysctl.reserve, state.sysctl.reserve ^ 0x3333);
  let h = cachedHash(p.procs, p.procs.enc);
  mix(h[0]!, h[1]!);
  h = cachedHash(p.mp, p.mp.out);
  mix(h[0]!, h[1]!);
  hashString(p.handles, scratch);
  mix(scratch[0]!, scratch[1]!);
  mix(p.fsIds.length, ~p.fsIds.length);
  for (let i = 0; i < p.fsIds.length; i++) {
    const fs = state.fss[p.fsIds[i]!]!;
    h = partHash.get(fs) ?? cachedHash(fs, fsContent(fs));
    mix(h[0]!, h[1]!);
  }
  out[0] = fmix(laneA);
  out[1] = fmix(laneB ^ 0x27d4eb2f);
}

/** Scratch of one encoding: fs and mount ids in canonical order (index = number), output. */
interface Walk { readonly state: KernelState; readonly fsIds: FsId[]; readonly mountIds: MountId[]; out: string; readonly plainIds: FsId[]; readonly plainFss: PlainFs[] }

const byContentThenId = (a: { id: string; c: string }, b: { id: string; c: string }): number =>
  (a.c < b.c ? -1 : a.c > b.c ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byEncoding = (a: { e: string }, b: { e: string }): number => (a.e < b.e ? -1 : a.e > b.e ? 1 : 0);

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

/** Canonical number of inode `ino` of fs `fsId` ("?" when it does not exist). */
function inoIn(state: KernelState, fsId: FsId, ino: number): string {
  const fs = state.fss[fsId];
  if (!fs) return '?';
  if (fs.kind === 'devpts') return String(ino); // devpts inode numbers are semantic (index + 3)
  const c = canonPlain(fs).ino.get(ino);
  return c === undefined ? '?' : String(c);
}

function flagsOf(m: Mount): string {
  return m.flags.length === 0 ? '' : m.flags.length === 1 ? m.flags[0]! : [...m.flags].sort().join('+');
}

/** Depth-first walk of one namespace's mount tree; children by canonical mountpoint, ties in list order. */
function visitMount(w: Walk, members: readonly MountId[], id: MountId, parentPos: number): void {
  const state = w.state;
  const m = state.mounts[id]!;
  const pos = w.mountIds.length;
  w.mountIds.push(id);
  const f = fsNum(w, m.fs);
  const mp = parentPos < 0 ? '' : inoIn(state, state.mounts[m.parent!]!.fs, m.mountpoint);
  w.out += '(' + parentPos + ',' + mp + ',' + f + ',' + inoIn(state, m.fs, m.root) + ',' + flagsOf(m) + ')';
  let kids: { k: MountId; mp: string }[] | null = null;
  for (const c of members) {
    if (state.mounts[c]!.parent === id) (kids ??= []).push({ k: c, mp: inoIn(state, m.fs, state.mounts[c]!.mountpoint) });
  }
  if (kids === null) return;
  // Array.prototype.sort is stable: ties keep the namespace's list order
  if (kids.length > 1) kids.sort(byMountpoint);
  for (const kid of kids) visitMount(w, members, kid.k, pos);
}
const byMountpoint = (a: { mp: string }, b: { mp: string }): number => (a.mp < b.mp ? -1 : a.mp > b.mp ? 1 : 0);

function encodeHandle(state: KernelState, fsIds: readonly FsId[], mountIds: readonly MountId[], h: Handle): string {
  const m = state.mounts[h.mount];
  let where: string;
  const mi = m && m.ns !== null ? mountIds.indexOf(m.id) : -1;
  if (!m) where = '?';
  else if (mi >= 0) where = String(mi);
  else {
    const f = fsIds.indexOf(m.fs);
    where = 'd' + (f < 0 ? '?' : f) + '/' + inoIn(state, m.fs, m.root) + '/' + flagsOf(m);
  }
  const ino = m ? inoIn(state, m.fs, h.ino) : '?';
  const f = fsIds.indexOf(h.fs);
  return h.kind === 'file'
    ? h.pid + 'f' + (f < 0 ? '?' : f) + '@' + where + ':' + ino
    : h.pid + (h.kind === 'master' ? 'm' : 's') + (f < 0 ? '?' : f) + '.' + h.index + '@' + where + ':' + ino;
}

/** Just the key. */
export const stateKey = (state: KernelState): string => canonical(state).key;

// ---- 64-bit fingerprints ------------------------------------------------------------------

/**
 * Two 32-bit lanes over the key's UTF-16 code units, each finalised with murmur3's
 * fmix32. Written into `out[0..1]`. As in TLC, two distinct states share a fingerprint
 * with probability about n²/2⁶⁵ for n states (≈ 3·10⁻⁶ at 10 million); `exact: true`
 * keeps the keys themselves instead.
 */
export function fingerprint(key: string, out: Uint32Array): void {
  hashString(key, out);
}
