// Read-only filesystems and mounts: where a write is EROFS, and when a superblock or a
// mount cannot become read-only (EBUSY).

import type { Pos } from './paths.ts';
import type { Fs, KernelState, MountId } from './state.ts';

/** The superblock is read-only (IS_RDONLY: checked in inode_permission, before the DAC check). */
export function sbReadonlyAt(state: KernelState, pos: Pos): boolean {
  const fs = state.fss[state.mounts[pos.mount]!.fs]!;
  return fs.readonly ?? false;
}

/** The mount is read-only (MNT_READONLY: mnt_want_write, after the DAC check on open). */
export function mountReadonlyAt(state: KernelState, pos: Pos): boolean {
  return state.mounts[pos.mount]!.flags.includes('ro');
}

/** The mount or its superblock is read-only (mnt_want_write: EROFS). */
export function readOnlyAt(state: KernelState, pos: Pos): boolean {
  return mountReadonlyAt(state, pos) || sbReadonlyAt(state, pos);
}

/** A regular file open read-write through this mount (a writer: mnt_make_readonly is EBUSY). */
export function mountHasWriter(state: KernelState, id: MountId): boolean {
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.kind === 'file' && h.mount === id && isRegular(state, h.fs, h.ino)) return true;
  }
  return false;
}

function isRegular(state: KernelState, fsId: string, ino: number): boolean {
  const fs = state.fss[fsId];
  return fs !== undefined && fs.kind === 'plain' && fs.inodes[ino]?.type === 'reg';
}

/**
 * reconfigure_super → sb_prepare_remount_readonly: a read-write superblock cannot become
 * read-only (EBUSY, nothing changes, after the options were found valid) while a file is
 * open for writing on it or an inode of it with no name left is still held (s_remove_count).
 * live 6.18: a devpts slave still open after its master closed, or bound elsewhere after it
 * (devpts_pty_kill drops the node's nlink); a tmpfs regular file open read-write; a tmpfs
 * file unlinked while a bind mount of it lives. Char devices (masters, slaves) are not writers.
 *
 * `removeCount` is the profile's: 2.6.39's fs_may_remount_ro looks at open files only (an
 * unlinked one, or a regular one open for writing): an inode only a mount still holds does
 * not count there (QEMU 2.6.39.4). A parameter, not a lookup: the profile table's strategies use this.
 */
export function busyForReadonly(state: KernelState, fs: Fs, removeCount: boolean): boolean {
  if (fs.kind === 'devpts') {
    if (fs.dead && removeCount) for (const _ in fs.dead) return true;
    for (const i in fs.ptys) if (!fs.ptys[i]!.masterOpen && fs.ptys[i]!.slaveOpens > 0) return true;
    return false;
  }
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.kind === 'file' && h.fs === fs.id && isRegular(state, h.fs, h.ino)) return true; // opened O_RDWR: a writer
  }
  if (fs.unlinked === undefined || fs.unlinked.length === 0) return false;
  if (removeCount) return true;
  // 2.6.39 fs_may_remount_ro: an open file whose inode has no name left (i_nlink == 0) on
  // this superblock, whatever its type: a pty master opened through an unlinked /dev/ptmx
  // counts (the file stays on the sb's file list). QEMU 2.6.39.4 =n: open /dev/ptmx,
  // unlink it, `umount /` is EBUSY.
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (state.mounts[h.mount]?.fs === fs.id && fs.unlinked.includes(h.ino)) return true;
  }
  return false;
}
