// Mounts as paths, for readers of exported states: where a mount is mounted (the path
// its namespace sees it at) and which part of its filesystem it shows ("/" for the
// whole filesystem, "/ptmx" for a bind of one node). Read from the model's state.

import { mountPointPath, type KernelState, type Mount } from '../model/index.ts';
import { DEVPTS_PTMX_INO, DEVPTS_ROOT_INO } from '../model/paths.ts';

/** The path of inode `ino` inside filesystem `fsId`, from the filesystem's root ("/dev/pts"), or null. */
export function pathInFs(state: KernelState, fsId: string, ino: number): string | null {
  const fs = state.fss[fsId];
  if (!fs) return null;
  if (fs.kind === 'devpts') return ino === DEVPTS_ROOT_INO ? '/' : ino === DEVPTS_PTMX_INO ? '/ptmx' : `/${ino - 3}`;
  const names: string[] = [];
  let cur = ino;
  for (let guard = 0; guard < 10_000; guard++) {
    const inode = fs.inodes[cur];
    if (!inode) return null;
    if (inode.parent === cur) return `/${names.reverse().join('/')}`; // the root is its own parent
    const parent = fs.inodes[inode.parent];
    if (!parent || parent.type !== 'dir') return null;
    const name = Object.keys(parent.entries).find((k) => parent.entries[k] === cur);
    if (name === undefined) return null;
    names.push(name);
    cur = inode.parent;
  }
  return null;
}

/** The part of its filesystem a mount shows: "/" for the whole filesystem. */
export function mountRootPath(state: KernelState, m: Mount): string {
  return pathInFs(state, m.fs, m.root) ?? `(inode ${m.root})`;
}

/** Where a mount is mounted, as a path in its namespace; "(detached)" once unmounted with handles open. */
export function mountTargetPath(state: KernelState, m: Mount): string {
  if (m.ns === null) return '(detached)';
  return mountPointPath(state, m) ?? '(unreachable)';
}
