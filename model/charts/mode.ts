// The kernel's modes as the document names them, as a chart: the spine of the model.
//
//   legacy             2.6.39-n (CONFIG_DEVPTS_MULTIPLE_INSTANCES=n): one instance; a
//                      devpts mount is an implicit remount of it
//   singleInstance  →  multiInstance   2.6.39-y, 3.4-y: every plain mount binds the initial
//                      instance, until the first successful newinstance mount
//   perMountInstances  4.7+ (6.x): every mount is a new instance
//
// Every op is an event. The root accepts each op in every mode with its handler
// (handlers.ts: the same pure code in every mode; the profile record holds each kernel's
// policies); a mode declares what is its own: singleInstance moves to multiInstance on a
// successful newinstance mount (a guarded transition on the step's outcome; entering
// multiInstance records the mode in the kernel state); only perMountInstances knows
// TIOCGPTPEER (4.13+; the older modes answer EINVAL: an unknown ioctl).
//
// `MODE_DISPATCH` is derived once from this definition: per mode and op, the handler and
// the guarded transitions, compiled; model/step.ts takes its dispatch from it, and the
// xstate machine (model/machine.ts) runs the same definition with the same implementations.

import { assign, setup } from 'xstate';
import { isOk, OP_NAMES, type Op, type OpName, type StepResult } from '../ops.ts';
import { fail, type Ctx, type Outcome } from '../outcome.ts';
import { HANDLERS, toolProblem } from '../handlers.ts';
import { kernelMode, type KernelMode, type Profile } from '../profiles.ts';
import type { KernelState } from '../state.ts';
import { ChartTable, type RawChart, type TransitionSpec } from './chart.ts';

export type OpEvent = { type: OpName; op: Op };
export interface MachineContext { readonly profile: Profile; readonly kernel: KernelState; readonly last: StepResult | null }
export interface MachineInput { readonly profile: Profile; readonly kernel: KernelState }

export const opEvent = (op: Op): OpEvent => ({ type: op.op, op });

// ---- the named actions and guards (one implementation each) ------------------------------

/** Actions that run an op: every handler of handlers.ts, and the refusal of an ioctl a kernel does not have. */
const RUNS: Readonly<Record<string, (ctx: Ctx, op: Op) => Outcome>> = {
  ...(HANDLERS as unknown as Record<string, (ctx: Ctx, op: Op) => Outcome>),
  // no TIOCGPTPEER before 4.13: tty_ioctl answers an unknown ioctl with EINVAL
  // tty_ioctl: an ioctl no layer knows (ENOIOCTLCMD) is EINVAL up to 3.x, ENOTTY in 4.4 (drivers/tty/tty_io.c; QEMU 3.4.113 / 4.4.178)
  unknownIoctl: (ctx) => fail(ctx.state, ctx.profile.unknownIoctl),
};

/** Entry actions: what entering a mode records in the kernel state. */
const ENTRIES: Readonly<Record<string, (s: KernelState) => KernelState>> = {
  // profiles.md 2.6.39-y: "multi-instance mode" from the first successful newinstance mount on
  recordMultiInstance: (s) => (s.multiInstance ? s : { ...s, multiInstance: true }),
};

interface GuardArgs { readonly profile: Profile; readonly before: KernelState; readonly op: Op; readonly outcome: Outcome | null }
interface Guard { readonly onOutcome: boolean; readonly test: (a: GuardArgs) => boolean }

const GUARDS = {
  legacyKernel: { onOutcome: false, test: (a: GuardArgs) => a.profile.bootMode === 'legacy' },
  perMountKernel: { onOutcome: false, test: (a) => a.profile.bootMode === 'perMountInstances' },
  /** init's own mount at boot was a newinstance mount (the booted world is already multi-instance). */
  bootedMultiInstance: { onOutcome: false, test: (a) => a.before.multiInstance },
  /** The mount succeeded and made a new devpts instance: "-o newinstance" honoured (devpts_mount, CONFIG=y). */
  newinstanceMounted: {
    onOutcome: true,
    test: (a) => a.op.op === 'mount' && a.op.fstype === 'devpts' && isOk(a.outcome!.result) && a.outcome!.state.next.fs > a.before.next.fs,
  },
} satisfies Record<string, Guard>;
const guardNamed = (name: string): Guard | undefined => (GUARDS as Record<string, Guard>)[name];

