// The refinement check of the model against its charts, one step at a time: the charts'
// state, read from the model's state after the step, must be what the chart's own
// transition gives from the chart's state before it (as a TLA+ refinement mapping).
//
// Each chart is read from the model by its abstraction (modeOf, ptyStateOf,
// instanceStateOf, ptmxStateOf); the events are read from the op, its result and the
// handles and paths of the state before (never from the chart's own decision). Every
// pty, instance and ptmx node no event speaks about must stay as it was. The
// observations also name the transition taken: transition coverage is counted from them.

import { isErrno, isOk, isToolError, parseModeString, type Op, type StepResult } from '../ops.ts';
import { DEVPTS_PTMX_INO, resolve } from '../paths.ts';
import type { Profile } from '../profiles.ts';
import type { DevptsFs, KernelState, Pty } from '../state.ts';
import { modeOf, modeTransition } from './mode.ts';
import { PTY_TABLE, ptyStateOf, ptyTransition, type PtyEventType } from './pty.ts';
import { INSTANCE_TABLE, instanceRefs, instanceStateOf, instanceTransition, type InstanceEvent, type InstanceState } from './instance.ts';
import { ptmxContextOf, ptmxStateOf, ptmxTransition, type PtmxEvent, type PtmxNodeContext } from './ptmx.ts';

export type ChartName = 'mode' | 'pty' | 'instance' | 'ptmxNode';

export interface ChartObservation {
  readonly chart: ChartName;
  /** What the chart follows: "kernel", "devpts#1/0" (a pty), "devpts#1" (an instance or its ptmx node). */
  readonly subject: string;
  /** Transition ids the chart took, in order ("init" for a chart that starts here). */
  readonly taken: readonly string[];
  readonly predicted: string;
  readonly actual: string;
  /** Empty when the model agrees with the chart; else what differs. */
  readonly disagreement: string | null;
}

/** What of a pty record its lifecycle speaks about (not the node's owner and mode: chmod/chown set those). */
const lifecycle = (p: Pty) => ({ masterOpen: p.masterOpen, slaveOpens: p.slaveOpens, locked: p.locked, named: p.node !== null });
const sameLifecycle = (a: Pty, b: Pty): boolean => {
  const x = lifecycle(a), y = lifecycle(b);
  return x.masterOpen === y.masterOpen && x.slaveOpens === y.slaveOpens && x.locked === y.locked && x.named === y.named;
};

// ---- the mode chart ---------------------------------------------------------------------

function observeMode(profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState): ChartObservation {
  const t = modeTransition(profile, before, op, { state: after, result });
  const actual = modeOf(profile, after);
  return {
    chart: 'mode', subject: 'kernel', taken: [t.id], predicted: t.to, actual,
    disagreement: actual === t.to ? null : `the mode chart goes to ${t.to} (${t.id}) but the model is in ${actual}`,
  };
}

// ---- ptys ----------------------------------------------------------------------------------

type PtyKey = string; // "fs/index"
const ptyKey = (fs: string, index: number): PtyKey => `${fs}/${index}`;
const ptyAt = (s: KernelState, key: PtyKey): Pty | undefined => {
  const [fs, index] = key.split('/') as [string, string];
  const f = s.fss[fs];
  return f && f.kind === 'devpts' ? f.ptys[Number(index)] : undefined;
};

