// Deliberately broken lifecycles, to show the refinement check can fail: each mutant
// breaks one chart's lifecycle in the model (a wrapped step, or a profile field) and the
// refinement test must find the chart it breaks disagreeing with the model.

import { isOk, PROFILES, stepWith, type KernelState, type Op, type Outcome, type Profile, type ProfileId } from '../../model/index.ts';
import type { ChartName } from '../../model/charts/index.ts';
import type { DevptsFs } from '../../model/state.ts';

export interface ChartMutant {
  readonly name: string;
  readonly base: ProfileId;
  readonly profile: Profile;
  readonly step: (s: KernelState, op: Op) => Outcome;
  /** The chart whose lifecycle it breaks: the refinement check must name it. */
  readonly breaks: ChartName;
}

const withFs = (s: KernelState, fs: DevptsFs): KernelState => ({ ...s, fss: { ...s.fss, [fs.id]: fs } });
const wrapped = (base: ProfileId, name: string, breaks: ChartName, wrap: (s: KernelState, op: Op, real: Outcome) => Outcome): ChartMutant => {
  const profile = PROFILES[base];
  return { name, base, profile, breaks, step: (s, op) => wrap(s, op, stepWith(profile, s, op)) };
};

/** unlockpt answers ok but the pty stays locked. */
const unlockKeepsLock = (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (op.op !== 'unlockpt' || !isOk(real.result)) return real;
  const h = s.handles[op.fd]!;
  if (h.kind !== 'master') return real;
  const fs = real.state.fss[h.fs] as DevptsFs;
  return { ...real, state: withFs(real.state, { ...fs, ptys: { ...fs.ptys, [h.index]: { ...fs.ptys[h.index]!, locked: true } } }) };
};

/** Closing the master frees the index although a slave is still open. */
const freeOnMasterClose = (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (op.op !== 'close' || !isOk(real.result)) return real;
  const h = s.handles[op.fd]!;
  if (h.kind !== 'master') return real;
  const fs = real.state.fss[h.fs] as DevptsFs | undefined;
  if (!fs?.ptys[h.index]) return real;
  const ptys = { ...fs.ptys };
  delete ptys[h.index];
  return { ...real, state: withFs(real.state, { ...fs, ptys }) };
};

/** An instance dropped by the step (nothing pins it any more) is kept: it outlives its last pin. */
const instanceOutlivesPins = (s: KernelState, _op: Op, real: Outcome): Outcome => {
  let state = real.state;
  for (const id in s.fss) if (s.fss[id]!.kind === 'devpts' && !state.fss[id]) state = { ...state, fss: { ...state.fss, [id]: s.fss[id]! } };
  return state === real.state ? real : { ...real, state };
};

/** A remount changes the options but leaves the ptmx node's mode (6.x). */
const remountKeepsNode = (s: KernelState, op: Op, real: Outcome): Outcome => {
  if (op.op !== 'remount') return real;
  let state = real.state;
  for (const id in s.fss) {
    const was = s.fss[id]!, now = state.fss[id];
    if (was.kind === 'devpts' && now && now.kind === 'devpts' && was.ptmx && now.ptmx && was.ptmx.mode !== now.ptmx.mode) state = withFs(state, { ...now, ptmx: was.ptmx });
  }
  return state === real.state ? real : { ...real, state };
};

/** A successful newinstance mount leaves the kernel in single-instance mode. */
const staysSingleInstance = (_s: KernelState, _op: Op, real: Outcome): Outcome =>
  real.state.multiInstance ? { ...real, state: { ...real.state, multiInstance: false } } : real;

export const CHART_MUTANTS: readonly ChartMutant[] = [
  wrapped('6.x', 'unlockpt leaves the pty locked', 'pty', unlockKeepsLock),
  wrapped('2.6.39-y', 'closing the master frees an index a slave holds', 'pty', freeOnMasterClose),
  wrapped('6.x', 'an instance outlives its last pin', 'instance', instanceOutlivesPins),
  wrapped('6.x', 'a remount leaves the ptmx node', 'ptmxNode', remountKeepsNode),
  wrapped('3.4-y', 'the kernel never leaves single-instance mode', 'mode', staysSingleInstance),
];
