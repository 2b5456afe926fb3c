// Path resolution in a process's mount namespace (fs/namei.c link_path_walk): absolute
// paths from the process's root, relative ones from its working directory; components,
// "." and ".." (follow_dotdot: never above the process's root, up through mount roots
// to their mount points), symlinks (ELOOP after 40; absolute bodies from the root),
// mount crossing after every component (to the topmost mount), search permission,
// ENAMETOOLONG for a path of 4096 bytes or a component over 255, ENOENT for "", and
// ENOTDIR for a trailing slash on a non-directory.
//
// The start of a walk is not a mount crossing: a mount made on "/" is not seen through
// "/" or "." until the process chroots or chdirs into it ("/.." reaches it, as ".."
// crosses mounts). live 6.18: `mount -t tmpfs x /` then `ls /` lists the old root,
// `ls /..` the new tmpfs.

import type { Errno, FileType } from './ops.ts';
import { privilegedOver } from './userns.ts';
import type { Attrs, DevptsFs, KernelState, Mount, MountId, Pos, Proc } from './state.ts';

export type { Pos } from './state.ts';

export const DEVPTS_ROOT_INO = 1;
export const DEVPTS_PTMX_INO = 2;
export const slaveIno = (index: number): number => index + 3; // devpts_pty_new: inode number index+3
/** Killed slave inodes a mount or open file still holds get numbers from here (never a live slave's). */
export const DEAD_SLAVE_INO = 1 << 22;
export const MAXSYMLINKS = 40; // include/linux/namei.h
export const PATH_MAX = 4096;  // include/uapi/linux/limits.h, with the NUL
export const NAME_MAX = 255;

/** What an inode looks like, whatever filesystem it is on. */
export interface NodeView {
  readonly type: FileType;
  readonly attrs: Attrs;
  readonly devpts: DevptsFs | null; // the instance, when the node lives on devpts
  readonly rdev: readonly [number, number] | null;
  readonly target: string | null;   // symlink body
  readonly parent: number;          // parent inode within the same fs (the fs root is its own parent)
}

export function mountOf(state: KernelState, id: MountId): Mount {
  return state.mounts[id]!;
}

export const samePos = (a: Pos, b: Pos): boolean => a.mount === b.mount && a.ino === b.ino;

export function nodeAt(state: KernelState, pos: Pos): NodeView | null {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') {
    const inode = fs.inodes[pos.ino];
    if (!inode) return null;
    const attrs = { mode: inode.mode, uid: inode.uid, gid: inode.gid };
    return {
      type: inode.type, attrs, devpts: null, parent: inode.parent,
      rdev: inode.type === 'chr' ? [inode.major, inode.minor] : null,
      target: inode.type === 'lnk' ? inode.target : null,
    };
  }
  if (pos.ino === DEVPTS_ROOT_INO) {
    return { type: 'dir', attrs: fs.root, devpts: fs, rdev: null, target: null, parent: DEVPTS_ROOT_INO };
  }
  if (pos.ino === DEVPTS_PTMX_INO) {
    // the ptmx node of an instance is c 5:2 (mknod_ptmx: MKDEV(TTYAUX_MAJOR, 2))
    return fs.ptmx ? { type: 'chr', attrs: fs.ptmx, devpts: fs, rdev: [5, 2], target: null, parent: DEVPTS_ROOT_INO } : null;
  }
  if (pos.ino >= DEAD_SLAVE_INO) {
    // a killed slave inode: stat still works through a mount that holds it (live 6.18)
    const dead = fs.dead?.[pos.ino];
    return dead ? { type: 'chr', attrs: dead.attrs, devpts: fs, rdev: [136, dead.index], target: null, parent: DEVPTS_ROOT_INO } : null;
  }
  const index = pos.ino - 3;
  const node = fs.ptys[index]?.node;
  return node ? { type: 'chr', attrs: node, devpts: fs, rdev: [136, index], target: null, parent: DEVPTS_ROOT_INO } : null;
}

/** Directory lookup of one name, inside one filesystem (no mount crossing). */
export function lookupChild(state: KernelState, dir: Pos, name: string): number | null {
  const fs = state.fss[mountOf(state, dir.mount).fs]!;
  if (fs.kind === 'plain') {
    const inode = fs.inodes[dir.ino];
    if (!inode || inode.type !== 'dir') return null;
    return Object.prototype.hasOwnProperty.call(inode.entries, name) ? inode.entries[name]! : null;
  }
  if (dir.ino !== DEVPTS_ROOT_INO) return null;
  if (name === 'ptmx') return fs.ptmx ? DEVPTS_PTMX_INO : null;
  if (!/^(0|[1-9][0-9]*)$/.test(name)) return null; // slave names are plain decimals
  const index = Number(name);
  return fs.ptys[index]?.node ? slaveIno(index) : null;
}

