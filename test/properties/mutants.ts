// Deliberately broken models, to prove every property can fail.
//
// Each mutant is a PROFILE OVERRIDE: a real profile record from model/profiles.ts with
// one field replaced. Four concerns have no field in the profile record (closing a
// master, symlink resolution, umount's busy check, and — for a generic I5 mutant — the
// failure path of a step); those mutants wrap the step function instead (a Subject,
// clauses/run.ts) and are marked `wrapper: true` (reported to the lead).
//
// `kills`: (clause, profile) pairs whose property must find a violation on the mutant.
// `conforms`: pairs the real model violates, but which must *hold* on this mutant
// (the property is not trivially failing: it tells a conforming model apart).

import {
  INITIAL_NS, isErrno, isOk, PROFILES, stepWith,
  type KernelState, type Op, type Outcome, type Profile, type ProfileId,
} from '../../model/index.ts';
import {
  mountInitialUnlessNewinstance, mountNewEveryTime, ptmxOwnInstanceElseSiblingPts,
  type Allocation, type MountRequest,
} from '../../model/instances.ts';
import { DEFAULT_OPTIONS, parseLegacyOptions, type ParseOutcome } from '../../model/options.ts';
import { attach } from '../../model/mounts.ts';
import { resolve } from '../../model/paths.ts';
import type { DevptsFs, DevptsOptions } from '../../model/state.ts';
import type { Subject } from '../../clauses/index.ts';

export interface Mutant {
  readonly name: string;
  readonly subject: Subject;
  /** The mutation needs a concern the profile record has no field for (the step is wrapped). */
  readonly wrapper: boolean;
  readonly kills: readonly string[];
  readonly conforms?: readonly string[];
}

const record = (base: ProfileId, name: string, fields: Partial<Profile>): Subject => {
  const profile: Profile = { ...PROFILES[base], ...fields };
  return { name: `${base}~${name}`, profile, step: (s, op) => stepWith(profile, s, op) };
};
const wrapped = (base: ProfileId, name: string, wrap: (s: KernelState, op: Op, real: Outcome) => Outcome): Subject => {
  const profile = PROFILES[base];
  return { name: `${base}~${name}`, profile, step: (s, op) => wrap(s, op, stepWith(profile, s, op)) };
};

const withFs = (state: KernelState, fs: DevptsFs): KernelState => ({ ...state, fss: { ...state.fss, [fs.id]: fs } });
const devptsOf = (state: KernelState, id: string) => state.fss[id] as DevptsFs;

// ---- mount -------------------------------------------------------------------------

/** CONFIG=y mount that ignores newinstance: always the initial instance. */
const mountIgnoringNewinstance = (req: MountRequest) =>
  mountInitialUnlessNewinstance({ ...req, data: (req.data ?? '').split(',').filter((i) => i !== 'newinstance').join(',') });

/** CONFIG=y mount where every mount is a new instance (as on 6.x). */
const mountAlwaysNew = (req: MountRequest) => {
  const d = mountNewEveryTime(req);
  return d.ok ? { ...d, state: { ...d.state, multiInstance: true } } : d;
};

/** A mount without newinstance merges the given options into the initial instance's instead of replacing them. */
const mountMerging = (req: MountRequest) => {
  const d = mountInitialUnlessNewinstance(req);
  if (!d.ok || d.fs !== req.state.initialInstance) return d;
  const was = devptsOf(req.state, d.fs).opts;
  const now = devptsOf(d.state, d.fs).opts;
  const given = (k: string) => (req.data ?? '').split(',').some((i) => i.startsWith(`${k}=`));
  const merged: DevptsOptions = {
    ...was,
    ...(given('uid') ? { uid: now.uid } : {}), ...(given('gid') ? { gid: now.gid } : {}),
    ...(given('mode') ? { mode: now.mode } : {}), ...(given('ptmxmode') ? { ptmxmode: now.ptmxmode } : {}),
  };
  return { ...d, state: withFs(d.state, { ...devptsOf(d.state, d.fs), opts: merged }) };
};

