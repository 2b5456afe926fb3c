// The clauses judged on a single transition (before, op, result, after): the transition
// predicates of the catalogue. Each returns a violation message or null, and calls
// `ctx.witness()` when the clause actually spoke about the transition (its premise held),
// so that evidence can say how often a clause was exercised. The random runner calls them
// on every step of a run, the explorer on every transition it takes.
//
// Counterfactuals ("the same mount without the bogus items") use `ctx.step`, the
// subject's own step function, from the `before` state: the model is pure, so that is
// just another call. They only run on the rare ops a clause is about.

import { isErrno, isOk, ptyLimitReached, type KernelState, type Op, type StepResult } from '../model/index.ts';
import { DEFAULT_OPTIONS } from '../model/options.ts';
import { busyForReadonly } from '../model/mounts.ts';
import { mountOf, nodeAt, permits, R, slaveIno, W } from '../model/paths.ts';
import type { DevptsFs, FsId } from '../model/state.ts';
import type { TransitionCheck, TransitionCtx } from './checks.ts';
import {
  allocation, attachedMount, deepEqual, devpts, DEVPTS_PTMX_INO, expectedPtmxInstance, hasItem, instances, isDevptsPtmx,
  legacyKnown, lowestFree, mentionsPtmxmode, mountRootAt, oct, optionItems, ptmxTargetOf, resolveAs, siblingPtsOf, totalPtys,
} from './observe.ts';

const witness = (ctx: TransitionCtx) => ctx.witness?.();
const isDevptsMount = (op: Op): op is Extract<Op, { op: 'mount' }> => op.op === 'mount' && op.fstype === 'devpts';
const join = (dir: string, name: string) => `${dir.replace(/\/+$/, '')}/${name}`;
const samePtys = (a: DevptsFs, b: DevptsFs): boolean => {
  if (a.ptys === b.ptys) return true;
  const ka = Object.keys(a.ptys), kb = Object.keys(b.ptys);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => b.ptys[Number(k)] !== undefined && (a.ptys[Number(k)]!.node === null) === (b.ptys[Number(k)]!.node === null));
};
/** Results equal apart from console lines. */
const sameResult = (a: StepResult, b: StepResult): boolean => {
  const strip = (r: StepResult) => { const { log: _l, ...rest } = r as StepResult & { log?: unknown }; return rest; };
  return deepEqual(strip(a), strip(b));
};

/** The ptmx node an `open` names (observe.ts, resolved once per transition). */
const ptmxTarget = (ctx: TransitionCtx) => ptmxTargetOf(ctx.before, ctx.op);

// ---- from the document -------------------------------------------------------------

/**
 * D1: a pty allocated (or closed) in one instance changes no other instance's allocated
 * indices or listed nodes, and the index it gets does not depend on other instances
 * (it is the lowest free in its own instance).
 */
export const D1: TransitionCheck = (ctx) => {
  const { before, after, op, result } = ctx;
  let home: FsId | null = null;
  const a = allocation(after, op, result);
  if (a) {
    home = a.fs;
    const was = devpts(before, a.fs)!;
    if (a.index !== lowestFree(was)) return `the index allocated in ${a.fs} (${a.index}) is not what that instance alone gives (${lowestFree(was)}): indices depend on other instances`;
  } else if (op.op === 'close' && isOk(result)) {
    const h = before.handles[op.fd];
    if (!h || h.kind === 'file') return null;
    home = h.fs;
  } else return null;
  witness(ctx);
  for (const was of instances(before)) {
    if (was.id === home) continue;
    const now = devpts(after, was.id);
    if (!now) return `${op.op} in ${home} removed instance ${was.id}`;
    if (!samePtys(was, now)) return `${op.op} in ${home} changed the ptys of ${was.id} (${Object.keys(was.ptys).join(',') || 'none'} → ${Object.keys(now.ptys).join(',') || 'none'})`;
  }
  return null;
};

