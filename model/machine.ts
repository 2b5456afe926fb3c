// The xstate machine: the kernel's modes as the document names them, wrapping the same
// pure `step`. Context is the kernel state; every op is an event named after the op.
//   legacy              2.6.39-n (CONFIG_DEVPTS_MULTIPLE_INSTANCES=n)
//   singleInstance  →  multiInstance   2.6.39-y, 3.4-y: on the first successful newinstance mount
//   perMountInstances   6.x (4.7+: every mount is a new instance)

import { assign, createActor, setup, type SnapshotFrom } from 'xstate';
import type { Op, OpName, StepResult } from './ops.ts';
import { kernelMode, type Profile } from './profiles.ts';
import { stepWith } from './step.ts';
import type { KernelState } from './state.ts';

export type OpEvent = { type: OpName; op: Op };
export interface MachineContext { readonly profile: Profile; readonly kernel: KernelState; readonly last: StepResult | null }
export interface MachineInput { readonly profile: Profile; readonly kernel: KernelState }

export const opEvent = (op: Op): OpEvent => ({ type: op.op, op });

export const kernelMachine = setup({
  types: {
    context: {} as MachineContext,
    events: {} as OpEvent,
    input: {} as MachineInput,
  },
  actions: {
    applyStep: assign(({ context, event }) => {
      const out = stepWith(context.profile, context.kernel, event.op);
      return { kernel: out.state, last: out.result };
    }),
  },
  guards: {
    inLegacy: ({ context }) => kernelMode(context.profile, context.kernel) === 'legacy',
    inSingleInstance: ({ context }) => kernelMode(context.profile, context.kernel) === 'singleInstance',
    inMultiInstance: ({ context }) => kernelMode(context.profile, context.kernel) === 'multiInstance',
  },
}).createMachine({
  id: 'devpts',
  context: ({ input }) => ({ profile: input.profile, kernel: input.kernel, last: null }),
  initial: 'boot',
  states: {
    boot: {
      always: [
        { guard: 'inLegacy', target: 'legacy' },
        { guard: 'inSingleInstance', target: 'singleInstance' },
        { guard: 'inMultiInstance', target: 'multiInstance' },
        { target: 'perMountInstances' },
      ],
    },
    legacy: { on: { '*': { actions: 'applyStep' } } },
    singleInstance: {
      on: { '*': { actions: 'applyStep' } },
      always: { guard: 'inMultiInstance', target: 'multiInstance' },
    },
    multiInstance: { on: { '*': { actions: 'applyStep' } } },
    perMountInstances: { on: { '*': { actions: 'applyStep' } } },
  },
});

export type KernelSnapshot = SnapshotFrom<typeof kernelMachine>;

/** Start an actor on a booted kernel state. */
export function startKernelActor(profile: Profile, kernel: KernelState) {
  const actor = createActor(kernelMachine, { input: { profile, kernel } });
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