/** The pty events of a step: (pty, event, accepted?) from the op, its result and the handles before it. */
function ptyEvents(before: KernelState, op: Op, result: StepResult, after: KernelState): { key: PtyKey; event: PtyEventType | 'allocate'; refused: boolean }[] {
  const out: { key: PtyKey; event: PtyEventType | 'allocate'; refused: boolean }[] = [];
  const handle = (fd: string) => before.handles[fd];
  switch (op.op) {
    case 'unlockpt': {
      const h = handle(op.fd);
      if (h && h.kind === 'master' && isOk(result)) out.push({ key: ptyKey(h.fs, h.index), event: 'unlockpt', refused: false });
      break;
    }
    case 'close': {
      const h = handle(op.fd);
      if (h && h.kind !== 'file' && isOk(result)) out.push({ key: ptyKey(h.fs, h.index), event: h.kind === 'master' ? 'closeMaster' : 'closeSlave', refused: false });
      break;
    }
    case 'exit':
      if (!isOk(result)) break;
      for (const fd in before.handles) {
        const h = before.handles[fd]!;
        if (h.pid === (op.pid ?? 1) && h.kind !== 'file') out.push({ key: ptyKey(h.fs, h.index), event: h.kind === 'master' ? 'closeMaster' : 'closeSlave', refused: false });
      }
      break;
    case 'peer': {
      const h = handle(op.fd);
      if (!h || h.kind !== 'master') break;
      // TIOCGPTPEER reaches pty_open (ok), or pty_open refuses it (EIO); other errnos never reach the pty
      if (isOk(result) || (isErrno(result) && result.errno === 'EIO')) out.push({ key: ptyKey(h.fs, h.index), event: 'openSlave', refused: !isOk(result) });
      break;
    }
    case 'open': {
      if (isOk(result) && result.fd !== undefined) {
        const h = after.handles[result.fd];
        if (h && h.kind === 'master') out.push({ key: ptyKey(h.fs, h.index), event: 'allocate', refused: false });
        if (h && h.kind === 'slave') out.push({ key: ptyKey(h.fs, h.index), event: 'openSlave', refused: false });
        break;
      }
      // a slave node that resolves, is opened past the permission checks and is refused by pty_open: EIO
      if (!isErrno(result) || result.errno !== 'EIO') break;
      const proc = before.procs[op.pid ?? 1];
      const r = proc ? resolve(before, proc, op.path) : null;
      if (r && r.ok && r.node.devpts && r.node.rdev && r.node.rdev[0] === 136 && r.node.devpts.ptys[r.node.rdev[1]]) {
        out.push({ key: ptyKey(r.node.devpts.id, r.node.rdev[1]), event: 'openSlave', refused: true });
      }
      break;
    }
    default: break;
  }
  return out;
}

function observePtys(before: KernelState, op: Op, result: StepResult, after: KernelState): ChartObservation[] {
  const predicted = new Map<PtyKey, { pty: Pty | null; taken: string[]; problem: string | null }>();
  for (const e of ptyEvents(before, op, result, after)) {
    const cur = predicted.get(e.key) ?? { pty: ptyAt(before, e.key) ?? null, taken: [], problem: null };
    predicted.set(e.key, cur);
    if (cur.problem !== null) continue;
    if (e.event === 'allocate') {
      cur.taken.push('init');
      cur.pty = ptyAt(after, e.key) ?? null; // a new pty's record: the chart starts in its initial state
      if (cur.pty === null || ptyStateOf(cur.pty) !== PTY_TABLE.initial) cur.problem = `a new pty is ${ptyStateOf(cur.pty ?? undefined)}, not ${PTY_TABLE.initial}`;
      continue;
    }
    if (cur.pty === null) { cur.problem = `${e.event} on a pty the chart has freed`; continue; }
    const t = ptyTransition(cur.pty, e.event);
    if (t === null) { if (!e.refused) cur.problem = `the model accepted ${e.event} in ${ptyStateOf(cur.pty)}, which the chart refuses`; continue; }
    if (e.refused) { cur.problem = `the model refused ${e.event} (EIO) in ${ptyStateOf(cur.pty)}, where the chart takes ${t.id}`; continue; }
    cur.taken.push(t.id);
    cur.pty = t.pty;
  }
  const out: ChartObservation[] = [];
  // every pty of before and after: the ones no event touched must be unchanged
  const keys = new Set<PtyKey>(predicted.keys());
  for (const s of [before, after]) for (const id in s.fss) { const fs = s.fss[id]!; if (fs.kind === 'devpts') for (const i in fs.ptys) keys.add(ptyKey(id, Number(i))); }
  for (const key of keys) {
    const p = predicted.get(key) ?? { pty: ptyAt(before, key) ?? null, taken: [], problem: null };
    const now = ptyAt(after, key) ?? null;
    const want = ptyStateOf(p.pty ?? undefined), got = ptyStateOf(now ?? undefined);
    let disagreement = p.problem;
    if (disagreement === null && want !== got) disagreement = `the pty chart says ${want}${p.taken.length ? ` (${p.taken.join(', ')})` : ' (no event)'} but the model's pty is ${got}`;
    if (disagreement === null && p.pty !== null && now !== null && !sameLifecycle(p.pty, now)) disagreement = `the pty chart's record ${JSON.stringify(lifecycle(p.pty))} differs from the model's ${JSON.stringify(lifecycle(now))}`;
    out.push({ chart: 'pty', subject: key, taken: p.taken, predicted: want, actual: got, disagreement });
  }
  return out;
}