/** D2: without CONFIG=y *and* newinstance, a devpts mount attaches the one instance every such mount shows. */
export const D2: TransitionCheck = (ctx) => {
  const { op, result, before, after, profile } = ctx;
  if (!isDevptsMount(op) || !isOk(result)) return null;
  const configY = profile.bootMode !== 'legacy';
  if (configY && hasItem(op.options, 'newinstance')) return null;
  witness(ctx);
  const m = attachedMount(before, after);
  if (!m) return `a successful devpts mount attached nothing`;
  if (m.fs !== before.initialInstance) {
    return configY
      ? `a devpts mount without newinstance attached ${m.fs}, not the instance every other such mount shows (${before.initialInstance})`
      : `with CONFIG=n a devpts mount ("${op.options ?? ''}") attached ${m.fs}, not the single instance (${before.initialInstance})`;
  }
  return null;
};

/**
 * D3: with CONFIG=n, `newinstance` and `ptmxmode` are ignored with a bogus-option message:
 * the mount gives the same result and the same state as the same mount without them.
 */
export const D3: TransitionCheck = (ctx) => {
  const { op, result, before, after } = ctx;
  if (!isDevptsMount(op)) return null;
  const items = optionItems(op.options);
  const isNew = (i: string) => i === 'newinstance' || i.startsWith('ptmxmode=');
  if (!items.some(isNew)) return null;
  witness(ctx);
  const without = items.filter((i) => !isNew(i)).join(',');
  const alt = ctx.step(before, { ...op, ...(without ? { options: without } : { options: undefined }) });
  if (!sameResult(result, alt.result)) return `mount "${op.options}" gave ${JSON.stringify(result)}, but without newinstance/ptmxmode ("${without}") it gives ${JSON.stringify(alt.result)}`;
  const log = (result as { log?: string[] }).log ?? [];
  // (a mount that failed before reaching its options — no privilege, no such directory — prints nothing)
  if (isOk(result) && !log.some((l) => l.includes('bogus'))) return `mount "${op.options}" printed no bogus-option message (log: ${JSON.stringify(log)})`;
  if (!deepEqual(after, alt.state)) {
    const id = before.initialInstance!;
    const got = devpts(after, id)?.opts, want = devpts(alt.state, id)?.opts;
    return `mount "${op.options}" left the instance with options ${fmtOpts(got)}, but ignoring newinstance/ptmxmode ("${without}") gives ${fmtOpts(want)}`;
  }
  return null;
};

export function fmtOpts(o: DevptsFs['opts'] | undefined): string {
  if (!o) return '(none)';
  const parts = [`mode=${oct(o.mode)}`, `ptmxmode=${oct(o.ptmxmode)}`];
  if (o.uid !== null) parts.push(`uid=${o.uid}`);
  if (o.gid !== null) parts.push(`gid=${o.gid}`);
  if (o.max !== null) parts.push(`max=${o.max}`);
  if (o.newinstance) parts.push('newinstance');
  return parts.join(',');
}

/**
 * D4: with CONFIG=y, a mount without newinstance binds the initial kernel instance; and
 * while no other instance exists (single-instance mode) every pty is allocated there:
 * ptys are common across the system.
 */
export const D4: TransitionCheck = (ctx) => {
  const { op, result, before, after } = ctx;
  if (isDevptsMount(op) && isOk(result) && !hasItem(op.options, 'newinstance')) {
    witness(ctx);
    const m = attachedMount(before, after);
    if (!m || m.fs !== before.initialInstance) return `a mount without newinstance attached ${m?.fs ?? 'nothing'}, not the initial instance ${before.initialInstance}`;
    return null;
  }
  const a = allocation(after, op, result);
  if (a && instances(before).every((fs) => fs.initial)) {
    witness(ctx);
    if (a.fs !== before.initialInstance) return `in single-instance mode a pty was allocated in ${a.fs}, not the initial instance ${before.initialInstance}`;
  }
  return null;
};

