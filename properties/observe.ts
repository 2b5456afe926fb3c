// Small, cheap observations of model states shared by invariants and clause checks.
// Nothing here deep-copies or serialises a state: checks run after every generated step.

import { isErrno, isOk, type KernelState, type Op, type StepResult } from '../model/index.ts';
import { DEVPTS_PTMX_INO, DEVPTS_ROOT_INO, resolve, type NodeView, type Pos } from '../model/paths.ts';
import type { DevptsFs, FsId, Mount, MountId, Proc } from '../model/state.ts';

export { DEVPTS_PTMX_INO, DEVPTS_ROOT_INO };

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

export function totalPtys(state: KernelState): number {
  let n = 0;
  for (const id in state.fss) {
    const fs = state.fss[id]!;
    if (fs.kind === 'devpts') for (const _ in fs.ptys) n++;
  }
  return n;
}

/** The lowest index an instance does not hold (what a fresh allocation there must get). */
export function lowestFree(fs: DevptsFs): number {
  let i = 0;
  while (fs.ptys[i] !== undefined) i++;
  return i;
}

export const procOf = (state: KernelState, op: Op): Proc | undefined => state.procs[op.pid ?? 1];

/** Resolve a path as the op's process would (null when the process or path does not exist). */
export function resolveAs(state: KernelState, pid: number, path: string, nofollow = false): { pos: Pos; node: NodeView; dir: Pos } | null {
  const proc = state.procs[pid];
  if (!proc) return null;
  const r = resolve(state, proc, path, nofollow);
  return r.ok ? { pos: r.pos, node: r.node, dir: r.dir } : null;
}

export const isPtmxNode = (node: NodeView): boolean => node.type === 'chr' && node.rdev !== null && node.rdev[0] === 5 && node.rdev[1] === 2;
/** A devpts instance's own ptmx node (/dev/pts/ptmx, or a bind of it). */
export const isDevptsPtmx = (r: { pos: Pos; node: NodeView }): boolean => r.node.devpts !== null && r.pos.ino === DEVPTS_PTMX_INO;

/** The pty an `open`/`peer` success created a handle for: { fs, index, kind }. */
export function openedHandle(after: KernelState, result: StepResult) {
  if (!isOk(result) || result.fd === undefined) return null;
  return Object.prototype.hasOwnProperty.call(after.handles, result.fd) ? after.handles[result.fd]! : null;
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

/** Structural equality of plain data (states, options): only for rare, off-hot-path comparisons. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Octal for messages. */
export const oct = (mode: number): string => '0' + mode.toString(8).padStart(3, '0');
