// `mounts`: the process's /proc/self/mountinfo (show_mountinfo). Lines in the order of
// the namespace's mounts (mount-id order: creation order, a moved mount keeps its
// place; live 6.18), each mount point as a path relative to the process's root; a mount
// whose mount point the root cannot reach is not listed (seq_path_root skips it). For
// devpts, the options as the kernel prints them (the profile's showOptions; uid= and
// gid= as kernel ids, from_kuid_munged(&init_user_ns): live 6.18).

import type { MountEntry, Op } from './ops.ts';
import { done, type Ctx, type Outcome } from './outcome.ts';
import { DEAD_SLAVE_INO, DEVPTS_PTMX_INO, mountOf, samePos, type Pos } from './paths.ts';
import type { KernelState, Mount } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** The name of inode `ino` in its parent directory (a dentry's name), or null. */
function nameOf(state: KernelState, m: Mount, ino: number, parent: number): string | null {
  const fs = state.fss[m.fs]!;
  if (fs.kind === 'devpts') {
    if (ino === DEVPTS_PTMX_INO) return 'ptmx';
    if (ino >= DEAD_SLAVE_INO) { const d = fs.dead?.[ino]; return d ? String(d.index) : null; }
    return String(ino - 3);
  }
  const dir = fs.inodes[parent];
  if (!dir || dir.type !== 'dir') return null;
  for (const name in dir.entries) if (dir.entries[name] === ino) return name;
  return null;
}

/** __d_path of (mount, its root) relative to `root`, or null when the walk up never meets it. */
export function pathFromRoot(state: KernelState, start: Pos, root: Pos): string | null {
  const names: string[] = [];
  let pos = start;
  for (let guard = 0; guard < 10_000; guard++) {
    if (samePos(pos, root)) return '/' + names.reverse().join('/');
    const m = mountOf(state, pos.mount);
    if (pos.ino === m.root) {
      if (m.parent === null) return null;
      pos = { mount: m.parent, ino: m.mountpoint };
      continue;
    }
    const fs = state.fss[m.fs]!;
    const parent = fs.kind === 'plain' ? fs.inodes[pos.ino]?.parent : 1;
    if (parent === undefined || parent === pos.ino) return null;
    const name = nameOf(state, m, pos.ino, parent);
    if (name === null) return null;
    names.push(name);
    pos = { mount: pos.mount, ino: parent };
  }
  return null;
}

/**
 * Where mount `m` is mounted, as __d_path gives it from the top of its tree (the
 * namespace's root mount): "/" for the top itself; null for a detached mount or a
 * mount point the walk up cannot name. For readers of states (ITF, the report's picture).
 */
export function mountPointPath(state: KernelState, m: Mount): string | null {
  if (m.ns === null) return null;
  if (m.parent === null) return '/';
  let top = m;
  for (let guard = 0; top.parent !== null; guard++) {
    if (guard > 10_000) return null; // a cycle: no top
    top = mountOf(state, top.parent);
  }
  return pathFromRoot(state, { mount: m.parent, ino: m.mountpoint }, { mount: top.id, ino: top.root });
}

const FSTYPE = { tmpfs: 'tmpfs', devtmpfs: 'devtmpfs', rootfs: 'rootfs' } as const;

export function mountsOp(ctx: Ctx, _op: OpOf<'mounts'>): Outcome {
  const { state, proc, profile } = ctx;
  const out: MountEntry[] = [];
  for (const id of state.namespaces[proc.ns]!.mounts) {
    const m = state.mounts[id]!;
    const target = pathFromRoot(state, { mount: id, ino: m.root }, proc.root);
    if (target === null) continue;
    const fs = state.fss[m.fs]!;
    if (fs.kind === 'devpts') out.push({ target, fstype: 'devpts', fs: fs.id, options: profile.showOptions(fs.opts).join(',') });
    else out.push({ target, fstype: FSTYPE[fs.fstype ?? 'tmpfs'], fs: 'other' });
  }
  return done(state, { mounts: out });
}