/** D6: with CONFIG=y, a newinstance mount creates a new, empty instance with its own ptmx node at <target>/ptmx. */
export const D6: TransitionCheck = (ctx) => {
  const { op, result, before, after } = ctx;
  if (!isDevptsMount(op) || !isOk(result) || !hasItem(op.options, 'newinstance')) return null;
  witness(ctx);
  const m = attachedMount(before, after);
  if (!m) return 'a newinstance mount attached nothing';
  if (before.fss[m.fs]) return `a newinstance mount attached the existing instance ${m.fs}`;
  const fs = devpts(after, m.fs);
  if (!fs) return `a newinstance mount attached ${m.fs}, which is not a devpts instance`;
  if (Object.keys(fs.ptys).length > 0) return `the new instance ${m.fs} already holds ptys`;
  if (!fs.ptmx) return `the new instance ${m.fs} has no ptmx node`;
  const node = resolveAs(after, op.pid ?? 1, join(op.target, 'ptmx'));
  if (!node || !isDevptsPtmx(node) || node.node.devpts!.id !== m.fs) return `${join(op.target, 'ptmx')} is not the new instance's own ptmx node`;
  return null;
};

/**
 * D7: an unredirected /dev/ptmx (any ptmx node that is not on devpts) never allocates in
 * a new instance; to allocate in one, the open must go through a ptmx node on devpts.
 */
export const D7: TransitionCheck = (ctx) => {
  const a = allocation(ctx.after, ctx.op, ctx.result);
  if (!a) return null;
  const t = ptmxTarget(ctx);
  if (!t) return null;
  witness(ctx);
  // (the two halves of D7 are one condition: allocation outside the initial instance ⇔ through a devpts ptmx node)
  if (!t.node.devpts && a.fs !== ctx.before.initialInstance) return `open of ${(ctx.op as { path: string }).path} (a ptmx node not on devpts: no redirect) allocated in ${a.fs}, not in the initial instance ${ctx.before.initialInstance}`;
  return null;
};

/**
 * U6: `ptmxmode` sets the mode of the ptmx node of a new instance (default 0000) and
 * chmod can change it later — and, by the document, nothing else does: a node's mode
 * only changes by chmod of that node, by a (re)mount that gives `ptmxmode=` explicitly
 * (to that value), or by chown dropping setuid/setgid bits.
 */
export const U6: TransitionCheck = (ctx) => {
  const { before, after, op, result } = ctx;
  if (before.fss === after.fss) return null;
  for (const id in after.fss) {
    const now = after.fss[id]!;
    if (now.kind !== 'devpts' || !now.ptmx) continue;
    const was = devpts(before, id);
    if (!was) {
      if (!isDevptsMount(op)) continue;
      witness(ctx);
      if (now.ptmx.mode !== now.opts.ptmxmode) return `the new instance ${id} got a ptmx node of mode ${oct(now.ptmx.mode)}, not its ptmxmode ${oct(now.opts.ptmxmode)}`;
      continue;
    }
    if (!was.ptmx || was.ptmx.mode === now.ptmx.mode) continue;
    witness(ctx);
    // a (re)mount that gives ptmxmode= explicitly sets the mode to it: that is "ptmxmode sets the mode"
    if ((op.op === 'remount' || isDevptsMount(op)) && mentionsPtmxmode(op.options) && now.ptmx.mode === now.opts.ptmxmode) continue;
    if ((op.op === 'chmod' || op.op === 'chown') && isOk(result)) {
      const r = resolveAs(before, op.pid ?? 1, op.path);
      if (r && isDevptsPtmx(r) && r.node.devpts!.id === id) {
        if (op.op === 'chmod') continue;
        if ((was.ptmx.mode & ~0o6000) === (now.ptmx.mode & ~0o6000)) continue;
      }
    }
    return `${op.op}${op.op === 'remount' ? ` "${op.options ?? ''}"${isErrno(result) ? ` (failing with ${result.errno})` : ''}` : ''} changed the mode of ${id}'s ptmx node from ${oct(was.ptmx.mode)} to ${oct(now.ptmx.mode)} (only ptmxmode= and chmod should)`;
  }
  return null;
};

// ---- kernel facts -------------------------------------------------------------------

const SCRAMBLED = { uid: 4242, gid: 4242, mode: 0o777, ptmxmode: 0o777, max: null, newinstance: false } as const;

