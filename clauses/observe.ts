// Small, cheap observations of model states shared by the clause checks. Nothing here
// deep-copies or serialises a state: checks run after every generated step. Where a
// clause needs to know what the kernel does (which instance a ptmx open should use), it is
// worked out here from the clause's own words, never asked of the model's policies.

import { isErrno, isOk, type KernelState, type Op, type Profile, type StepResult } from '../model/index.ts';
import { DEVPTS_PTMX_INO, DEVPTS_ROOT_INO, followMounts, lookupChild, mountOf, resolve, type NodeView, type Pos } from '../model/paths.ts';
import type { DevptsFs, FsId, Mount, MountId, Proc } from '../model/state.ts';

export { DEVPTS_PTMX_INO, DEVPTS_ROOT_INO };
export { deepEqual } from '../model/equal.ts';
export { lowestFree, totalPtys } from '../model/limits.ts';

export const okResult = isOk;
export const errnoOf = (r: StepResult): string | null => (isErrno(r) ? r.errno : null);

export function devpts(state: KernelState, id: FsId | null | undefined): DevptsFs | null {
  if (id === null || id === undefined) return null;
  const fs = state.fss[id];
  return fs && fs.kind === 'devpts' ? fs : null;
}

/** Every devpts instance of a state. */
export function instances(state: KernelState): DevptsFs[] {
  const out: DevptsFs[] = [];
  for (const id in state.fss) {
    const fs = state.fss[id]!;
    if (fs.kind === 'devpts') out.push(fs);
  }
  return out;
}

export function ptyCount(fs: DevptsFs): number {
  let n = 0;
  for (const _ in fs.ptys) n++;
  return n;
}

export const procOf = (state: KernelState, op: Op): Proc | undefined => state.procs[op.pid ?? 1];

/** Resolve a path as the op's process would (null when the process or path does not exist). */
export function resolveAs(state: KernelState, pid: number, path: string, nofollow = false): { pos: Pos; node: NodeView } | null {
  const proc = state.procs[pid];
  if (!proc) return null;
  const r = resolve(state, proc, path, nofollow);
  return r.ok ? { pos: r.pos, node: r.node } : null;
}

export const isPtmxNode = (node: NodeView): boolean => node.type === 'chr' && node.rdev !== null && node.rdev[0] === 5 && node.rdev[1] === 2;
/** A devpts instance's own ptmx node (/dev/pts/ptmx, or a bind of it). */
export const isDevptsPtmx = (r: { pos: Pos; node: NodeView }): boolean => r.node.devpts !== null && r.pos.ino === DEVPTS_PTMX_INO;

/** The pty an `open`/`peer` success created a handle for: { fs, index, kind }. */
export function openedHandle(after: KernelState, result: StepResult) {
  if (!isOk(result) || result.fd === undefined) return null;
  return after.handles[result.fd] ?? null;
}

/** The instance and index a successful ptmx open allocated (null for any other result). */
export function allocation(after: KernelState, op: Op, result: StepResult): { fs: FsId; index: number } | null {
  if (op.op !== 'open' || !isOk(result) || result.index === undefined) return null;
  const h = openedHandle(after, result);
  return h && h.kind === 'master' ? { fs: h.fs, index: h.index } : null;
}

/** The mount a successful mount/bind op attached (the model names it m<next.mount>). */
export function attachedMount(before: KernelState, after: KernelState): Mount | null {
  const id = `m${before.next.mount}`;
  const m = after.mounts[id];
  if (m && !before.mounts[id]) return m;
  for (const mid in after.mounts) if (!before.mounts[mid]) return after.mounts[mid]!;
  return null;
}

/** Items of a mount data string, empty items dropped (they are skipped by every parser). */
export const optionItems = (data: string | undefined): string[] => (data ?? '').split(',').filter((s) => s !== '');
export const hasItem = (data: string | undefined, item: string): boolean => optionItems(data).includes(item);
export const mentionsPtmxmode = (data: string | undefined): boolean => optionItems(data).some((i) => i.startsWith('ptmxmode'));

/** The devpts instance on top of `path` for a process (the mount a listing of `path` shows), or null. */
export function devptsAt(state: KernelState, pid: number, path: string): DevptsFs | null {
  const r = resolveAs(state, pid, path);
  if (!r || r.pos.ino !== DEVPTS_ROOT_INO) return null;
  return r.node.devpts;
}

