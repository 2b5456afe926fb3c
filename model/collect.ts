// The collector: after every step that can leave something unreachable (close, exit,
// umount, unlink, rename, unshare, chroot, chdir, pivot_root), drop what nothing can
// reach any more — namespaces without processes (except the initial one, pinned by
// init_task), detached mounts no open file, process root or working directory holds,
// inodes with no name that nothing holds, killed slave inodes no mount or file holds,
// and instances with no mount and no pty (the initial instance and the kernel's
// devtmpfs never die, 2.6.39 §1.9).

import { outlivesItsMounts } from './charts/instance.ts';
import { detachMounts, subtree } from './mount-tree.ts';
import { drop, put } from './records.ts';
import { INITIAL_NS, type DeadSlave, type DevptsFs, type FsId, type KernelState, type MountId } from './state.ts';

/** Is inode `ino` of filesystem `fsId` held: by an open file, as the root of a mount, or as a process's root or working directory? */
export function pinned(state: KernelState, fsId: FsId, ino: number): boolean {
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.ino === ino && state.mounts[h.mount]?.fs === fsId) return true;
  }
  for (const id in state.mounts) {
    const m = state.mounts[id]!;
    if (m.fs === fsId && m.root === ino) return true;
  }
  for (const pid in state.procs) {
    const p = state.procs[pid]!;
    if ((p.root.ino === ino && state.mounts[p.root.mount]?.fs === fsId) || (p.cwd.ino === ino && state.mounts[p.cwd.mount]?.fs === fsId)) return true;
  }
  return false;
}

/** Is a killed slave inode still referred to: a mount on it or of it, an open file of it? */
function deadSlaveHeld(state: KernelState, fsId: FsId, ino: number): boolean {
  if (pinned(state, fsId, ino)) return true;
  for (const id in state.mounts) {
    const m = state.mounts[id]!;
    if (m.parent !== null && m.mountpoint === ino && state.mounts[m.parent]!.fs === fsId) return true;
  }
  return false;
}

export function collect(state: KernelState): KernelState {
  let s = state;
  for (const ns in s.namespaces) {
    if (ns === INITIAL_NS) continue;
    let used = false;
    for (const pid in s.procs) if (s.procs[pid]!.ns === ns) { used = true; break; }
    if (!used) {
      // the namespace goes with its last process: every mount of it is detached (and dropped below unless held)
      s = detachMounts(s, new Set(subtree(s, s.namespaces[ns]!.root)));
      s = { ...s, namespaces: drop(s.namespaces, ns) };
    }
  }
  let mounts = s.mounts;
  let detached = false;
  for (const id in s.mounts) if (s.mounts[id]!.ns === null) { detached = true; break; }
  if (detached) {
    const held = new Set<MountId>();
    for (const name in s.handles) held.add(s.handles[name]!.mount);
    for (const pid in s.procs) { const p = s.procs[pid]!; held.add(p.root.mount); held.add(p.cwd.mount); }
    for (const id in s.mounts) if (s.mounts[id]!.ns === null && !held.has(id)) mounts = drop(mounts, id);
  }
  const live: KernelState = mounts === s.mounts ? s : { ...s, mounts };
  const usedFs = new Set<string>();
  for (const id in mounts) usedFs.add(mounts[id]!.fs);
  let fss = s.fss;
  for (const id in fss) {
    const fs = fss[id]!;
    if (fs.kind === 'plain') {
      // nameless inodes nothing holds any more (only those listed can be nameless)
      if (!fs.unlinked || fs.unlinked.length === 0) continue;
      const keep = fs.unlinked.filter((ino) => pinned(live, id, ino));
      if (keep.length === fs.unlinked.length) continue;
      const inodes = { ...fs.inodes };
      for (const ino of fs.unlinked) if (!keep.includes(ino)) delete inodes[ino];
      const { unlinked: _u, ...rest } = fs;
      fss = put(fss, id, keep.length > 0 ? { ...rest, inodes, unlinked: keep } : { ...rest, inodes });
    } else if (fs.dead) {
      let dead: Record<number, DeadSlave> | null = null;
      for (const k in fs.dead) {
        if (deadSlaveHeld(live, id, Number(k))) continue;
        dead ??= { ...fs.dead };
        delete dead[Number(k)];
      }
      if (dead) {
        const { dead: _d, ...rest } = fs;
        fss = put(fss, id, Object.keys(dead).length > 0 ? { ...rest, dead } : rest);
      }
    }
  }
  for (const id in s.fss) {
    const fs = s.fss[id]!;
    if (usedFs.has(id) || id === s.devtmpfs || (fs.kind === 'devpts' && outlivesItsMounts(fs))) continue;
    fss = drop(fss, id);
  }
  return mounts === s.mounts && fss === s.fss ? s : { ...s, mounts, fss };
}
