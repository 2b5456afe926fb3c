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

/** Per state and event, the chart's transitions compiled once (ptys open and close on the hot path). */
const COMPILED: Readonly<Record<string, Readonly<Record<string, (p: Pty) => Applied | null>>>> = Object.fromEntries(
  PTY_TABLE.states.map((state) => [state, Object.fromEntries((['unlockpt', 'openSlave', 'closeSlave', 'closeMaster'] as const).map((event) => {
    const list = PTY_TABLE.transitions(state, event);
    const apply = (p: Pty): Applied | null => {
      const t = choose(list, passes, p);
      if (t === null) return null;
      let next = p;
      for (const a of t.actions) next = PTY_ACTIONS[a as keyof typeof PTY_ACTIONS](next);
      return { pty: t.target === 'freed' ? null : next, to: t.target, id: t.id };
    };
    return [event, apply];
  }))]),
);

/** One event on a pty record by the chart: the new record (null: freed), or null when the chart refuses the event there. */
export function ptyTransition(p: Pty, event: PtyEventType): Applied | null {
  return COMPILED[ptyStateOf(p)]![event]!(p);
}