/** The topmost mount at `path` for a process when `path` is that mount's root (a mount point), else null. */
export function mountRootAt(state: KernelState, pid: number, path: string): Mount | null {
  const r = resolveAs(state, pid, path);
  const m = r && state.mounts[r.pos.mount];
  return m && m.root === r!.pos.ino ? m : null;
}

/** Mounts of a namespace, by id. */
export function mountsOf(state: KernelState, ns: string): MountId[] {
  return state.namespaces[ns]?.mounts.slice() ?? [];
}

/** Octal for messages. */
export const oct = (mode: number): string => '0' + mode.toString(8).padStart(3, '0');

/** Items the legacy (CONFIG=n) token table knows: uid=%u, gid=%u (base 0), mode=%o. Everything else is bogus. */
export const legacyKnown = (item: string): boolean =>
  /^(uid|gid)=(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(item) || /^mode=[0-7]+$/.test(item);

/** Does `op` name a devpts ptmx node (its own /dev/pts/ptmx, through any path, bind or symlink) in this state? */
export function namesDevptsPtmx(state: KernelState, op: Op): boolean {
  const pid = op.pid ?? 1;
  const hit = (path: string | undefined) => {
    if (path === undefined) return false;
    const follow = resolveAs(state, pid, path, false);
    if (follow && isDevptsPtmx(follow)) return true;
    const nofollow = resolveAs(state, pid, path, true);
    return nofollow !== null && isDevptsPtmx(nofollow);
  };
  switch (op.op) {
    case 'bind': return hit(op.source) || hit(op.target);
    case 'symlink': {
      const body = op.target.startsWith('/') ? op.target : `${op.path.slice(0, op.path.lastIndexOf('/') + 1)}${op.target}`;
      return hit(body) || /(^|\/)ptmx$/.test(op.target) && op.target.includes('pts');
    }
    case 'mount': case 'remount': case 'umount': return hit(op.target);
    case 'mkdir': case 'mknod': case 'touch': case 'unlink': case 'chmod': case 'chown': case 'stat': case 'open':
      return hit(op.path);
    default: return false;
  }
}

/** The devpts instance at the sibling `pts` of a directory (topmost mount, no symlinks), or the errno. [K8] */
export function siblingPtsOf(state: KernelState, dir: Pos): { fs: FsId } | { errno: 'ENOENT' | 'ENODEV' } {
  const ptsIno = lookupChild(state, dir, 'pts');
  if (ptsIno === null) return { errno: 'ENOENT' };
  const top = followMounts(state, { mount: dir.mount, ino: ptsIno });
  const m = mountOf(state, top.mount);
  const fs = state.fss[m.fs]!;
  if (fs.kind !== 'devpts' || top.ino !== DEVPTS_ROOT_INO || m.root !== DEVPTS_ROOT_INO) return { errno: 'ENODEV' };
  return { fs: fs.id };
}

export type PtmxTarget = { pos: Pos; node: NodeView } | null;
// Several clauses ask for the target of the same open, one after the other: it is resolved
// once per (before, op) (states are immutable, so the same pair resolves the same way).
let lastTarget: { before: KernelState; op: Op; target: PtmxTarget } | null = null;

/** The ptmx node an `open` names, resolved for its process in `before` (null if it is not a ptmx node). */
export function ptmxTargetOf(before: KernelState, op: Op): PtmxTarget {
  if (op.op !== 'open') return null;
  if (lastTarget !== null && lastTarget.before === before && lastTarget.op === op) return lastTarget.target;
  const r = resolveAs(before, op.pid ?? 1, op.path);
  const target = r && isPtmxNode(r.node) ? r : null;
  lastTarget = { before, op, target };
  return target;
}

/**
 * Which instance an open of this ptmx node allocates in, by the clauses' own reading of
 * the kernel (D7, K8, K9), not the model's lookup: a node on devpts, its own instance;
 * any other c 5:2 node, the initial instance before 4.7, the devpts at its sibling `pts`
 * from 4.7 on (a node that is itself a file bind has no sibling: ENOENT).
 */
export function expectedPtmxInstance(profile: Profile, before: KernelState, t: NonNullable<PtmxTarget>): { fs: FsId } | { errno: 'ENOENT' | 'ENODEV' } {
  if (t.node.devpts) return { fs: t.node.devpts.id };
  if (profile.bootMode !== 'perMountInstances') return before.initialInstance === null ? { errno: 'ENODEV' } : { fs: before.initialInstance };
  if (mountOf(before, t.pos.mount).root === t.pos.ino) return { errno: 'ENOENT' };
  return siblingPtsOf(before, { mount: t.pos.mount, ino: t.node.parent });
}