/**
 * K1: legacy mounts (and remounts) reset every option, then apply items only up to the
 * first unknown one: the mount still succeeds; the options equal those of the same mount
 * cut before the first unknown item; and they do not depend on the options before.
 */
export const K1: TransitionCheck = (ctx) => {
  const { op, before, after, result } = ctx;
  const isMount = isDevptsMount(op);
  if (!isMount && op.op !== 'remount') return null;
  const id = before.initialInstance;
  if (id === null) return null;
  if (op.op === 'remount') {
    const r = resolveAs(before, op.pid ?? 1, op.target);
    const m = r && before.mounts[r.pos.mount];
    if (!m || m.root !== r.pos.ino || m.fs !== id || before.procs[op.pid ?? 1]!.uid !== 0) return null;
    // only a remount that reached the option parser (EBUSY: the VFS refused a read-only remount first)
    if (isErrno(result) && result.errno !== 'EINVAL') return null;
  }
  const items = optionItems(op.options);
  const k = items.findIndex((i) => !legacyKnown(i));
  // K11: onto the single instance's own mount point the mount is refused (EBUSY) after the
  // options were applied: judged below like a successful one
  const refusedAfterApplying = isMount && isErrno(result) && result.errno === 'EBUSY' && mountRootAt(before, op.pid ?? 1, op.target)?.fs === id;
  if (isMount && !isOk(result) && !refusedAfterApplying) {
    // a legacy mount fails only before it reaches the options: no privilege, no such directory
    const target = before.procs[op.pid ?? 1]!.uid === 0 ? resolveAs(before, op.pid ?? 1, op.target) : null;
    if (target && target.node.type === 'dir') { witness(ctx); return `legacy mount "${op.options ?? ''}" failed (${JSON.stringify(result)}) although unknown options only stop the parsing`; }
    return null;
  }
  witness(ctx);
  const got = devpts(after, id)!.opts;
  if (k >= 0) {
    const cut = items.slice(0, k).join(',');
    const alt = ctx.step(before, { ...op, options: cut === '' ? undefined : cut });
    const want = devpts(alt.state, id)!.opts;
    if (!deepEqual(got, want)) return `"${op.options}" left options ${fmtOpts(got)}, but the items before the first unknown one ("${cut}") give ${fmtOpts(want)}`;
  }
  const scrambled: KernelState = { ...before, fss: { ...before.fss, [id]: { ...devpts(before, id)!, opts: { ...SCRAMBLED } } } };
  const alt = ctx.step(scrambled, op);
  const want = devpts(alt.state, id)!.opts;
  if (!deepEqual(got, want)) return `"${op.options ?? ''}" does not reset the options: from ${fmtOpts(devpts(before, id)!.opts)} it gives ${fmtOpts(got)}, from ${fmtOpts(SCRAMBLED)} ${fmtOpts(want)}`;
  return null;
};

/** K2: a mount without newinstance replaces the initial instance's options wholesale (defaults for what is not given). */
export const K2: TransitionCheck = (ctx) => {
  const { op, result, before, after, profile } = ctx;
  if (!isDevptsMount(op) || !isOk(result) || hasItem(op.options, 'newinstance')) return null;
  witness(ctx);
  const m = attachedMount(before, after);
  const fs = m && devpts(after, m.fs);
  if (!fs) return 'the mount attached no devpts instance';
  const parsed = profile.parseOptions(op.options, DEFAULT_OPTIONS, 'mount');
  const want = { ...parsed.opts, newinstance: false };
  if (!deepEqual(fs.opts, want)) return `mount "${op.options ?? ''}" left ${fs.id} with ${fmtOpts(fs.opts)}, not wholesale ${fmtOpts(want)} (before: ${fmtOpts(devpts(before, fs.id)?.opts)})`;
  return null;
};