/** A mount of an existing instance also sets its ptmx node to the given ptmxmode (what U3's fstab advice assumes). */
const mountSettingPtmxNode = (req: MountRequest) => {
  const d = mountInitialUnlessNewinstance(req);
  if (!d.ok || !req.state.fss[d.fs]) return d;
  const fs = devptsOf(d.state, d.fs);
  return fs.ptmx ? { ...d, state: withFs(d.state, { ...fs, ptmx: { ...fs.ptmx, mode: fs.opts.ptmxmode } }) } : d;
};

/** CONFIG=n mount that honours newinstance (a CONFIG=y parser and mount on a CONFIG=n kernel). */
const legacyWithInstances: Partial<Profile> = {
  parseOptions: (data, cur, purpose) => parseLegacyOptions({ ptmxmode: false, newinstance: true, max: false }, data, cur, purpose),
  mountDevpts: (req) => {
    const d = mountInitialUnlessNewinstance(req);
    if (!d.ok || d.fs === req.state.initialInstance) return d;
    const fs = devptsOf(d.state, d.fs);
    return { ...d, state: withFs(d.state, { ...fs, ptmx: null }) }; // no ptmx node with CONFIG=n
  },
};

// ---- option parsing (legacy) ---------------------------------------------------------------

const TABLE_N = { ptmxmode: false, newinstance: false, max: false } as const;
/** Unknown items are skipped (with the message) instead of ending the parse: what D3 describes. */
const legacySkippingBogus = (data: string | undefined, cur: DevptsOptions, purpose: 'mount' | 'remount'): ParseOutcome => {
  let opts = parseLegacyOptions(TABLE_N, '', cur, purpose).opts;
  let bogus = false;
  for (const item of (data ?? '').split(',')) {
    if (item === '') continue;
    const one = parseLegacyOptions(TABLE_N, item, cur, purpose);
    if (!one.ok) { bogus = true; continue; }
    const defaults = parseLegacyOptions(TABLE_N, '', cur, purpose).opts;
    for (const k of Object.keys(defaults) as (keyof DevptsOptions)[]) if (one.opts[k] !== defaults[k]) opts = { ...opts, [k]: one.opts[k] };
  }
  // "ignored with a 'bogus option' message": the item is dropped and parsing goes on as if it
  // were absent (so mount_single's remount also takes the mount's read-only flag, as without it)
  return { opts, ok: true, log: bogus ? ['devpts: called with bogus options'] : [] };
};
/** No reset to defaults: items apply on top of the current options. */
const legacyNoReset = (data: string | undefined, cur: DevptsOptions, purpose: 'mount' | 'remount'): ParseOutcome => {
  const p = parseLegacyOptions(TABLE_N, data, cur, purpose);
  const defaults = parseLegacyOptions(TABLE_N, '', cur, purpose).opts;
  const opts = { ...cur };
  for (const k of Object.keys(defaults) as (keyof DevptsOptions)[]) if (p.opts[k] !== defaults[k]) (opts as Record<string, unknown>)[k] = p.opts[k];
  return { ...p, opts };
};

// ---- remount ---------------------------------------------------------------------------

const remountKeepingPtmx = (base: ProfileId): Profile['remountDevpts'] => (state, id, data, parse, ro) => {
  const c = PROFILES[base].remountDevpts(state, id, data, parse, ro);
  const fs = devptsOf(c.state, id);
  return { ...c, state: withFs(c.state, { ...fs, ptmx: devptsOf(state, id).ptmx }) };
};

// ---- ptmx lookup and allocation -------------------------------------------------------------

const ptmxAlwaysInitial: Profile['ptmxInstance'] = (state) => ({ ok: true, fs: state.initialInstance! });
/** 6.x: every ptmx node uses the sibling pts, even one that lives on devpts. */
const siblingOnly: Profile['ptmxInstance'] = (state, pos, node) => ptmxOwnInstanceElseSiblingPts(state, pos, { ...node, devpts: null });
/** 6.x: every ptmx open allocates in the oldest existing instance (the boot mount's, usually). */
const firstInstance: Profile['ptmxInstance'] = (state) => {
  const ids = Object.keys(state.fss).filter((id) => state.fss[id]!.kind === 'devpts').sort((a, b) => Number(a.split('#')[1]) - Number(b.split('#')[1]));
  return ids.length > 0 ? { ok: true, fs: ids[0]! } : { ok: false, errno: 'ENODEV' };
};
const rootDenied = (base: ProfileId): Profile['ptmxInstance'] => (state, pos, node) =>
  node.attrs.mode === 0 ? { ok: false, errno: 'EACCES' } : PROFILES[base].ptmxInstance(state, pos, node);