/** The mount directly on top of `pos` in the namespace of pos.mount, if any (there is at most one). */
export function mountOn(state: KernelState, pos: Pos): MountId | null {
  const ns = mountOf(state, pos.mount).ns;
  if (ns === null) return null;
  for (const id of state.namespaces[ns]!.mounts) {
    const m = state.mounts[id]!;
    if (m.parent === pos.mount && m.mountpoint === pos.ino) return id;
  }
  return null;
}

/** follow_down: to the topmost mount stacked on `pos`. */
export function followMounts(state: KernelState, pos: Pos): Pos {
  let cur = pos;
  for (let on = mountOn(state, cur); on !== null; on = mountOn(state, cur)) {
    cur = { mount: on, ino: mountOf(state, on).root };
  }
  return cur;
}

/** The root of a namespace's tree as its first process sees it (the top of the stack on its root mount). */
export function nsRoot(state: KernelState, ns: string): Pos {
  const root = state.namespaces[ns]!.root;
  return followMounts(state, { mount: root, ino: mountOf(state, root).root });
}

/** Has the process every capability in its own user namespace (root there)? */
export const isRoot = (proc: Proc): boolean => proc.caps;

/**
 * generic_permission: owner, group, other bits (kernel ids); CAP_DAC_OVERRIDE passes
 * r/w always and x on directories, when the inode's ids are mapped in the process's
 * user namespace (capable_wrt_inode_uidgid).
 */
export function permits(attrs: Attrs, proc: Proc, want: number): boolean {
  if (proc.caps && privilegedOver(proc, attrs)) return true;
  const bits = proc.uid === attrs.uid ? (attrs.mode >> 6) : proc.gid === attrs.gid ? (attrs.mode >> 3) : attrs.mode;
  return (bits & want) === want;
}
export const R = 4, W = 2, X = 1;

export type Walk =
  | { readonly ok: true; readonly pos: Pos; readonly node: NodeView; readonly dir: Pos }
  | { readonly ok: false; readonly errno: Errno };

/**
 * The last component's parent directory and the child found there (null: no such name).
 * `name` is "." or ".." for such a last component (and "." for "/" or an empty
 * walk). `slash`: the path ended in "/" after a name (LOOKUP_DIRECTORY: creation
 * refuses it, a non-directory there is ENOTDIR).
 */
export type ParentWalk =
  | { readonly ok: true; readonly dir: Pos; readonly dirNode: NodeView; readonly name: string; readonly child: Pos | null; readonly slash: boolean }
  | { readonly ok: false; readonly errno: Errno };

/** Path components (empty ones dropped: "//" and a trailing "/" are one separator). One pass, no intermediate arrays: every step walks a path. */
function split(path: string): string[] {
  const comps: string[] = [];
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 47 /* '/' */) {
      if (i > start) comps.push(path.slice(start, i));
      start = i + 1;
    }
  }
  return comps;
}

/** Length in bytes of the UTF-8 encoding (what the kernel measures). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
// a UTF-16 unit is at most 3 bytes: strings this short never reach the limits (no counting on the hot path)
const nameTooLong = (c: string): boolean => c.length * 3 > NAME_MAX && utf8Length(c) > NAME_MAX;
const pathTooLong = (p: string): boolean => p.length * 3 >= PATH_MAX && utf8Length(p) >= PATH_MAX;

/** The type of the node at `pos` (nodeAt without building the view: the walk asks this per component). */
function typeAt(state: KernelState, pos: Pos): FileType | null {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') return fs.inodes[pos.ino]?.type ?? null;
  if (pos.ino === DEVPTS_ROOT_INO) return 'dir';
  if (pos.ino === DEVPTS_PTMX_INO) return fs.ptmx ? 'chr' : null;
  if (pos.ino >= DEAD_SLAVE_INO) return fs.dead?.[pos.ino] ? 'chr' : null;
  return fs.ptys[pos.ino - 3]?.node ? 'chr' : null;
}

/** A directory's owner and mode (null when `pos` is not a directory), without building the view. */
function dirAttrsAt(state: KernelState, pos: Pos): Attrs | null {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') {
    const inode = fs.inodes[pos.ino];
    return inode && inode.type === 'dir' ? inode : null; // an inode carries its mode, uid and gid
  }
  return pos.ino === DEVPTS_ROOT_INO ? fs.root : null;
}

/** The parent inode of a directory within its filesystem (the fs root is its own parent). */
function parentIno(state: KernelState, pos: Pos): number {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  return fs.kind === 'plain' ? fs.inodes[pos.ino]?.parent ?? pos.ino : DEVPTS_ROOT_INO;
}

/**
 * follow_dotdot (fs/namei.c 6.x; the same walk in 2.6.39 follow_dotdot): at the
 * process's root, stay; at the root of a mount, climb to its mount point
 * (choose_mountpoint: through mounts stacked on mount roots; a mount point that is the
 * process's root, or a mount without a parent, means stay); then the parent directory,
 * and the topmost mount there.
 */
