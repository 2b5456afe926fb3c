// Invariants I1–I5 (../shared/design/clauses.md): pure functions of one transition,
//
//   (profile, before, op, result, after) → violation message | null
//
// the transition predicates of the I clauses (clauses/catalogue/invariants.ts), checked
// after every step of every generated sequence and on every transition the explorer takes.
// They are cheap: reference comparisons first (the model shares untouched structure),
// walks over the few instances, ptys and handles only when those changed, and a deep
// comparison only on the rare path where a failed step returned a new state object.

import { isErrno, ptyLimitReached, type KernelState, type Op, type Profile, type StepResult } from '../model/index.ts';
import type { DevptsFs } from '../model/state.ts';
import { allocation, deepEqual, devpts, lowestFree, oct, ptyCount, resolveAs, totalPtys } from './observe.ts';

export type Invariant = (profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState) => string | null;

/**
 * I1: within an instance, allocated indices are unique, and a new pty gets the lowest
 * free index. Judged on every successful ptmx open: the index it reports (TIOCGPTN) is
 * the one its handle holds, the instance did not hold it before, it is the lowest index
 * free there, and the instance gained exactly that one pty. (Uniqueness within one
 * instance is also structural: ptys are keyed by index.)
 */
export const I1: Invariant = (_profile, before, op, result, after) => {
  const a = allocation(after, op, result);
  if (!a) {
    if (op.op === 'open' && 'index' in result && result.index !== undefined) return `open reported index ${result.index} but holds no master handle`;
    return null;
  }
  if (a.index !== (result as { index?: number }).index) return `open reported index ${(result as { index?: number }).index} but its master holds index ${a.index}`;
  const was = devpts(before, a.fs);
  const now = devpts(after, a.fs);
  if (!was || !now) return `open allocated in ${a.fs}, an instance that did not exist before the open`;
  if (was.ptys[a.index] !== undefined) return `open allocated index ${a.index} in ${a.fs}, which that instance already held`;
  const want = lowestFree(was);
  if (a.index !== want) return `open allocated index ${a.index} in ${a.fs}, but the lowest free index there was ${want}`;
  if (ptyCount(now) !== ptyCount(was) + 1) return `open changed the number of ptys in ${a.fs} from ${ptyCount(was)} to ${ptyCount(now)} (expected one more)`;
  return null;
};

