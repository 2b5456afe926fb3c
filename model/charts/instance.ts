// The life of a devpts instance (a superblock), as a chart the model applies (mounts.ts
// collect): made by a mount (or kern_mount at boot: the initial instance), it is mounted
// while a mount of it is attached in some namespace; when its last attached mount goes
// (umount, a namespace dying, detach_mounts) it lives on, detached, while something pins
// it: it is the initial kernel instance (kern_mount never lets go, 2.6.39 §1.9), it holds
// ptys (devpts_acquire/tty: s_active), or an open file holds a detached mount of it; the
// last pin gone, it is gone (deactivate_super). A plain mount on CONFIG=y attaches the
// detached initial instance again. [K10; fs/devpts/inode.c, fs/namespace.c 2.6.39, 6.x;
// live 6.18 S5a]

import { assign, setup } from 'xstate';
import type { DevptsFs, FsId, KernelState } from '../state.ts';
import { ChartTable, choose, type RawChart } from './chart.ts';

/** What holds an instance, counted in one state. */
export interface InstanceRefs {
  /** Mounts of it attached in a namespace. */
  readonly mounted: number;
  /** Detached mounts of it that open files keep. */
  readonly held: number;
  readonly ptys: number;
  readonly initial: boolean;
}
export type InstanceEvent = { readonly type: 'attach' | 'detach' | 'release'; readonly refs: InstanceRefs };
export type InstanceState = 'mounted' | 'detached' | 'gone';

export const INSTANCE_GUARDS = {
  stillMounted: (r: InstanceRefs) => r.mounted > 0,
  pinned: (r: InstanceRefs) => r.initial || r.ptys > 0 || r.held > 0,
} as const;

export const instanceChart = setup({
  types: { context: {} as InstanceRefs, events: {} as InstanceEvent, input: {} as InstanceRefs },
  actions: { recount: assign(({ event }) => event.refs) },
  guards: {
    stillMounted: ({ event }) => INSTANCE_GUARDS.stillMounted(event.refs),
    pinned: ({ event }) => INSTANCE_GUARDS.pinned(event.refs),
  },
}).createMachine({
  id: 'instance',
  context: ({ input }) => input,
  // sget / kern_mount: a superblock nobody has mounted yet
  initial: 'detached',
  states: {
    mounted: {
      on: {
        attach: { actions: 'recount' },
        detach: [
          { guard: 'stillMounted', actions: 'recount' },
          { guard: 'pinned', target: 'detached', actions: 'recount' },
          { target: 'gone', actions: 'recount' },
        ],
      },
    },
    detached: {
      on: {
        attach: { target: 'mounted', actions: 'recount' },
        release: [{ guard: 'pinned', actions: 'recount' }, { target: 'gone', actions: 'recount' }],
      },
    },
    gone: { type: 'final' },
  },
});

export const INSTANCE_TABLE = new ChartTable(instanceChart.config as unknown as RawChart);

const passes = (guard: string, r: InstanceRefs) => INSTANCE_GUARDS[guard as keyof typeof INSTANCE_GUARDS](r);

/** The transition an event takes from a chart state (null: not accepted there). */
export function instanceTransition(from: InstanceState, e: InstanceEvent): { readonly id: string; readonly to: InstanceState } | null {
  const t = choose(INSTANCE_TABLE.transitions(from, e.type), passes, e.refs);
  return t === null ? null : { id: t.id, to: (t.target ?? from) as InstanceState };
}

/** Does an instance that no attached or held mount shows any more live on (the chart: detach → detached, not gone)? */
export function outlivesItsMounts(fs: DevptsFs): boolean {
  let ptys = 0;
  for (const _ in fs.ptys) { ptys = 1; break; }
  return instanceTransition('mounted', { type: 'detach', refs: { mounted: 0, held: 0, ptys, initial: fs.initial } })!.to !== 'gone';
}

/** The references to an instance in a state. */
export function instanceRefs(state: KernelState, id: FsId): InstanceRefs {
  let mounted = 0, held = 0, ptys = 0;
  for (const m in state.mounts) {
    const mount = state.mounts[m]!;
    if (mount.fs !== id) continue;
    if (mount.ns === null) held++; else mounted++;
  }
  const fs = state.fss[id];
  if (fs && fs.kind === 'devpts') for (const _ in fs.ptys) ptys++;
  return { mounted, held, ptys, initial: fs !== undefined && fs.kind === 'devpts' && fs.initial };
}

/** The chart state of an instance, read from the model: gone when the model dropped it. */
export function instanceStateOf(state: KernelState, id: FsId): InstanceState {
  if (!state.fss[id]) return 'gone';
  for (const m in state.mounts) { const mount = state.mounts[m]!; if (mount.fs === id && mount.ns !== null) return 'mounted'; }
  return 'detached';
}