/** K3: ptmxmode= on a mount of an existing instance changes the options, not the existing ptmx node. */
export const K3: TransitionCheck = (ctx) => {
  const { op, result, before, after, profile } = ctx;
  if (!isDevptsMount(op) || !isOk(result) || !mentionsPtmxmode(op.options)) return null;
  const m = attachedMount(before, after);
  const was = m && devpts(before, m.fs);
  if (!was) return null;
  witness(ctx);
  const now = devpts(after, m!.fs)!;
  if (!deepEqual(was.ptmx, now.ptmx)) return `mount "${op.options}" of the existing instance ${was.id} changed its ptmx node (${oct(was.ptmx?.mode ?? 0)} → ${oct(now.ptmx?.mode ?? 0)})`;
  const want = profile.parseOptions(op.options, DEFAULT_OPTIONS, 'mount').opts.ptmxmode;
  if (now.opts.ptmxmode !== want) return `mount "${op.options}" did not set ${was.id}'s ptmxmode option to ${oct(want)} (it is ${oct(now.opts.ptmxmode)})`;
  return null;
};

/**
 * K4: a remount resets the ptmx node's mode to the given or default ptmxmode, undoing
 * chmod; on 2.6.39/3.4 even when its options fail to parse (EINVAL, with what parsing
 * reached); on 6.x a failed remount changes nothing, and neither does one the VFS refuses
 * before asking devpts (EBUSY for a read-only remount while written to). The owner is kept.
 */
export const K4: TransitionCheck = (ctx) => {
  const { op, result, before, after, profile } = ctx;
  if (op.op !== 'remount') return null;
  const pid = op.pid ?? 1;
  if (before.procs[pid]!.uid !== 0) return null;
  const r = resolveAs(before, pid, op.target);
  const m = r && before.mounts[r.pos.mount];
  if (!m || m.root !== r!.pos.ino) return null;
  const was = devpts(before, m.fs);
  if (!was || !was.ptmx) return null;
  witness(ctx);
  const now = devpts(after, m.fs)!;
  const failed = isErrno(result);
  // "even when it fails" is about the option parse (EINVAL): a remount the VFS refuses before
  // asking devpts (EBUSY: read-only while written to, do_remount_sb / reconfigure_super) changes nothing
  if (failed && (profile.atomicRemount || result.errno !== 'EINVAL')) {
    return deepEqual(was.ptmx, now.ptmx) ? null : `a failed (${result.errno}) remount changed ${was.id}'s ptmx node`;
  }
  const want = profile.parseOptions(op.options, profile.atomicRemount ? DEFAULT_OPTIONS : was.opts, 'remount').opts.ptmxmode;
  if (now.ptmx!.mode !== want) return `${failed ? `a failed (${(result as { errno: string }).errno}) ` : 'a '}remount "${op.options ?? ''}" left ${was.id}'s ptmx node at ${oct(now.ptmx!.mode)}, not the ${optionItems(op.options).some((i) => i.startsWith('ptmxmode=')) ? 'given' : 'default'} ptmxmode ${oct(want)}`;
  if (now.ptmx!.uid !== was.ptmx.uid || now.ptmx!.gid !== was.ptmx.gid) return `the remount changed the owner of ${was.id}'s ptmx node`;
  return null;
};

/**
 * K5: the pty limit (the profile's limits as data, model/limits.ts, read through the one
 * rule): 2.6.39 an index ≥ kernel.pty.max fails with EIO (per instance); 3.4 a global
 * count (newinstance instances may use max − reserve) and max= (max=0: every open fails),
 * ENOSPC; 6.x at most max − 1 (− reserve outside the initial mount namespace) ptys, and
 * max= > 0 per instance (max=0: no limit), ENOSPC. Judged on every ptmx open that reaches
 * allocation, in the instance the clauses expect (not the one the model's lookup picks):
 * it fails with the limit errno exactly when a limit is reached.
 */
