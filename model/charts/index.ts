// The model's charts: the mode chart (the spine: step dispatches through it) and the
// lifecycles the model applies (a pty, a devpts instance, the ptmx node's mode). Each is
// an xstate machine; its transitions are read once from its definition (ChartTable).

import type { AnyStateMachine } from 'xstate';
import type { ChartTable, TransitionSpec } from './chart.ts';
import { modeChart, MODE_TABLE } from './mode.ts';
import { ptyChart, PTY_TABLE } from './pty.ts';
import { instanceChart, INSTANCE_TABLE } from './instance.ts';
import { ptmxChart, PTMX_TABLE } from './ptmx.ts';
import type { ChartName } from './observe.ts';
import type { Profile } from '../profiles.ts';
import type { KernelState } from '../state.ts';

export interface Chart {
  readonly name: ChartName;
  /** One line: what the chart follows. */
  readonly about: string;
  readonly machine: AnyStateMachine;
  readonly table: ChartTable;
}

export const CHARTS: readonly Chart[] = [
  { name: 'mode', about: 'the kernel\'s mode as the document names it (one per kernel)', machine: modeChart, table: MODE_TABLE },
  { name: 'pty', about: 'one pty, from ptmx_open to devpts_kill_index', machine: ptyChart, table: PTY_TABLE },
  { name: 'instance', about: 'one devpts instance (superblock), from its mount to its end', machine: instanceChart, table: INSTANCE_TABLE },
  { name: 'ptmxNode', about: 'the mode of an instance\'s ptmx node against its ptmxmode option', machine: ptmxChart, table: PTMX_TABLE },
];

export const chartNamed = (name: ChartName): Chart => CHARTS.find((c) => c.name === name)!;

/** Every transition a chart declares (the denominator of its transition coverage). */
export const transitionsOf = (name: ChartName): readonly TransitionSpec[] => chartNamed(name).table.all;

/** The boot transition of the mode chart a booted kernel took (boot.always#i). */
export function bootTransition(profile: Profile, booted: KernelState): string {
  const to = profile.bootMode === 'singleInstance' && booted.multiInstance ? 'multiInstance' : profile.bootMode;
  return MODE_TABLE.transitions('boot', 'always').find((t) => t.target === to)!.id;
}

export { observeCharts, refinementViolation, type ChartName, type ChartObservation } from './observe.ts';
export { modeChart, MODE_TABLE, MODE_DISPATCH, modeOf, modeTransition } from './mode.ts';
export { ptyChart, PTY_TABLE, ptyStateOf, ptyTransition } from './pty.ts';
export { instanceChart, INSTANCE_TABLE, instanceStateOf, instanceTransition, instanceRefs } from './instance.ts';
export { ptmxChart, PTMX_TABLE, ptmxStateOf, ptmxTransition, ptmxContextOf } from './ptmx.ts';
export type { TransitionSpec } from './chart.ts';
