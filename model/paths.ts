// Path resolution in a process's mount namespace: components, "..", symlinks
// (ELOOP after 40), mount crossing (always to the topmost mount), search permission.

import type { Errno, FileType } from './ops.ts';
import type { Attrs, DevptsFs, KernelState, Mount, MountId, NsId, Proc } from './state.ts';

export const DEVPTS_ROOT_INO = 1;
export const DEVPTS_PTMX_INO = 2;
export const slaveIno = (index: number): number => index + 3; // devpts_pty_new: inode number index+3
export const MAXSYMLINKS = 40; // include/linux/namei.h

/** A place in the tree: which mount, which inode of that mount's fs. */
export interface Pos { readonly mount: MountId; readonly ino: number }

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
  const index = pos.ino - 3;
  const node = fs.ptys[index]?.node;
  return node ? { type: 'chr', attrs: node, devpts: fs, rdev: [136, index], target: null, parent: DEVPTS_ROOT_INO } : null;
}

/** Directory lookup of one name, inside one filesystem (no mount crossing). */
export function lookupChild(state: KernelState, dir: Pos, name: string): number | null {
  const fs = state.fss[mountOf(state, dir.mount).fs]!;
  if (fs.kind === 'plain') {
    const inode = fs.inodes[dir.ino];
    return inode && inode.type === 'dir' ? inode.entries[name] ?? null : null;
  }
  if (dir.ino !== DEVPTS_ROOT_INO) return null;
  if (name === 'ptmx') return fs.ptmx ? DEVPTS_PTMX_INO : null;
  if (!/^(0|[1-9][0-9]*)$/.test(name)) return null; // slave names are plain decimals
  const index = Number(name);
  return fs.ptys[index]?.node ? slaveIno(index) : null;
}

/** The mount directly on top of `pos` in the namespace of pos.mount, if any. */
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

export function nsRoot(state: KernelState, ns: NsId): Pos {
  const root = state.namespaces[ns]!.root;
  return followMounts(state, { mount: root, ino: mountOf(state, root).root });
}

export const isRoot = (proc: Proc): boolean => proc.uid === 0;

/** generic_permission: owner, group, other bits; root passes r/w always (CAP_DAC_OVERRIDE), x on dirs. */
export function permits(attrs: Attrs, proc: Proc, want: number): boolean {
  if (isRoot(proc)) return true;
  const bits = proc.uid === attrs.uid ? (attrs.mode >> 6) : proc.gid === attrs.gid ? (attrs.mode >> 3) : attrs.mode;
  return (bits & want) === want;
}
export const R = 4, W = 2, X = 1;

export type Walk =
  | { readonly ok: true; readonly pos: Pos; readonly node: NodeView }
  | { readonly ok: false; readonly errno: Errno };

export type ParentWalk =
  | { readonly ok: true; readonly dir: Pos; readonly dirNode: NodeView; readonly name: string; readonly child: Pos | null }
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

/** The type of the node at `pos` (nodeAt without building the view: the walk asks this per component). */
function typeAt(state: KernelState, pos: Pos): FileType | null {
  const fs = state.fss[mountOf(state, pos.mount).fs]!;
  if (fs.kind === 'plain') return fs.inodes[pos.ino]?.type ?? null;
  if (pos.ino === DEVPTS_ROOT_INO) return 'dir';
  if (pos.ino === DEVPTS_PTMX_INO) return fs.ptmx ? 'chr' : null;
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

/**
 * The one path walker. Symlinks met on the way are followed (relative bodies from the
 * directory holding the link, absolute ones from the namespace root); the last
 * component's symlink only when `followLast`. ".." pops the walked stack, so it leaves
 * a mount the way it came. Ends at the last component's parent directory, with the
 * child's position (null when the name does not exist).
 */
function walk(state: KernelState, proc: Proc, path: string, followLast: boolean): ParentWalk {
  const root = nsRoot(state, proc.ns);
  let stack: Pos[] = [root];
  let comps = split(path);
  let hops = 0;
  let i = 0;
  for (;;) {
    const dir = stack[stack.length - 1]!;
    if (comps.length === 0) return { ok: true, dir, dirNode: nodeAt(state, dir)!, name: '.', child: dir };
    const dirAttrs = dirAttrsAt(state, dir);
    if (dirAttrs === null) return { ok: false, errno: 'ENOTDIR' };
    if (!permits(dirAttrs, proc, X)) return { ok: false, errno: 'EACCES' };
    const c = comps[i]!;
    const last = i === comps.length - 1;
    let child: Pos | null;
    if (c === '.') child = dir;
    else if (c === '..') child = stack.length > 1 ? stack[stack.length - 2]! : dir;
    else {
      const ino = lookupChild(state, dir, c);
      child = ino === null ? null : followMounts(state, { mount: dir.mount, ino });
    }
    if (child === null) {
      return last ? { ok: true, dir, dirNode: nodeAt(state, dir)!, name: c, child: null } : { ok: false, errno: 'ENOENT' };
    }
    const type = typeAt(state, child);
    // a bind mount can hold a devpts slave inode after devpts_pty_kill: not a directory, no usable node (resolve: EIO)
    if (type === null) return last ? { ok: true, dir, dirNode: nodeAt(state, dir)!, name: c, child } : { ok: false, errno: 'ENOTDIR' };
    if (type === 'lnk' && (!last || followLast)) {
      if (++hops > MAXSYMLINKS) return { ok: false, errno: 'ELOOP' };
      const body = nodeAt(state, child)!.target!;
      if (body.startsWith('/')) stack = [root];
      comps = [...split(body), ...comps.slice(i + 1)];
      i = 0;
      if (comps.length === 0) comps = ['.'];
      continue;
    }
    if (last) return { ok: true, dir, dirNode: nodeAt(state, dir)!, name: c, child };
    if (type !== 'dir') return { ok: false, errno: 'ENOTDIR' };
    if (c === '..') stack = stack.length > 1 ? stack.slice(0, -1) : stack;
    else if (c !== '.') stack = [...stack, child];
    i++;
  }
}

/** Walk to the parent of the last component, which is not followed (creation, unlink, lstat). */
export function walkParent(state: KernelState, proc: Proc, path: string): ParentWalk {
  return walk(state, proc, path, false);
}

/** Resolve a whole path; the last component's symlink is followed unless `nofollow`. */
export function resolve(state: KernelState, proc: Proc, path: string, nofollow = false): Walk {
  const w = walk(state, proc, path, !nofollow);
  if (!w.ok) return w;
  if (w.child === null) return { ok: false, errno: 'ENOENT' };
  const node = nodeAt(state, w.child);
  // a killed slave's inode, reachable only through a bind mount: no tty any more (pts_unix98_lookup / pty_open: EIO)
  if (node === null) return { ok: false, errno: 'EIO' };
  return { ok: true, pos: w.child, node };
}
