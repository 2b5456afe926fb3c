// The mode chart of the xstate machine, read from kernelMachine's state nodes (never
// drawn by hand): its states, its eventless (guarded) transitions and its self-loops,
// plus which profiles boot into which mode (PROFILES[].bootMode).

import { kernelMachine, PROFILES, PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import type { ModeChart } from '../data.ts';

interface TransitionLike {
  readonly target?: readonly { readonly key: string }[] | undefined;
  readonly guard?: unknown;
  readonly eventType: string;
  readonly actions: readonly unknown[];
}
interface NodeLike {
  readonly key: string;
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly always?: readonly TransitionLike[] | undefined;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  readonly initial?: { readonly target: readonly { readonly key: string }[] } | undefined;
}

const guardName = (g: unknown): string | null => {
  if (g === undefined || g === null) return null;
  if (typeof g === 'string') return g;
  if (typeof g === 'object' && 'type' in g && typeof (g as { type: unknown }).type === 'string') return (g as { type: string }).type;
  if (typeof g === 'function') return g.name || 'guard';
  return 'guard';
};
const actionName = (a: unknown): string =>
  typeof a === 'string' ? a : typeof a === 'object' && a !== null && 'type' in a ? String((a as { type: unknown }).type) : 'action';

/** Derive the chart from a machine (defaults to the model's kernelMachine). */
export function modeChart(machine: { readonly id: string; readonly root: unknown } = kernelMachine): ModeChart {
  const root = machine.root as NodeLike;
  const initial = root.initial?.target[0]?.key ?? Object.keys(root.states)[0]!;
  const bootsInto = (mode: string): ProfileId[] => PROFILE_IDS.filter((p) => PROFILES[p].bootMode === mode);
  const states: ModeChart['states'][number][] = [];
  const transitions: ModeChart['transitions'][number][] = [];
  for (const [id, node] of Object.entries(root.states)) {
    const selfLoops: string[] = [];
    for (const t of node.always ?? []) {
      const to = t.target?.[0]?.key;
      if (to === undefined) continue;
      const guard = guardName(t.guard);
      transitions.push({ from: id, to, event: 'always', guard, label: guard ? `[${guard}]` : 'otherwise' });
    }
    for (const [event, ts] of node.transitions) {
      for (const t of ts) {
        const to = t.target?.[0]?.key;
        const acts = t.actions.map(actionName);
        const ev = event === '*' ? 'any op' : event;
        if (to === undefined || to === id) selfLoops.push(`${ev} / ${acts.join(', ') || '—'}`);
        else {
          const guard = guardName(t.guard);
          transitions.push({ from: id, to, event, guard, label: `${ev}${guard ? ` [${guard}]` : ''}` });
        }
      }
    }
    states.push({ id, profiles: bootsInto(id), selfLoops });
  }
  return { id: machine.id, initial, states, transitions };
}
