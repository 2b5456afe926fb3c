// The life of one pty, as a chart the model applies (model/ptys.ts): ptmx_open allocates
// it locked; TIOCSPTLCK 0 unlocks it; the slave can then be opened (by path or by
// TIOCGPTPEER), as often as one likes; closing the master hangs it up: the slave's name
// /dev/pts/N goes at once (devpts_pty_kill) while the index stays held; the index is
// freed when the last end closes (devpts_kill_index). A slave open the chart does not
// accept (locked, or hung up) is EIO (pty_open). [K6; tty_io.c / pty.c 2.6.39, 6.x;
// live 6.18 S5c]
//
// The chart's context is the model's own pty record: the named actions below are the
// record updates, the same functions for the xstate machine and for the model's table.

import { assign, setup } from 'xstate';
import type { Pty } from '../state.ts';
import { ChartTable, choose, type RawChart } from './chart.ts';

export type PtyEventType = 'unlockpt' | 'openSlave' | 'closeSlave' | 'closeMaster';
export type PtyEvent = { readonly type: PtyEventType };
export type PtyState = 'locked' | 'unlocked' | 'slaveOpen' | 'hungUp' | 'freed';

/** The record updates the chart's transitions name. */
export const PTY_ACTIONS: Readonly<Record<'unlock' | 'countSlaveOpen' | 'countSlaveClose' | 'hangUp', (p: Pty) => Pty>> = {
  unlock: (p) => ({ ...p, locked: false }),                        // TIOCSPTLCK 0 clears TTY_PTY_LOCK
  countSlaveOpen: (p) => ({ ...p, slaveOpens: p.slaveOpens + 1 }), // pty_open
  countSlaveClose: (p) => ({ ...p, slaveOpens: p.slaveOpens - 1 }),
  hangUp: (p) => ({ ...p, masterOpen: false, node: null }),        // pty_close → devpts_pty_kill
};
export const PTY_GUARDS: Readonly<Record<'otherSlavesOpen', (p: Pty) => boolean>> = {
  otherSlavesOpen: (p) => p.slaveOpens > 1,
};

const closeSlave = [
  { guard: 'otherSlavesOpen', actions: 'countSlaveClose' },
] as const;

export const ptyChart = setup({
  types: { context: {} as Pty, events: {} as PtyEvent, input: {} as Pty },
  actions: {
    unlock: assign(({ context }) => PTY_ACTIONS.unlock(context)),
    countSlaveOpen: assign(({ context }) => PTY_ACTIONS.countSlaveOpen(context)),
    countSlaveClose: assign(({ context }) => PTY_ACTIONS.countSlaveClose(context)),
    hangUp: assign(({ context }) => PTY_ACTIONS.hangUp(context)),
  },
  guards: { otherSlavesOpen: ({ context }) => PTY_GUARDS.otherSlavesOpen(context) },
}).createMachine({
  id: 'pty',
  context: ({ input }) => input,
  initial: 'locked',
  states: {
    // ptmx_open: allocated with TTY_PTY_LOCK set; the slave cannot be opened yet (EIO)
    locked: { on: { unlockpt: { target: 'unlocked', actions: 'unlock' }, closeMaster: { target: 'freed', actions: 'hangUp' } } },
    unlocked: {
      on: {
        unlockpt: { actions: 'unlock' },
        openSlave: { target: 'slaveOpen', actions: 'countSlaveOpen' },
        closeMaster: { target: 'freed', actions: 'hangUp' },
      },
    },
    slaveOpen: {
      on: {
        unlockpt: { actions: 'unlock' },
        openSlave: { actions: 'countSlaveOpen' },
        closeSlave: [...closeSlave, { target: 'unlocked', actions: 'countSlaveClose' }],
        // the slave's name goes with the master; the index stays held by the open slave [K6]
        closeMaster: { target: 'hungUp', actions: 'hangUp' },
      },
    },
    // master closed, a slave still open: no /dev/pts/N, no new slave opens (EIO), index held
    hungUp: { on: { closeSlave: [...closeSlave, { target: 'freed', actions: 'countSlaveClose' }] } },
    // devpts_kill_index: the index is free again
    freed: { type: 'final' },
  },
});

export const PTY_TABLE = new ChartTable(ptyChart.config as unknown as RawChart);

/** The chart state of a pty record (absent: freed, or never allocated). */
export function ptyStateOf(p: Pty | undefined): PtyState {
  if (!p) return 'freed';
  if (!p.masterOpen) return 'hungUp';
  if (p.locked) return 'locked';
  return p.slaveOpens > 0 ? 'slaveOpen' : 'unlocked';
}

type Applied = { readonly pty: Pty | null; readonly to: string | null; readonly id: string };
const passes = (guard: string, p: Pty) => PTY_GUARDS[guard as keyof typeof PTY_GUARDS](p);

/** A compiled (state, event): the next record (null: freed), or undefined when the chart refuses the event. */
type Next = (p: Pty) => Pty | null | undefined;

/** Per state and event, the chart's transitions compiled once (ptys open and close on the hot path). */
const COMPILED: Readonly<Record<string, Readonly<Record<string, { next: Next; list: ReturnType<typeof PTY_TABLE.transitions> }>>>> = Object.fromEntries(
  PTY_TABLE.states.map((state) => [state, Object.fromEntries((['unlockpt', 'openSlave', 'closeSlave', 'closeMaster'] as const).map((event) => {
    const list = PTY_TABLE.transitions(state, event);
    const actionsOf = (t: (typeof list)[number]) => t.actions.map((a) => PTY_ACTIONS[a as keyof typeof PTY_ACTIONS]);
    let next: Next;
    if (list.length === 0) next = () => undefined;
    else if (list.length === 1 && list[0]!.guard === null && list[0]!.actions.length === 1) {
      // the common case: one unguarded transition, one action
      const act = actionsOf(list[0]!)[0]!;
      next = list[0]!.target === 'freed' ? () => null : act;
    } else {
      const steps = list.map((t) => ({ guard: t.guard === null ? null : PTY_GUARDS[t.guard as keyof typeof PTY_GUARDS], acts: actionsOf(t), freed: t.target === 'freed' }));
      next = (p) => {
        for (const st of steps) {
          if (st.guard !== null && !st.guard(p)) continue;
          if (st.freed) return null;
          let r = p;
          for (const a of st.acts) r = a(r);
          return r;
        }
        return undefined;
      };
    }
    return [event, { next, list }];
  }))]),
);

/** One event on a pty record by the chart, as the model applies it: the new record, null when freed, undefined when the chart refuses it. */
export function ptyNext(p: Pty, event: PtyEventType): Pty | null | undefined {
  return COMPILED[ptyStateOf(p)]![event]!.next(p);
}

/** One event on a pty record by the chart, with the transition taken (null when the chart refuses the event there). */
export function ptyTransition(p: Pty, event: PtyEventType): Applied | null {
  const t = choose(COMPILED[ptyStateOf(p)]![event]!.list, passes, p);
  if (t === null) return null;
  let next = p;
  for (const a of t.actions) next = PTY_ACTIONS[a as keyof typeof PTY_ACTIONS](next);
  return { pty: t.target === 'freed' ? null : next, to: t.target, id: t.id };
}
