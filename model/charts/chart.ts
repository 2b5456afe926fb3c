// What every chart of the model shares: its transitions read once from the xstate
// definition (the machine's own config object), so that the pure code that applies a
// chart on the hot path and the xstate machine that draws, traverses and replays it are
// one definition. A transition is named by where it is declared, its event and its place
// in that event's list: "singleInstance.mount#0", "devpts.stat#0" (a root transition,
// taken in every state that does not override the event), "boot.always#1".

/** One transition as the chart declares it (guards and actions by name). */
export interface TransitionSpec {
  /** "state.event#i" (see above): the unit of transition coverage. */
  readonly id: string;
  /** The state node that declares it (the machine's id for a root transition). */
  readonly from: string;
  readonly event: string;
  readonly guard: string | null;
  /** Target state; null: stays where it is (a self-loop or a root transition). */
  readonly target: string | null;
  readonly actions: readonly string[];
}

interface RawTransition { target?: string | readonly string[]; guard?: string | { type: string }; actions?: string | readonly (string | { type: string })[] }
type RawTransitions = string | RawTransition | readonly (string | RawTransition)[];
interface RawState { on?: Record<string, RawTransitions>; always?: RawTransitions; states?: Record<string, RawState>; type?: string }
export interface RawChart { id: string; initial?: string; on?: Record<string, RawTransitions>; states: Record<string, RawState> }

const nameOf = (x: string | { type: string } | undefined): string | null => (x === undefined ? null : typeof x === 'string' ? x : x.type);
const targetOf = (t: string | readonly string[] | undefined): string | null => {
  const one = Array.isArray(t) ? t[0] : t;
  return one === undefined ? null : (one as string).replace(/^\./, '');
};

function specs(from: string, event: string, raw: RawTransitions): TransitionSpec[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((r, i) => {
    const t: RawTransition = typeof r === 'string' ? { target: r } : r as RawTransition;
    const actions = t.actions === undefined ? [] : (Array.isArray(t.actions) ? t.actions : [t.actions]).map((a) => nameOf(a as string | { type: string })!);
    return { id: `${from}.${event}#${i}`, from, event, guard: nameOf(t.guard), target: targetOf(t.target), actions };
  });
}

/** The chart's transitions, read from its config: per state, per event, in order (own first, else the root's). */
export class ChartTable {
  readonly id: string;
  readonly states: readonly string[];
  readonly initial: string;
  /** Every transition the chart declares, in declaration order. */
  readonly all: readonly TransitionSpec[];
  private readonly byState = new Map<string, Map<string, readonly TransitionSpec[]>>();
  private readonly root = new Map<string, readonly TransitionSpec[]>();

  constructor(config: RawChart) {
    this.id = config.id;
    this.states = Object.keys(config.states);
    this.initial = config.initial ?? this.states[0]!;
    const all: TransitionSpec[] = [];
    for (const [event, raw] of Object.entries(config.on ?? {})) {
      const s = specs(config.id, event, raw);
      this.root.set(event, s);
      all.push(...s);
    }
    for (const [state, node] of Object.entries(config.states)) {
      const own = new Map<string, readonly TransitionSpec[]>();
      if (node.always !== undefined) { const s = specs(state, 'always', node.always); own.set('always', s); all.push(...s); }
      for (const [event, raw] of Object.entries(node.on ?? {})) {
        const s = specs(state, event, raw);
        own.set(event, s);
        all.push(...s);
      }
      this.byState.set(state, own);
    }
    this.all = all;
  }

  /** The transitions `event` may take in `state` (the state's own, else the root's); [] when not accepted. */
  transitions(state: string, event: string): readonly TransitionSpec[] {
    return this.byState.get(state)?.get(event) ?? this.root.get(event) ?? [];
  }

  /** The events a state accepts (own and inherited). */
  events(state: string): string[] {
    const own = [...(this.byState.get(state)?.keys() ?? [])].filter((e) => e !== 'always');
    return [...new Set([...own, ...this.root.keys()])];
  }

  /** Is `state` final (nothing leaves it)? */
  isFinal(state: string): boolean {
    return this.events(state).length === 0 && this.transitions(state, 'always').length === 0;
  }
}

/**
 * The first transition of `list` whose guard passes (a guard-less one always does), or
 * null: xstate's own rule for choosing among an event's transitions.
 */
export function choose<A>(list: readonly TransitionSpec[], passes: (guard: string, arg: A) => boolean, arg: A): TransitionSpec | null {
  for (const t of list) if (t.guard === null || passes(t.guard, arg)) return t;
  return null;
}