// ---- the chart ----------------------------------------------------------------------------

/** Ops every mode decides for itself (each mode state declares them; the root does not). */
const PER_MODE: readonly OpName[] = ['peer'];
/** Every other op, accepted in every mode with its own handler (a new op joins here through HANDLERS). */
const EVERY_OP = Object.fromEntries(OP_NAMES.filter((name) => !PER_MODE.includes(name)).map((name) => [name, { actions: name }]));

/** Memo of one outcome: an outcome guard and the action that follows evaluate the same step once. */
let memo: { profile: Profile; kernel: KernelState; event: OpEvent; action: string; outcome: Outcome } | null = null;
function outcomeOf(action: string, context: MachineContext, event: OpEvent): Outcome {
  if (memo && memo.profile === context.profile && memo.kernel === context.kernel && memo.event === event && memo.action === action) return memo.outcome;
  // a step that is not well-formed is a tool error in every mode, before any handler (as in step.ts)
  const problem = toolProblem(context.kernel, event.op);
  const outcome = problem !== null ? { state: context.kernel, result: problem }
    : RUNS[action]!({ profile: context.profile, state: context.kernel, proc: context.kernel.procs[event.op.pid ?? 1]! }, event.op);
  memo = { profile: context.profile, kernel: context.kernel, event, action, outcome };
  return outcome;
}

const runAction = (name: string) => assign<MachineContext, OpEvent, undefined, OpEvent, never>(({ context, event }) => {
  const out = outcomeOf(name, context, event);
  return { kernel: out.state, last: out.result };
});
const guardOf = (g: Guard) => ({ context, event }: { context: MachineContext; event: OpEvent }) =>
  g.test({ profile: context.profile, before: context.kernel, op: event.op, outcome: g.onOutcome ? outcomeOf(event.type, context, event) : null });

export const modeChart = setup({
  types: { context: {} as MachineContext, events: {} as OpEvent, input: {} as MachineInput },
  actions: {
    ...(Object.fromEntries(Object.keys(RUNS).map((name) => [name, runAction(name)])) as Record<OpName | 'unknownIoctl', ReturnType<typeof runAction>>),
    recordMultiInstance: assign<MachineContext, OpEvent, undefined, OpEvent, never>(({ context }) => ({ kernel: ENTRIES.recordMultiInstance!(context.kernel) })),
  },
  guards: Object.fromEntries(Object.entries(GUARDS).map(([name, g]) => [name, guardOf(g)])) as Record<keyof typeof GUARDS, ReturnType<typeof guardOf>>,
}).createMachine({
  id: 'devpts',
  context: ({ input }) => ({ profile: input.profile, kernel: input.kernel, last: null }),
  initial: 'boot',
  on: EVERY_OP as never,
  states: {
    // the kernel's configuration decides the mode it boots into
    boot: {
      always: [
        { guard: 'legacyKernel', target: 'legacy' },
        { guard: 'perMountKernel', target: 'perMountInstances' },
        { guard: 'bootedMultiInstance', target: 'multiInstance' },
        { target: 'singleInstance' },
      ],
    },
    legacy: {
      on: { peer: { actions: 'unknownIoctl' } },
    },
    singleInstance: {
      on: {
        // devpts.txt: "the mount is considered to be in the multi-instance mode" [D6]
        mount: [{ guard: 'newinstanceMounted', target: 'multiInstance', actions: 'mount' }, { actions: 'mount' }],
        peer: { actions: 'unknownIoctl' },
      },
    },
    multiInstance: {
      entry: 'recordMultiInstance',
      on: { peer: { actions: 'unknownIoctl' } },
    },
    perMountInstances: {
      // TIOCGPTPEER came with 4.13; every per-mount kernel modelled has it (Profile.peer; a
      // 4.7-4.12 profile would need a guard here) [K9]
      on: { peer: { actions: 'peer' } },
    },
  },
});