const wrongSiblingErrno: Profile['ptmxInstance'] = (state, pos, node) => {
  const r = PROFILES['6.x'].ptmxInstance(state, pos, node);
  return !r.ok && r.errno === 'ENOENT' ? { ok: false, errno: 'ENODEV' } : r;
};

/** One index space for all instances: the lowest index no instance holds. */
const globalAllocator = (base: ProfileId): Profile['allocateIndex'] => (state, fs): Allocation => {
  const real = PROFILES[base].allocateIndex(state, fs);
  if (!real.ok) return real;
  let i = 0;
  const held = (n: number) => Object.values(state.fss).some((f) => f.kind === 'devpts' && f.ptys[n] !== undefined);
  while (held(i)) i++;
  return { ok: true, index: i };
};
const noLimits: Profile['allocateIndex'] = (_state, fs) => {
  let i = 0;
  while (fs.ptys[i] !== undefined) i++;
  return { ok: true, index: i };
};

// ---- wrappers (concerns the profile record has no field for) ---------------------------------

const closedMaster = (s: KernelState, op: Op) => {
  if (op.op !== 'close') return null;
  const h = s.handles[op.fd];
  return h && h.kind === 'master' ? h : null;
};

/** Closing a master keeps the slave's name listed. */
const keepSlaveName = (s: KernelState, op: Op, real: Outcome): Outcome => {
  const h = closedMaster(s, op);
  if (!h || !isOk(real.result)) return real;
  const fs = devptsOf(real.state, h.fs);
  const pty = fs?.ptys[h.index];
  if (!pty) return real;
  return { ...real, state: withFs(real.state, { ...fs, ptys: { ...fs.ptys, [h.index]: { ...pty, node: devptsOf(s, h.fs).ptys[h.index]!.node } } }) };
};

/** Closing a master frees the index even while the slave is open. */
const freeOnMasterClose = (s: KernelState, op: Op, real: Outcome): Outcome => {
  const h = closedMaster(s, op);
  if (!h || !isOk(real.result)) return real;
  const fs = devptsOf(real.state, h.fs);
  if (!fs?.ptys[h.index]) return real;
  const ptys = { ...fs.ptys };
  delete ptys[h.index];
  return { ...real, state: withFs(real.state, { ...fs, ptys }) };
};

/** A symlink to a ptmx node is resolved once, at creation, like a bind mount. */
const symlinkAsBind = (base: ProfileId) => (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (op.op !== 'symlink' || !isOk(real.result)) return real;
  const pid = op.pid ?? 1;
  const dir = op.path.slice(0, op.path.lastIndexOf('/') + 1);
  const source = op.target.startsWith('/') ? op.target : `${dir}${op.target}`;
  const r = resolve(s, s.procs[pid]!, source);
  if (!r.ok || !r.node.devpts || r.node.type !== 'chr' || s.procs[pid]!.uid !== 0) return real;
  const p = PROFILES[base];
  const touched = stepWith(p, s, { op: 'touch', pid, path: op.path });
  if (!isOk(touched.result)) return real;
  const bound = stepWith(p, touched.state, { op: 'bind', pid, source, target: op.path });
  return isOk(bound.result) ? bound : real;
};

/** umount is busy while any master of the instance is open, wherever it was opened. */
const umountBusyForOutsideMasters = (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (op.op !== 'umount' || op.lazy || !isOk(real.result)) return real;
  const r = resolve(s, s.procs[op.pid ?? 1]!, op.target);
  if (!r.ok) return real;
  const fsId = s.mounts[r.pos.mount]!.fs;
  const busy = Object.values(s.handles).some((h) => h.kind === 'master' && h.fs === fsId);
  return busy ? { state: s, result: { errno: 'EBUSY' } } : real;
};

const isEbusyDevptsMount = (op: Op, real: Outcome): op is Extract<Op, { op: 'mount' }> =>
  op.op === 'mount' && op.fstype === 'devpts' && isErrno(real.result) && real.result.errno === 'EBUSY';

