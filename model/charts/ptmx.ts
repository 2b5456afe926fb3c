// The mode of an instance's ptmx node (/dev/pts/ptmx), as a chart: mknod_ptmx creates it
// with the instance's ptmxmode option; chmod (and chown, which may drop setuid/setgid
// bits) set it by hand; a remount resets it to the resulting ptmxmode (update_ptmx_mode,
// 2.6.39/3.4 even when the options fail to parse; 6.x devpts_reconfigure on success); a
// mount that replaces an existing instance's options (CONFIG=y without newinstance,
// K2/K3; K11 when refused) changes the option and leaves the node. So the node either
// follows its options or was set apart from them. [U6, K3, K4; live 6.18 S3]
//
// The context is the node's mode and the instance's ptmxmode option; the model applies
// the named actions (instances.ts remount policies: resetToOption).

import { assign, setup } from 'xstate';
import type { DevptsFs } from '../state.ts';
import { ChartTable, choose, type RawChart } from './chart.ts';

export interface PtmxNodeContext { readonly mode: number; readonly ptmxmode: number }
export type PtmxEvent =
  | { readonly type: 'chmod'; readonly mode: number }
  | { readonly type: 'remount'; readonly ptmxmode: number }
  | { readonly type: 'optionsReplaced'; readonly ptmxmode: number };
export type PtmxState = 'followsOptions' | 'setApart';

export const PTMX_ACTIONS = {
  /** chmod/chown: the node takes the mode given. */
  setMode: (c: PtmxNodeContext, e: PtmxEvent): PtmxNodeContext => ({ ...c, mode: (e as { mode: number }).mode }),
  /** update_ptmx_mode: option and node both become the resulting ptmxmode. */
  resetToOption: (_c: PtmxNodeContext, e: PtmxEvent): PtmxNodeContext => ({ mode: (e as { ptmxmode: number }).ptmxmode, ptmxmode: (e as { ptmxmode: number }).ptmxmode }),
  /** memcpy of the options (devpts_mount without newinstance): the node is not touched (mknod_ptmx returns early). */
  replaceOption: (c: PtmxNodeContext, e: PtmxEvent): PtmxNodeContext => ({ ...c, ptmxmode: (e as { ptmxmode: number }).ptmxmode }),
} as const;
export const PTMX_GUARDS = {
  /** chmod to the very mode the option gives. */
  toTheOption: (c: PtmxNodeContext, e: PtmxEvent) => (e as { mode: number }).mode === c.ptmxmode,
  /** the node's mode happens to be the new option. */
  nodeIsNewOption: (c: PtmxNodeContext, e: PtmxEvent) => c.mode === (e as { ptmxmode: number }).ptmxmode,
} as const;

export const ptmxChart = setup({
  types: { context: {} as PtmxNodeContext, events: {} as PtmxEvent, input: {} as PtmxNodeContext },
  actions: {
    setMode: assign(({ context, event }) => PTMX_ACTIONS.setMode(context, event)),
    resetToOption: assign(({ context, event }) => PTMX_ACTIONS.resetToOption(context, event)),
    replaceOption: assign(({ context, event }) => PTMX_ACTIONS.replaceOption(context, event)),
  },
  guards: {
    toTheOption: ({ context, event }) => PTMX_GUARDS.toTheOption(context, event),
    nodeIsNewOption: ({ context, event }) => PTMX_GUARDS.nodeIsNewOption(context, event),
  },
}).createMachine({
  id: 'ptmxNode',
  context: ({ input }) => input,
  // mknod_ptmx: mode = the instance's ptmxmode (default 0000)
  initial: 'followsOptions',
  on: {
    remount: { target: '.followsOptions', actions: 'resetToOption' },
  },
  states: {
    followsOptions: {
      on: {
        chmod: [{ guard: 'toTheOption', actions: 'setMode' }, { target: 'setApart', actions: 'setMode' }],
        optionsReplaced: [{ guard: 'nodeIsNewOption', actions: 'replaceOption' }, { target: 'setApart', actions: 'replaceOption' }],
      },
    },
    setApart: {
      on: {
        chmod: [{ guard: 'toTheOption', target: 'followsOptions', actions: 'setMode' }, { actions: 'setMode' }],
        optionsReplaced: [{ guard: 'nodeIsNewOption', target: 'followsOptions', actions: 'replaceOption' }, { actions: 'replaceOption' }],
      },
    },
  },
});

export const PTMX_TABLE = new ChartTable(ptmxChart.config as unknown as RawChart);

/** The chart context of an instance's ptmx node (null: the instance has none, 2.6.39-n). */
export const ptmxContextOf = (fs: DevptsFs): PtmxNodeContext | null => (fs.ptmx ? { mode: fs.ptmx.mode, ptmxmode: fs.opts.ptmxmode } : null);
export const ptmxStateOf = (c: PtmxNodeContext): PtmxState => (c.mode === c.ptmxmode ? 'followsOptions' : 'setApart');

const passes = (guard: string, arg: { c: PtmxNodeContext; e: PtmxEvent }) => PTMX_GUARDS[guard as keyof typeof PTMX_GUARDS](arg.c, arg.e);

/** One event by the chart: the transition taken and the context after it (null when not accepted). */
export function ptmxTransition(c: PtmxNodeContext, e: PtmxEvent): { readonly context: PtmxNodeContext; readonly id: string; readonly to: PtmxState } | null {
  const from = ptmxStateOf(c);
  const t = choose(PTMX_TABLE.transitions(from, e.type), passes, { c, e });
  if (t === null) return null;
  let next = c;
  for (const a of t.actions) next = PTMX_ACTIONS[a as keyof typeof PTMX_ACTIONS](next, e);
  return { context: next, id: t.id, to: (t.target ?? from) as PtmxState };
}

/** The ptmx node after a remount that reached update_ptmx_mode (the chart's resetToOption). */
export function ptmxAfterRemount(fs: DevptsFs, ptmxmode: number): DevptsFs['ptmx'] {
  return fs.ptmx ? { ...fs.ptmx, mode: PTMX_ACTIONS.resetToOption(ptmxContextOf(fs)!, { type: 'remount', ptmxmode }).mode } : null;
}