/** The chart's transitions, read from its definition. */
export const MODE_TABLE = new ChartTable(modeChart.config as unknown as RawChart);
export const MODES: readonly KernelMode[] = ['legacy', 'singleInstance', 'multiInstance', 'perMountInstances'];
const ENTRY_OF: Readonly<Record<string, string | undefined>> = { multiInstance: 'recordMultiInstance' };

// ---- the dispatch table, derived once ------------------------------------------------------

export type StepFn = (ctx: Ctx, op: Op) => Outcome;

/** One (mode, op) entry: its handler alone when the chart has nothing else to say, else its guarded transitions. */
function compile(mode: KernelMode, list: readonly TransitionSpec[]): StepFn {
  for (const t of list) {
    if (t.actions.length !== 1 || !RUNS[t.actions[0]!]) throw new Error(`mode chart: ${t.id} must run exactly one op handler (${t.actions.join(', ')})`);
    if (t.guard !== null && !guardNamed(t.guard)) throw new Error(`mode chart: ${t.id} has an unknown guard ${t.guard}`);
  }
  if (list.length === 0 || list[list.length - 1]!.guard !== null) throw new Error(`mode chart: ${mode} must end every event with an unguarded transition`);
  const only = list[0]!;
  if (list.length === 1 && (only.target === null || only.target === mode)) return RUNS[only.actions[0]!]!;
  const steps = list.map((t) => {
    const run = RUNS[t.actions[0]!]!;
    const entry = t.target !== null && t.target !== mode && ENTRY_OF[t.target] ? ENTRIES[ENTRY_OF[t.target]!]! : null;
    return { guard: t.guard === null ? null : guardNamed(t.guard)!, run, action: t.actions[0]!, entry };
  });
  return (ctx, op) => {
    let outcome: Outcome | null = null;
    let ran: string | null = null;
    for (const s of steps) {
      if (s.guard !== null) {
        if (s.guard.onOutcome && ran !== s.action) { outcome = s.run(ctx, op); ran = s.action; }
        if (!s.guard.test({ profile: ctx.profile, before: ctx.state, op, outcome: s.guard.onOutcome ? outcome : null })) continue;
      }
      if (ran !== s.action) { outcome = s.run(ctx, op); ran = s.action; }
      return s.entry === null ? outcome! : { state: s.entry(outcome!.state), result: outcome!.result };
    }
    throw new Error('mode chart: no transition taken'); // cannot happen: the last one has no guard
  };
}

/** Per mode, per op: the compiled entry. model/step.ts dispatches through this. */
export const MODE_DISPATCH: Readonly<Record<KernelMode, Readonly<Record<OpName, StepFn>>>> = Object.fromEntries(
  MODES.map((mode) => [mode, Object.fromEntries(OP_NAMES.map((op) => [op, compile(mode, MODE_TABLE.transitions(mode, op))]))]),
) as Record<KernelMode, Record<OpName, StepFn>>;

/** The mode chart's state of a kernel state (its abstraction). */
export const modeOf = kernelMode;

/** The transition of the mode chart a step took (for coverage and the refinement check). */
export function modeTransition(profile: Profile, before: KernelState, op: Op, outcome: Outcome): { readonly id: string; readonly to: KernelMode } {
  const mode = kernelMode(profile, before);
  for (const t of MODE_TABLE.transitions(mode, op.op)) {
    if (t.guard !== null && !guardNamed(t.guard)!.test({ profile, before, op, outcome })) continue;
    return { id: t.id, to: (t.target ?? mode) as KernelMode };
  }
  throw new Error(`mode chart: ${mode} takes no transition on ${op.op}`);
}