export const K5: TransitionCheck = (ctx) => {
  const { op, result, before, profile } = ctx;
  const t = ptmxTarget(ctx);
  if (!t) return null;
  const proc = before.procs[op.pid ?? 1]!;
  if (!permits(t.node.attrs, proc, R | W) || mountOf(before, t.pos.mount).flags.includes('nodev')) return null;
  const where = expectedPtmxInstance(profile, before, t);
  if ('errno' in where) return null;
  const fs = devpts(before, where.fs);
  if (!fs) return null;
  const free = lowestFree(fs);
  const limit = ptyLimitReached(profile.ptyLimits, before, fs, free);
  const { max, reserve } = before.sysctl;
  if (limit !== null) {
    witness(ctx);
    if (!isErrno(result) || result.errno !== limit) return `the open reached a limit in ${fs.id} (${totalPtys(before)} ptys, lowest free ${free}, kernel.pty.max ${max}, reserve ${reserve}${fs.opts.max !== null ? `, max=${fs.opts.max}` : ''}) but gave ${JSON.stringify(result)}, not ${limit}`;
    return null;
  }
  if (isErrno(result) && (result.errno === 'EIO' || result.errno === 'ENOSPC')) return `the open failed with ${result.errno} although no limit was reached in ${fs.id} (${totalPtys(before)} ptys, kernel.pty.max ${max})`;
  return null;
};

/**
 * K6: an index is freed only when master and slave are both closed; the slave's name
 * disappears when the master closes. Judged on every close and exit.
 */
export const K6: TransitionCheck = (ctx) => {
  const { op, before, after } = ctx;
  if (op.op !== 'close' && op.op !== 'exit') return null;
  if (before.handles === after.handles) return null;
  for (const fd in before.handles) {
    if (after.handles[fd]) continue;
    const h = before.handles[fd]!;
    if (h.kind === 'file') continue;
    const fs = devpts(after, h.fs);
    const pty = fs?.ptys[h.index];
    let stillOpen = false;
    let otherSlaves = false;
    for (const k in after.handles) {
      const o = after.handles[k]!;
      if (o.kind !== 'file' && o.fs === h.fs && o.index === h.index) { stillOpen = true; if (o.kind === 'slave') otherSlaves = true; }
    }
    if (h.kind === 'master') {
      if (otherSlaves) witness(ctx);
      if (pty && pty.node !== null) return `closing the master of ${h.fs}/${h.index} left its slave name /dev/pts/${h.index} listed`;
    }
    if (stillOpen && !pty) return `closing ${h.kind} ${fd} freed ${h.fs}/${h.index} although its other end is still open`;
    if (!stillOpen && pty) return `${h.fs}/${h.index} is still allocated after both its ends were closed`;
  }
  return null;
};

/** K7: root opens a mode-0000 ptmx node (unless the mount is nodev); everyone else gets EACCES. */
export const K7: TransitionCheck = (ctx) => {
  const t = ptmxTarget(ctx);
  if (!t || (t.node.attrs.mode & 0o7777) !== 0) return null;
  if (mountOf(ctx.before, t.pos.mount).flags.includes('nodev')) return null;
  witness(ctx);
  const proc = ctx.before.procs[ctx.op.pid ?? 1]!;
  const eacces = isErrno(ctx.result) && ctx.result.errno === 'EACCES';
  if (proc.uid === 0 && eacces) return `root got EACCES opening a mode-0000 ptmx node (${(ctx.op as { path: string }).path})`;
  if (proc.uid !== 0 && !eacces) return `uid ${proc.uid} opening a mode-0000 ptmx node (${(ctx.op as { path: string }).path}) got ${JSON.stringify(ctx.result)}, not EACCES`;
  return null;
};

/**
 * K8 (6.x): a ptmx node not on devpts allocates in the devpts mounted at its sibling
 * `pts` (topmost mount); ENOENT without a `pts`; ENODEV when it is not a devpts root; no
 * fallback. (EACCES from permissions and ENOSPC from limits may still come first/after.)
 */