export function dotdot(state: KernelState, proc: Proc, pos: Pos): Pos {
  let cur = pos;
  if (samePos(cur, proc.root)) return followMounts(state, cur);
  let m = mountOf(state, cur.mount);
  if (cur.ino === m.root) {
    for (;;) {
      if (m.parent === null) return followMounts(state, cur); // in_root: stay where we are
      const mp: Pos = { mount: m.parent, ino: m.mountpoint };
      if (samePos(mp, proc.root)) return followMounts(state, cur);
      const parent = mountOf(state, m.parent);
      if (mp.ino !== parent.root) { cur = mp; break; }
      m = parent;
    }
  }
  return followMounts(state, { mount: cur.mount, ino: parentIno(state, cur) });
}

/**
 * The one path walker. Symlinks met on the way are followed (relative bodies from the
 * directory holding the link, absolute ones from the process's root); the last
 * component's symlink only when `followLast` or a trailing slash asks for a directory.
 * Ends at the last component's parent directory, with the child's position (null when
 * the name does not exist).
 */
function walk(state: KernelState, proc: Proc, path: string, followLast: boolean): ParentWalk {
  if (path === '') return { ok: false, errno: 'ENOENT' }; // getname: an empty name
  if (pathTooLong(path)) return { ok: false, errno: 'ENAMETOOLONG' };
  let dir: Pos = path.charCodeAt(0) === 47 ? proc.root : proc.cwd;
  let comps = split(path);
  let slash = comps.length > 0 && path.charCodeAt(path.length - 1) === 47;
  let hops = 0;
  let i = 0;
  for (;;) {
    if (i >= comps.length) return { ok: true, dir, dirNode: nodeAt(state, dir)!, name: '.', child: dir, slash: false };
    const dirAttrs = dirAttrsAt(state, dir);
    if (dirAttrs === null) return { ok: false, errno: 'ENOTDIR' };
    if (!permits(dirAttrs, proc, X)) return { ok: false, errno: 'EACCES' }; // may_lookup, for "." and ".." too
    const c = comps[i]!;
    const last = i === comps.length - 1;
    let child: Pos | null;
    if (c === '.') child = dir;
    else if (c === '..') child = dotdot(state, proc, dir);
    else {
      if (nameTooLong(c)) return { ok: false, errno: 'ENAMETOOLONG' }; // simple_lookup: name over NAME_MAX
      const ino = lookupChild(state, dir, c);
      child = ino === null ? null : followMounts(state, { mount: dir.mount, ino });
    }
    if (child === null) {
      return last ? { ok: true, dir, dirNode: nodeAt(state, dir)!, name: c, child: null, slash } : { ok: false, errno: 'ENOENT' };
    }
    const type = typeAt(state, child);
    if (type === 'lnk' && (!last || followLast || slash)) {
      if (++hops > MAXSYMLINKS) return { ok: false, errno: 'ELOOP' };
      const body = nodeAt(state, child)!.target!;
      if (body === '') return { ok: false, errno: 'ENOENT' };
      if (body.charCodeAt(0) === 47) dir = proc.root;
      const rest = comps.slice(i + 1);
      // a body ending in "/" that replaces the last component asks for a directory
      if (rest.length === 0 && body.charCodeAt(body.length - 1) === 47) slash = true;
      comps = [...split(body), ...rest];
      i = 0;
      if (comps.length === 0) comps = ['.'];
      continue;
    }
    if (last) return { ok: true, dir, dirNode: nodeAt(state, dir)!, name: c, child, slash };
    // a bind mount can hold a killed devpts slave: not a directory
    if (type !== 'dir') return { ok: false, errno: 'ENOTDIR' };
    dir = child;
    i++;
  }
}

/** Walk to the parent of the last component, which is not followed (creation, unlink, lstat). */
export function walkParent(state: KernelState, proc: Proc, path: string): ParentWalk {
  return walk(state, proc, path, false);
}

/** Resolve a whole path; the last component's symlink is followed unless `nofollow` (a trailing slash follows it anyway). */
export function resolve(state: KernelState, proc: Proc, path: string, nofollow = false): Walk {
  const w = walk(state, proc, path, !nofollow);
  if (!w.ok) return w;
  if (w.child === null) return { ok: false, errno: 'ENOENT' };
  const node = nodeAt(state, w.child);
  // an inode that went away under a mount (cannot happen for a looked-up name): no such file
  if (node === null) return { ok: false, errno: 'ENOENT' };
  if (w.slash && node.type !== 'dir') return { ok: false, errno: 'ENOTDIR' }; // LOOKUP_DIRECTORY
  return { ok: true, pos: w.child, node, dir: w.dir };
}
