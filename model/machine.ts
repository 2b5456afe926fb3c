// The xstate machine: the mode chart (charts/mode.ts) run as an actor, with the kernel
// state as its context. Every op is an event named after the op; the machine's state is
// the kernel's mode. The pure `step` dispatches through the table derived from the same
// chart, so an actor and `step` compute the same thing; the actor is what replays,
// traversals (@xstate/graph) and pictures use.

import { createActor, type SnapshotFrom } from 'xstate';
import type { Op, StepResult } from './ops.ts';
import { kernelMode, type Profile } from './profiles.ts';
import type { KernelState } from './state.ts';
import { modeChart, opEvent, type MachineContext } from './charts/mode.ts';

export { opEvent, type OpEvent, type MachineContext, type MachineInput } from './charts/mode.ts';

export const kernelMachine = modeChart;
export type KernelSnapshot = SnapshotFrom<typeof kernelMachine>;

/** Start an actor on a booted kernel state, in the mode that state is in. */
export function startKernelActor(profile: Profile, kernel: KernelState) {
  const context: MachineContext = { profile, kernel, last: null };
  const snapshot = kernelMachine.resolveState({ value: kernelMode(profile, kernel), context });
  const actor = createActor(kernelMachine, { input: { profile, kernel }, snapshot });
  actor.start();
  return actor;
}

/** Run ops through the machine; returns each step's result and the final snapshot. */
export function runThroughMachine(profile: Profile, kernel: KernelState, ops: readonly Op[]): { results: StepResult[]; snapshot: KernelSnapshot } {
  const actor = startKernelActor(profile, kernel);
  const results: StepResult[] = [];
  for (const op of ops) {
    actor.send(opEvent(op));
    results.push(actor.getSnapshot().context.last!);
  }
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { results, snapshot };
}