// ---- instances --------------------------------------------------------------------------

function observeInstances(before: KernelState, after: KernelState): ChartObservation[] {
  const out: ChartObservation[] = [];
  const ids = new Set<string>();
  for (const s of [before, after]) for (const id in s.fss) if (s.fss[id]!.kind === 'devpts') ids.add(id);
  for (const id of ids) {
    const existed = before.fss[id] !== undefined;
    const rb = instanceRefs(before, id), ra = instanceRefs(after, id);
    let state: InstanceState = existed ? instanceStateOf(before, id) : (INSTANCE_TABLE.initial as InstanceState);
    const taken: string[] = existed ? [] : ['init'];
    let problem: string | null = null;
    const events: InstanceEvent['type'][] = [];
    if (!existed) { if (ra.mounted > 0) events.push('attach'); }
    else if (ra.mounted > rb.mounted) events.push('attach');
    else if (ra.mounted < rb.mounted) events.push('detach');
    else if (rb.mounted === 0 && (ra.ptys < rb.ptys || ra.held < rb.held)) events.push('release');
    for (const type of events) {
      const t = instanceTransition(state, { type, refs: ra });
      if (t === null) { problem = `the instance chart does not accept ${type} in ${state}`; break; }
      taken.push(t.id);
      state = t.to;
    }
    const actual = instanceStateOf(after, id);
    if (problem === null && actual !== state) problem = `the instance chart says ${state}${taken.length ? ` (${taken.join(', ')})` : ' (no event)'} but the model's instance is ${actual}`;
    out.push({ chart: 'instance', subject: id, taken, predicted: state, actual, disagreement: problem });
  }
  return out;
}

// ---- ptmx nodes -------------------------------------------------------------------------

/** Did a remount reach devpts (update_ptmx_mode)? Success, or a failed parse where parsing writes the live options. */
function remountReached(profile: Profile, before: KernelState, op: Extract<Op, { op: 'remount' }>, result: StepResult): DevptsFs | null {
  const proc = before.procs[op.pid ?? 1];
  if (!proc || proc.uid !== 0) return null;
  const r = resolve(before, proc, op.target);
  if (!r.ok) return null;
  const m = before.mounts[r.pos.mount]!;
  const fs = before.fss[m.fs]!;
  if (m.root !== r.pos.ino || fs.kind !== 'devpts') return null;
  if (isOk(result)) return fs;
  return isErrno(result) && result.errno === 'EINVAL' && !profile.atomicRemount ? fs : null;
}

/** The mode chmod asks for, by chmod_common's rule (setgid dropped for a non-root non-member). */
function chmodMode(before: KernelState, op: Extract<Op, { op: 'chmod' }>, gid: number): number {
  const proc = before.procs[op.pid ?? 1]!;
  let mode = (parseModeString(op.mode) ?? 0) & 0o7777;
  if (proc.uid !== 0 && proc.gid !== gid) mode &= ~0o2000;
  return mode;
}

