// Paths that cover the charts: for every transition of every chart (model/charts/), the
// shortest op sequence from boot whose last step takes it, found by @xstate/graph on the
// kernel machine itself (getShortestPaths over the mode chart's actor, with the model's
// state as context). Each chart is traversed over a small scope of ops that can reach its
// transitions; a state is serialized by its canonical key and the chart transitions the
// step into it took, so that the shortest path to every taken transition is kept. The
// paths run as op sequences on the model (test/model/chart-paths.test.ts) and on the
// kernels (kernel/chart-paths.ts: live 6.x, QEMU guests for the older profiles).

import { getShortestPaths } from '@xstate/graph';
import {
  kernelMachine, opEvent, PROFILES, type BootConfig, type KernelState, type Op, type OpEvent, type ProfileId, type StepResult,
} from '../model/index.ts';
import { bootTransition, CHARTS, observeCharts, type ChartName } from '../model/charts/index.ts';
import { canonical } from './canon.ts';
import type { OpTemplate, Scope } from './scope.ts';
import { KernelSystem } from './system.ts';

export interface ChartPath {
  readonly chart: ChartName;
  /** The transition the last step takes ("boot.always#2": the boot itself, no op). */
  readonly transition: string;
  readonly profile: ProfileId;
  readonly boot: BootConfig;
  readonly ops: readonly Op[];
}

const devpts = (target: string, options?: string): OpTemplate => (options === undefined ? { op: 'mount', fstype: 'devpts', target } : { op: 'mount', fstype: 'devpts', target, options }) as OpTemplate;

/**
 * Per chart, the ops that reach its transitions (short: the traversal is exhaustive to
 * the depth). The mode chart needs one op of every kind (each is a root transition) and
 * the moves between modes; a pty needs its opens, unlock and closes; an instance needs
 * second mounts, umounts (lazy too) and ptys opened through a ptmx outside its mount
 * (K10); a ptmx node needs chmod, remounts and plain mounts of an existing instance.
 */