export const K8: TransitionCheck = (ctx) => {
  const t = ptmxTarget(ctx);
  if (!t || t.node.devpts) return null;
  witness(ctx);
  // a node that is itself the root of a (file) bind mount has no parent inside its mount:
  // path_pts finds no `pts` (path_connected fails, fs/namei.c): ENOENT
  const fileBind = mountOf(ctx.before, t.pos.mount).root === t.pos.ino;
  const want = fileBind ? { errno: 'ENOENT' as const } : siblingPtsOf(ctx.before, { mount: t.pos.mount, ino: t.node.parent });
  const r = ctx.result;
  if (isOk(r)) {
    if ('errno' in want) return `open of ${(ctx.op as { path: string }).path} succeeded although its sibling pts gives ${want.errno} (a fallback)`;
    const a = allocation(ctx.after, ctx.op, r);
    if (a && a.fs !== want.fs) return `open of ${(ctx.op as { path: string }).path} allocated in ${a.fs}, not in ${want.fs} mounted at its sibling pts`;
    return null;
  }
  if (!isErrno(r) || r.errno === 'EACCES') return null;
  if ('errno' in want) return r.errno === want.errno ? null : `open of ${(ctx.op as { path: string }).path} gave ${r.errno}, not ${want.errno} (sibling pts)`;
  return r.errno === 'ENOSPC' ? null : `open of ${(ctx.op as { path: string }).path} gave ${r.errno} although ${want.fs} is mounted at its sibling pts`;
};

/**
 * K9 (6.x): a ptmx node on devpts allocates in its own instance wherever it is bound
 * (an open of it fails only for permission or a limit);
 * TIOCGPTPEER on a master opened through a bind of a ptmx whose directory's sibling
 * `pts` is another instance fails with ENODEV.
 */
export const K9: TransitionCheck = (ctx) => {
  const { op, before, result } = ctx;
  if (op.op === 'open') {
    const t = ptmxTarget(ctx);
    if (!t || !t.node.devpts) return null;
    witness(ctx);
    const a = allocation(ctx.after, op, result);
    if (!a) {
      // permission (mode, nodev) and limits may refuse it; nothing else may
      return isErrno(result) && (result.errno === 'EACCES' || result.errno === 'ENOSPC') ? null : `open of ${op.path} (the ptmx node of ${t.node.devpts.id}) gave ${JSON.stringify(result)} instead of allocating there`;
    }
    return a.fs === t.node.devpts.id ? null : `open of ${op.path} (the ptmx node of ${t.node.devpts.id}) allocated in ${a.fs}`;
  }
  if (op.op !== 'peer') return null;
  const h = before.handles[op.fd];
  if (!h || h.kind !== 'master') return null;
  const m = before.mounts[h.mount];
  if (!m || m.root !== DEVPTS_PTMX_INO || m.parent === null || h.ino !== DEVPTS_PTMX_INO) return null;
  const mp = nodeAt(before, { mount: m.parent, ino: m.mountpoint });
  if (!mp) return null;
  const sib = siblingPtsOf(before, { mount: m.parent, ino: mp.parent });
  if ('errno' in sib || sib.fs === h.fs) return null;
  witness(ctx);
  return isErrno(result) && result.errno === 'ENODEV' ? null : `TIOCGPTPEER on a master of ${h.fs} opened through a bind whose sibling pts is ${sib.fs} gave ${JSON.stringify(result)}, not ENODEV`;
};

/**
 * K10: umount of a devpts is not blocked by masters opened through a ptmx outside it
 * (EBUSY only for files opened through the mount itself, or mounts on it); afterwards,
 * if no mount of that instance is left in the namespace, its slaves cannot be reached
 * by path there.
 */
export const K10: TransitionCheck = (ctx) => {
  const { op, before, after, result } = ctx;
  if (op.op !== 'umount') return null;
  const pid = op.pid ?? 1;
  const r = resolveAs(before, pid, op.target);
  const m = r && before.mounts[r.pos.mount];
  if (!m || m.root !== r!.pos.ino || m.parent === null || !devpts(before, m.fs)) return null;
  let through = false, outside = false, children = false;
  for (const fd in before.handles) {
    const h = before.handles[fd]!;
    if (h.mount === m.id) through = true;
    else if (h.kind === 'master' && h.fs === m.fs) outside = true;
  }
  const ns = before.namespaces[m.ns!]!;
  for (const id of ns.mounts) if (before.mounts[id]!.parent === m.id) children = true;
  if (outside) witness(ctx);
  if (isErrno(result) && result.errno === 'EBUSY' && !op.lazy && !through && !children) {
    return `umount ${op.target} gave EBUSY although nothing was opened through it (only masters opened through a ptmx outside it)`;
  }
  if (!isOk(result)) return null;
  const nsAfter = after.namespaces[m.ns!];
  if (!nsAfter || nsAfter.mounts.some((id) => after.mounts[id]!.fs === m.fs)) return null;
  const fs = devpts(after, m.fs);
  if (!fs) return null;
  for (const i in fs.ptys) {
    const s = resolveAs(after, pid, join(op.target, i));
    if (s && s.node.devpts?.id === m.fs && s.pos.ino === slaveIno(Number(i))) return `after umount ${op.target}, the slave ${i} of ${m.fs} is still reachable at ${join(op.target, i)}`;
  }
  return null;
};