/** Master handles per (instance, index) and slave handle counts, from a state's handles. */
function handleCensus(state: KernelState): { masters: Map<string, number>; slaves: Map<string, number> } {
  const masters = new Map<string, number>();
  const slaves = new Map<string, number>();
  for (const fd in state.handles) {
    const h = state.handles[fd]!;
    if (h.kind === 'file') continue;
    const key = `${h.fs}/${h.index}`;
    const m = h.kind === 'master' ? masters : slaves;
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return { masters, slaves };
}

const unchanged = (before: KernelState, after: KernelState): boolean =>
  before.fss === after.fss && before.handles === after.handles && before.mounts === after.mounts;

/**
 * I2: the listing of a devpts instance is exactly its ptmx node (if the profile has one)
 * plus the indices whose master is open. The listing is what `readdir` of the instance's
 * root returns (model/files.ts readdirOp: the ptmx node, then every pty with a node);
 * checked for every instance, mounted or not (an unmounted one lists the same way once
 * it is mounted again through a bind or a namespace copy).
 */
export const I2: Invariant = (profile, before, _op, _result, after) => {
  if (unchanged(before, after)) return null;
  const { masters } = handleCensus(after);
  for (const id in after.fss) {
    const fs = after.fss[id]!;
    if (fs.kind !== 'devpts') continue;
    if ((fs.ptmx !== null) !== profile.ptmxNode) {
      return fs.ptmx ? `${id} lists a ptmx node, but this kernel has none` : `${id} lists no ptmx node`;
    }
    for (const i in fs.ptys) {
      const listed = fs.ptys[i]!.node !== null;
      const open = masters.has(`${id}/${i}`);
      if (listed && !open) return `${id} lists ${i} although no master of ${id}/${i} is open`;
      if (!listed && open) return `${id} does not list ${i} although its master is open`;
    }
  }
  for (const key of masters.keys()) {
    const [id, i] = key.split('/') as [string, string];
    const fs = devpts(after, id);
    if (!fs || fs.ptys[Number(i)] === undefined) return `a master of ${key} is open but ${id} does not hold index ${i}`;
  }
  return null;
};

/**
 * I3: every pty belongs to exactly one instance; no open handle refers to a freed pty.
 * Every master/slave handle names an existing instance holding that index; a pty's
 * open ends match the handles (at most one master, as many slave opens as slave
 * handles); and a held index has at least one open end (nothing leaks).
 */
export const I3: Invariant = (_profile, before, _op, _result, after) => {
  if (before.fss === after.fss && before.handles === after.handles) return null;
  const { masters, slaves } = handleCensus(after);
  for (const [key, n] of masters) {
    if (n > 1) return `${n} master handles refer to the one pty ${key}`;
  }
  for (const key of [...masters.keys(), ...slaves.keys()]) {
    const [id, i] = key.split('/') as [string, string];
    const fs = devpts(after, id);
    if (!fs) return `a handle refers to pty ${key} of ${id}, an instance that no longer exists`;
    if (fs.ptys[Number(i)] === undefined) return `a handle refers to pty ${key}, which has been freed`;
  }
  for (const id in after.fss) {
    const fs = after.fss[id]!;
    if (fs.kind !== 'devpts') continue;
    for (const i in fs.ptys) {
      const pty = fs.ptys[i]!;
      const key = `${id}/${i}`;
      const m = masters.get(key) ?? 0;
      const s = slaves.get(key) ?? 0;
      if (pty.masterOpen !== (m === 1)) return `pty ${key} says its master is ${pty.masterOpen ? 'open' : 'closed'}, but ${m} master handles are open`;
      if (pty.slaveOpens !== s) return `pty ${key} counts ${pty.slaveOpens} slave opens, but ${s} slave handles are open`;
      if (m === 0 && s === 0) return `pty ${key} is still allocated although both its ends are closed`;
    }
  }
  return null;
};

/**
 * I4: no instance holds more ptys than its limits allow, judged whenever the number of
 * ptys grows: a pty is never allocated where the profile's limits (model/limits.ts, the
 * one rule, K5) are reached in the state before (limits lowered later — sysctl, remount
 * max= — do not revoke existing ptys: live 6.x S5e).
 */
export const I4: Invariant = (profile, before, op, result, after) => {
  const a = allocation(after, op, result);
  if (!a) return null;
  const fs = devpts(before, a.fs);
  if (!fs) return null; // (I1 says it: an instance that did not exist)
  const limit = ptyLimitReached(profile.ptyLimits, before, fs, a.index);
  if (limit === null) return null;
  const { max, reserve } = before.sysctl;
  return `index ${a.index} allocated in ${a.fs} although a limit was reached (${totalPtys(before)} ptys before, kernel.pty.max ${max}, reserve ${reserve}${fs.opts.max !== null ? `, max=${fs.opts.max}` : ''}: ${limit})`;
};

/**
 * I5: a failed step (errno) leaves the state unchanged, except where K1/K4/K11 say otherwise.
 * Decided precisely:
 * - A `remount` failing with EINVAL (its options) where remounts are not atomic (2.6.39 to 6.14: Profile.atomicRemount) may change exactly one thing: the
 *   devpts instance mounted at the target. In it, only its options (K1: reset, then
 *   applied up to the bogus item) and its ptmx node's mode, which must then equal the
 *   resulting `ptmxmode` (K4: update_ptmx_mode runs even on failure). Its ptys, nodes,
 *   root, owners, and everything else in the state (mount flags, handles, processes,
 *   counters) stay as they were.
 * - Every other failed step changes nothing at all: a remount the VFS refuses before
 *   devpts sees it (EPERM, EBUSY for read-only while written to, EINVAL for a path that is
 *   not a mount root — which fails before parsing too), and every failed step on 6.x
 *   (whose remount is atomic).
 * - A devpts `mount` that do_add_mount refuses after devpts_mount ran (K11: EBUSY onto the
 *   instance's own mount point; ENOTDIR onto a non-directory) on a profile with an initial
 *   instance may change that instance's options (on CONFIG=n also its read-only flag:
 *   mount_single's do_remount_sb), and nothing else at all.
 * (The legacy *mount* with a bogus option succeeds — K1 — so it is not a failed step.)
 */
export const I5: Invariant = (profile, before, op, result, after) => {
  if (!isErrno(result) || after === before) return null;
  if (op.op === 'mount' && op.fstype === 'devpts' && before.initialInstance !== null && (result.errno === 'EBUSY' || result.errno === 'ENOTDIR')) {
    const id = before.initialInstance;
    const was = devpts(before, id), now = devpts(after, id);
    if (!was || !now) return `failed mount (${result.errno}) removed the initial instance ${id}`;
    // (CONFIG=n: mount_single's remount may also set the superblock read-only or read-write)
    const rest: KernelState = { ...after, fss: { ...after.fss, [id]: { ...now, opts: was.opts, ...(profile.bootMode === 'legacy' ? { readonly: was.readonly } : {}) } } };
    if (deepEqual(rest, before)) return null;
    const changed = (Object.keys(after) as (keyof KernelState)[]).filter((k) => !deepEqual(before[k], rest[k]));
    return `failed devpts mount (${result.errno}) changed more than the initial instance's options (${changed.join(', ')})`;
  }
  if (op.op === 'remount' && !profile.atomicRemount && result.errno === 'EINVAL') {
    const same = (k: keyof KernelState) => before[k] === after[k] || deepEqual(before[k], after[k]);
    for (const k of ['procs', 'namespaces', 'mounts', 'handles', 'sysctl', 'next', 'initialInstance', 'multiInstance', 'profile'] as const) {
      if (!same(k)) return `failed remount (${result.errno}) changed the state's ${k}`;
    }
    const target = resolveAs(before, op.pid ?? 1, op.target);
    const mount = target ? before.mounts[target.pos.mount] : undefined;
    const allowed = mount && target!.pos.ino === mount.root ? mount.fs : null;
    const ids = new Set([...Object.keys(before.fss), ...Object.keys(after.fss)]);
    for (const id of ids) {
      const was = before.fss[id];
      const now = after.fss[id];
      if (was === now) continue;
      if (!was || !now) return `failed remount (${result.errno}) ${was ? 'removed' : 'created'} filesystem ${id}`;
      if (id !== allowed || was.kind !== 'devpts' || now.kind !== 'devpts') {
        if (!deepEqual(was, now)) return `failed remount (${result.errno}) changed ${id}, which is not the remounted instance`;
        continue;
      }
      const w = was as DevptsFs;
      const n = now as DevptsFs;
      const rest = { ...n, opts: w.opts, ptmx: w.ptmx && n.ptmx ? { ...n.ptmx, mode: w.ptmx.mode } : n.ptmx };
      if (!deepEqual(rest, w)) return `failed remount (${result.errno}) changed more of ${id} than its options and its ptmx node's mode`;
      if (n.ptmx && n.ptmx.mode !== n.opts.ptmxmode) return `failed remount (${result.errno}) left ${id}'s ptmx node at ${oct(n.ptmx.mode)}, not its resulting ptmxmode ${oct(n.opts.ptmxmode)}`;
    }
    return null;
  }
  if (deepEqual(before, after)) return null;
  const changed = (Object.keys(after) as (keyof KernelState)[]).filter((k) => !deepEqual(before[k], after[k]));
  return `failed ${op.op} (${result.errno}) changed the state (${changed.join(', ')})`;
};

export const INVARIANTS = { I1, I2, I3, I4, I5 } as const;
export type InvariantId = keyof typeof INVARIANTS;

/** All invariants on one transition: the first violation as "I3: message", or null. */
export function checkInvariants(profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState): string | null {
  for (const id in INVARIANTS) {
    const v = INVARIANTS[id as InvariantId](profile, before, op, result, after);
    if (v !== null) return `${id}: ${v}`;
  }
  return null;
}