function observePtmxNodes(profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState): ChartObservation[] {
  const out: ChartObservation[] = [];
  const events = new Map<string, PtmxEvent>();
  if (op.op === 'remount') {
    const fs = remountReached(profile, before, op, result);
    const now = fs && after.fss[fs.id];
    if (fs && now && now.kind === 'devpts') events.set(fs.id, { type: 'remount', ptmxmode: now.opts.ptmxmode });
  }
  if ((op.op === 'chmod' || op.op === 'chown') && isOk(result)) {
    const proc = before.procs[op.pid ?? 1]!;
    const r = resolve(before, proc, op.path);
    if (r.ok && r.node.devpts && r.pos.ino === DEVPTS_PTMX_INO) {
      const now = after.fss[r.node.devpts.id];
      // chown may drop setuid/setgid bits: the node's mode after it is what it asked for
      const mode = op.op === 'chmod' ? chmodMode(before, op, r.node.attrs.gid) : now && now.kind === 'devpts' && now.ptmx ? now.ptmx.mode : r.node.attrs.mode;
      events.set(r.node.devpts.id, { type: 'chmod', mode });
    }
  }
  for (const id in after.fss) {
    const now = after.fss[id]!;
    if (now.kind !== 'devpts') continue;
    const ca = ptmxContextOf(now);
    if (ca === null) continue;
    const was = before.fss[id];
    if (!was || was.kind !== 'devpts') {
      // mknod_ptmx: a new instance's node follows its options
      const disagreement = ptmxStateOf(ca) === 'followsOptions' ? null : `a new instance's ptmx node is ${ca.mode.toString(8)}, not its ptmxmode ${ca.ptmxmode.toString(8)}`;
      out.push({ chart: 'ptmxNode', subject: id, taken: ['init'], predicted: 'followsOptions', actual: ptmxStateOf(ca), disagreement });
      continue;
    }
    const cb = ptmxContextOf(was)!;
    // a mount replacing an existing instance's options (devpts_mount's memcpy, K2/K3; K11 refused)
    if (!events.has(id) && was.opts !== now.opts && op.op === 'mount') events.set(id, { type: 'optionsReplaced', ptmxmode: now.opts.ptmxmode });
    const e = events.get(id);
    let predicted: PtmxNodeContext = cb;
    let to = ptmxStateOf(cb);
    const taken: string[] = [];
    let disagreement: string | null = null;
    if (e) {
      const t = ptmxTransition(cb, e);
      if (t === null) disagreement = `the ptmx chart does not accept ${e.type} in ${to}`;
      else { predicted = t.context; to = t.to; taken.push(t.id); }
    }
    if (disagreement === null && (predicted.mode !== ca.mode || predicted.ptmxmode !== ca.ptmxmode)) {
      disagreement = `the ptmx chart gives node ${predicted.mode.toString(8)} / ptmxmode ${predicted.ptmxmode.toString(8)}${e ? ` after ${e.type}` : ' (no event)'}, the model has ${ca.mode.toString(8)} / ${ca.ptmxmode.toString(8)}`;
    }
    out.push({ chart: 'ptmxNode', subject: id, taken, predicted: to, actual: ptmxStateOf(ca), disagreement });
  }
  return out;
}

// ---- all charts -------------------------------------------------------------------------

/** Every chart's view of one step (none for a tool error: not a kernel step). */
export function observeCharts(profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState): ChartObservation[] {
  if (isToolError(result)) return [];
  return [
    observeMode(profile, before, op, result, after),
    ...observePtys(before, op, result, after),
    ...observeInstances(before, after),
    ...(profile.ptmxNode ? observePtmxNodes(profile, before, op, result, after) : []),
  ];
}

/** The first disagreement of a step between the model and its charts, or null. */
export function refinementViolation(profile: Profile, before: KernelState, op: Op, result: StepResult, after: KernelState): string | null {
  for (const o of observeCharts(profile, before, op, result, after)) if (o.disagreement !== null) return `${o.chart} chart, ${o.subject}: ${o.disagreement}`;
  return null;
}