export const CHART_SCOPES: Readonly<Record<ChartName, Scope>> = {
  mode: {
    name: 'chart-mode', depth: 3, processes: 2, maxPtys: 1, maxHandles: 2,
    boots: [{}, { devptsOptions: 'newinstance' }],
    ops: [
      { op: 'spawn', pids: [1] }, { op: 'unshare', pids: [1] }, { op: 'setuid', uid: 1000, pids: [2] }, { op: 'exit', pids: [2] },
      devpts('/tmp', 'newinstance'), devpts('/tmp'), { op: 'mount', fstype: 'tmpfs', target: '/tmp' } as OpTemplate,
      { op: 'remount', target: '/dev/pts' }, { op: 'bind', source: '/dev/pts', target: '/tmp' }, { op: 'umount', target: '/dev/pts' },
      { op: 'mkdir', path: '/tmp/a' }, { op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2 }, { op: 'touch', path: '/tmp/x' },
      { op: 'symlink', target: 'pts/ptmx', path: '/tmp/y' }, { op: 'unlink', path: '/dev/ptmx' },
      { op: 'chmod', path: '/dev/pts', mode: '0755' }, { op: 'chown', path: '/dev/pts', uid: 0, gid: 0 },
      { op: 'stat', path: '/dev/ptmx' }, { op: 'readdir', path: '/dev/pts' }, { op: 'open', path: '/dev/ptmx', pids: [1] },
      { op: 'unlockpt' }, { op: 'peer' }, { op: 'close' }, { op: 'sysctl', name: 'kernel.pty.max', value: 4096 },
    ],
  },
  pty: {
    name: 'chart-pty', depth: 6, processes: 1, maxPtys: 1, maxHandles: 3,
    ops: [{ op: 'open', path: '/dev/ptmx' }, { op: 'unlockpt' }, { op: 'open', path: '/dev/pts/0' }, { op: 'close' }],
  },
  instance: {
    name: 'chart-instance', depth: 5, processes: 1, maxPtys: 2, maxHandles: 2,
    boots: [{}, { mountDevpts: false }],
    ops: [
      devpts('/tmp', 'newinstance'), devpts('/dev/pts'), { op: 'bind', source: '/dev/pts', target: '/tmp' },
      { op: 'umount', target: '/tmp' }, { op: 'umount', target: '/tmp', lazy: true }, { op: 'umount', target: '/dev/pts' },
      { op: 'open', path: '/dev/ptmx' }, { op: 'open', path: '/tmp/ptmx' }, { op: 'close' },
    ],
  },
  ptmxNode: {
    name: 'chart-ptmx', depth: 3, processes: 1, maxPtys: 0,
    boots: [{}, { devptsOptions: 'ptmxmode=0666' }],
    ops: [
      { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' }, { op: 'chmod', path: '/dev/pts/ptmx', mode: '0000' },
      { op: 'remount', target: '/dev/pts' }, { op: 'remount', target: '/dev/pts', options: 'ptmxmode=0666' },
      devpts('/tmp'), devpts('/tmp', 'ptmxmode=0666'),
    ],
  },
};

type Snap = { readonly context: { readonly kernel: KernelState; readonly last: StepResult | null } };

/** Shortest paths to every transition of `chart` that `profile` reaches within the chart's scope. */
export function chartPaths(chart: ChartName, profile: ProfileId, scope: Scope = CHART_SCOPES[chart]): ChartPath[] {
  const p = PROFILES[profile];
  const sys = new KernelSystem(p, scope);
  const best = new Map<string, ChartPath>();
  for (const [i, kernel] of sys.initial().entries()) {
    const boot = sys.boots[i]!;
    const depthOf = new WeakMap<object, number>();
    const taken = new WeakMap<object, string[]>();
    /** The chart transitions a step took (the boot transition for the initial snapshot of the mode chart). */
    const tagsOf = (snap: Snap, event: OpEvent | undefined, prev: Snap | undefined): string[] => {
      let t = taken.get(snap);
      if (t) return t;
      // (the traversal starts with xstate's own init event, which is no op: the boot)
      if (!prev || !event || event.op === undefined) t = chart === 'mode' ? [bootTransition(p, snap.context.kernel)] : [];
      else t = observeCharts(p, prev.context.kernel, event.op, snap.context.last!, snap.context.kernel).filter((o) => o.chart === chart).flatMap((o) => o.taken.filter((id) => id !== 'init'));
      taken.set(snap, t);
      return t;
    };
    const paths = getShortestPaths(kernelMachine as never, {
      input: { profile: p, kernel } as never,
      events: ((snap: Snap) => {
        const s = snap.context.kernel;
        const { actions, ctx } = sys.expand(s);
        return actions.filter((op) => sys.apply(s, ctx, op) !== null).map(opEvent);
      }) as never,
      serializeState: ((snap: Snap, event: OpEvent | undefined, prev: Snap | undefined) => {
        if (!depthOf.has(snap)) depthOf.set(snap, prev ? depthOf.get(prev)! + 1 : 0);
        return `${canonical(snap.context.kernel).key}|${tagsOf(snap, event, prev).join(',')}`;
      }) as never,
      serializeEvent: ((e: OpEvent) => JSON.stringify(e.op)) as never,
      stopWhen: ((snap: Snap) => depthOf.get(snap)! >= scope.depth) as never,
    }) as unknown as { state: Snap; steps: { event: OpEvent; state: Snap }[] }[];
    for (const path of paths) {
      // a step is (the state it left, the event): the last one took the path's final transitions
      const last = path.steps[path.steps.length - 1];
      const tags = last === undefined ? tagsOf(path.state, undefined, undefined) : tagsOf(path.state, last.event, last.state);
      const ops = path.steps.filter((st) => st.event.op !== undefined).map((st) => st.event.op);
      for (const id of tags) {
        const known = best.get(id);
        if (!known || known.ops.length > ops.length) best.set(id, { chart, transition: id, profile, boot, ops });
      }
    }
  }
  const order = CHARTS.find((c) => c.name === chart)!.table.all.map((t) => t.id);
  return [...best.values()].sort((a, b) => order.indexOf(a.transition) - order.indexOf(b.transition));
}

/** Every chart's paths on a profile, and the transitions the profile never reaches (in the charts' scopes). */
export function coveringPaths(profile: ProfileId): { paths: ChartPath[]; unreached: { chart: ChartName; transition: string }[] } {
  const paths: ChartPath[] = [];
  const unreached: { chart: ChartName; transition: string }[] = [];
  for (const c of CHARTS) {
    const found = chartPaths(c.name, profile);
    paths.push(...found);
    for (const t of c.table.all) if (!found.some((f) => f.transition === t.id)) unreached.push({ chart: c.name, transition: t.id });
  }
  return { paths, unreached };
}