/**
 * K11: a devpts mount onto the mount point where the instance it would attach is already
 * mounted (the topmost mount there is that instance, at its root) fails with EBUSY, yet
 * the instance's options are replaced as a successful mount would replace them (CONFIG=y:
 * the data parsed from defaults; CONFIG=n: the single instance's reset-and-apply up to
 * the first unknown item), and nothing else changes: no mount is attached, the ptmx node
 * keeps its mode (fs/namespace.c do_add_mount after devpts_mount; QEMU 2.6.39.4, 3.4.113).
 */
export const K11: TransitionCheck = (ctx) => {
  const { op, result, before, after, profile } = ctx;
  if (!isDevptsMount(op) || before.initialInstance === null) return null;
  const pid = op.pid ?? 1;
  if (before.procs[pid]!.uid !== 0) return null;
  const on = mountRootAt(before, pid, op.target);
  if (!on || on.fs !== before.initialInstance) return null;
  const legacy = profile.bootMode === 'legacy';
  // with CONFIG=y a newinstance mount makes a new instance (D6), and a data string the
  // parser refuses fails the mount before any instance is chosen (EINVAL, nothing changes)
  if (!legacy && hasItem(op.options, 'newinstance')) return null;
  const was = devpts(before, on.fs)!;
  const parsed = legacy ? profile.parseOptions(op.options, was.opts, 'remount') : profile.parseOptions(op.options, DEFAULT_OPTIONS, 'mount');
  if (!legacy && !parsed.ok) return null;
  witness(ctx);
  if (!isErrno(result) || result.errno !== 'EBUSY') return `mount "${op.options ?? ''}" onto ${op.target}, where ${on.fs} is already mounted, gave ${JSON.stringify(result)}, not EBUSY`;
  const now = devpts(after, on.fs)!;
  // CONFIG=n: mount_single's do_remount_sb also sets the superblock read-only or read-write
  // as the mount asks (after a successful parse), and does nothing at all when going
  // read-only while a file is busy (fs/super.c 2.6.39; QEMU 2.6.39.4 =n)
  const ro = (op.flags ?? []).includes('ro');
  const stopped = legacy && ro && !was.readonly && busyForReadonly(before, was);
  const want = stopped ? was.opts : legacy ? parsed.opts : { ...parsed.opts, newinstance: false };
  const wantReadonly = legacy && !stopped && parsed.ok ? ro : was.readonly;
  if (!deepEqual(now.opts, want)) return `the refused mount "${op.options ?? ''}" left ${on.fs} with ${fmtOpts(now.opts)}, not the options it applies (${fmtOpts(want)}; before: ${fmtOpts(was.opts)})`;
  if (now.readonly !== wantReadonly) return `the refused mount "${op.options ?? ''}" left ${on.fs} ${now.readonly ? 'read-only' : 'read-write'}`;
  if (!deepEqual({ ...now, opts: was.opts, readonly: was.readonly }, was)) return `the refused mount "${op.options ?? ''}" changed more of ${on.fs} than its options`;
  if (before.mounts !== after.mounts && !deepEqual(before.mounts, after.mounts)) return `the refused mount "${op.options ?? ''}" changed the mounts`;
  return null;
};

export const TRANSITIONS = { D1, D2, D3, D4, D6, D7, U6, K1, K2, K3, K4, K5, K6, K7, K8, K9, K10, K11 } as const;