/** K11 broken one way: the refused mount undoes what devpts_mount did (nothing applied on EBUSY). */
const refusedMountAppliesNothing = (s: KernelState, op: Op, real: Outcome): Outcome =>
  isEbusyDevptsMount(op, real) ? { state: s, result: real.result } : real;

/** K11 broken the other way: no same-superblock check, the mount stacks and answers ok (the model before K11). */
const refusedMountStacks = (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (!isEbusyDevptsMount(op, real)) return real;
  const r = resolve(s, s.procs[op.pid ?? 1]!, op.target);
  if (!r.ok) return real;
  const fs = real.state.mounts[r.pos.mount]!.fs;
  return { state: attach(real.state, r.pos, fs, 1, op.flags ?? []).state, result: { ok: true } };
};

/** A failed step still counts a handle number (any state change on failure). */
const failureLeaks = (s: KernelState, _op: Op, real: Outcome): Outcome =>
  isErrno(real.result) ? { ...real, state: { ...real.state, next: { ...real.state.next, fd: real.state.next.fd + 1 } } } : real;

// ---- the list ------------------------------------------------------------------------------

export const MUTANTS: readonly Mutant[] = [
  { name: 'newinstance ignored', wrapper: false, subject: record('2.6.39-y', 'newinstance-ignored', { mountDevpts: mountIgnoringNewinstance }),
    kills: ['D6/2.6.39-y', 'D8/2.6.39-y', 'U2/2.6.39-y', 'U4/2.6.39-y', 'U7/2.6.39-y'] },
  { name: 'every mount a new instance (CONFIG=y)', wrapper: false, subject: record('2.6.39-y', 'always-new', { mountDevpts: mountAlwaysNew }),
    kills: ['D2/2.6.39-y', 'D4/2.6.39-y', 'U7/2.6.39-y', 'R1/2.6.39-y'] },
  { name: 'newinstance honoured with CONFIG=n', wrapper: false, subject: record('2.6.39-n', 'instances', legacyWithInstances),
    kills: ['D2/2.6.39-n'] },
  { name: 'options merged, not replaced', wrapper: false, subject: record('2.6.39-y', 'merge', { mountDevpts: mountMerging }),
    kills: ['K2/2.6.39-y'] },
  { name: 'mount sets the existing ptmx node', wrapper: false, subject: record('3.4-y', 'mount-sets-node', { mountDevpts: mountSettingPtmxNode }),
    kills: ['K3/3.4-y'], conforms: ['U3/3.4-y'] },
  { name: 'legacy parser skips bogus items', wrapper: false, subject: record('2.6.39-n', 'skip-bogus', { parseOptions: legacySkippingBogus }),
    kills: ['K1/2.6.39-n'], conforms: ['D3/2.6.39-n'] },
  { name: 'legacy parser does not reset', wrapper: false, subject: record('2.6.39-n', 'no-reset', { parseOptions: legacyNoReset }),
    kills: ['K1/2.6.39-n'] },
  { name: 'remount leaves the ptmx node (6.x)', wrapper: false, subject: record('6.x', 'remount-keeps-node', { remountDevpts: remountKeepingPtmx('6.x') }),
    kills: ['K4/6.x'], conforms: ['U6/6.x'] },
  { name: 'remount leaves the ptmx node (2.6.39-y)', wrapper: false, subject: record('2.6.39-y', 'remount-keeps-node', { remountDevpts: remountKeepingPtmx('2.6.39-y') }),
    kills: ['K4/2.6.39-y', 'I5/2.6.39-y'], conforms: ['U6/2.6.39-y'] },
  { name: 'remount applies partially on 6.x', wrapper: false, subject: record('6.x', 'partial-remount', { remountDevpts: PROFILES['2.6.39-y'].remountDevpts }),
    kills: ['I5/6.x', 'K4/6.x'] },
  { name: 'ptmx always the initial instance', wrapper: false, subject: record('2.6.39-y', 'ptmx-initial', { ptmxInstance: ptmxAlwaysInitial }),
    // (K5 finds the instance by its own reading, not by the model's lookup: a wrong lookup shows as a wrong limit)
    kills: ['U2/2.6.39-y', 'D8/2.6.39-y', 'U4/2.6.39-y', 'K5/2.6.39-y'] },
  { name: 'unredirected ptmx uses the sibling pts (CONFIG=y)', wrapper: false, subject: record('3.4-y', 'sibling', { ptmxInstance: PROFILES['6.x'].ptmxInstance }),
    kills: ['D7/3.4-y', 'U5/3.4-y'] },
  { name: 'devpts ptmx nodes use the sibling pts (6.x)', wrapper: false, subject: record('6.x', 'sibling-only', { ptmxInstance: siblingOnly }),
    kills: ['K9/6.x'] },
  { name: 'ptmx always the first instance (6.x)', wrapper: false, subject: record('6.x', 'ptmx-first', { ptmxInstance: firstInstance }),
    kills: ['D8/6.x', 'K9/6.x', 'U2/6.x', 'K8/6.x', 'K5/6.x'] },
  { name: 'ENODEV instead of ENOENT without pts (6.x)', wrapper: false, subject: record('6.x', 'wrong-errno', { ptmxInstance: wrongSiblingErrno }),
    kills: ['K8/6.x'] },
  { name: 'root denied a mode-0000 ptmx', wrapper: false, subject: record('6.x', 'root-denied', { ptmxInstance: rootDenied('6.x') }),
    kills: ['K7/6.x'] },
  { name: 'root denied a mode-0000 ptmx (2.6.39-y)', wrapper: false, subject: record('2.6.39-y', 'root-denied', { ptmxInstance: rootDenied('2.6.39-y') }),
    kills: ['K7/2.6.39-y'] },
  { name: 'one global index allocator', wrapper: false, subject: record('6.x', 'global-ida', { allocateIndex: globalAllocator('6.x') }),
    kills: ['I1/6.x', 'D1/6.x'] },
  { name: 'one global index allocator (2.6.39-y)', wrapper: false, subject: record('2.6.39-y', 'global-ida', { allocateIndex: globalAllocator('2.6.39-y') }),
    kills: ['I1/2.6.39-y', 'D1/2.6.39-y'] },
  { name: 'no pty limits', wrapper: false, subject: record('2.6.39-n', 'no-limits', { allocateIndex: noLimits }),
    kills: ['K5/2.6.39-n', 'I4/2.6.39-n'] },
  { name: 'no pty limits (3.4-y)', wrapper: false, subject: record('3.4-y', 'no-limits', { allocateIndex: noLimits }),
    kills: ['K5/3.4-y', 'I4/3.4-y'] },
  // wrappers: the profile record has no field for these concerns
  { name: 'slave name kept after master close', wrapper: true, subject: wrapped('2.6.39-y', 'keep-slave-name', keepSlaveName),
    kills: ['K6/2.6.39-y', 'I2/2.6.39-y'] },
  { name: 'index freed on master close', wrapper: true, subject: wrapped('6.x', 'free-on-master-close', freeOnMasterClose),
    kills: ['K6/6.x', 'I3/6.x'] },
  { name: 'symlink resolved once, like a bind', wrapper: true, subject: wrapped('2.6.39-y', 'symlink-as-bind', symlinkAsBind('2.6.39-y')),
    kills: ['D8/2.6.39-y'] },
  { name: 'umount blocked by masters opened outside', wrapper: true, subject: wrapped('6.x', 'umount-busy', umountBusyForOutsideMasters),
    kills: ['K10/6.x'] },
  { name: 'a refused mount applies nothing', wrapper: true, subject: wrapped('2.6.39-y', 'ebusy-applies-nothing', refusedMountAppliesNothing),
    kills: ['K11/2.6.39-y'] },
  { name: 'a mount onto its own mount point stacks (no EBUSY)', wrapper: true, subject: wrapped('2.6.39-n', 'ebusy-stacks', refusedMountStacks),
    kills: ['K11/2.6.39-n'] },
  { name: 'a failed step changes the state', wrapper: true, subject: wrapped('2.6.39-n', 'failure-leaks', failureLeaks),
    kills: ['I5/2.6.39-n'] },
];

export { DEFAULT_OPTIONS, INITIAL_NS };
