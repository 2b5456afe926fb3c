// Breadth-first search over a finite transition system, TLC-style: a visited set of
// canonical state keys (64-bit fingerprints by default), parent pointers as two int
// columns (parent state number, action number), and one BFS level of concrete states
// in memory at a time. Every transition is checked (invariants and clauses) when it is
// generated; the first violation of a check is on a shortest path, because levels are
// expanded in order and a violation on a transition out of level L is a trace of L+1
// steps. The path is rebuilt by replaying action numbers from the initial state (actions
// are enumerated in a canonical order, see actions.ts).

import v8 from 'node:v8';
import type { Op, StepResult } from '../model/index.ts';
import { ExactSet, FingerprintSet, IntColumn, type VisitedSet } from './fpset.ts';

/** A transition system the engine can search. */
export interface System<S, X = unknown> {
  /** The initial states (one per boot configuration of the scope), all at depth 0. */
  initial(): S[];
  key(s: S): string;
  /** Optional: the 64-bit fingerprint of the key, computed without the key (fingerprint mode only). */
  fingerprint?(s: S, out: Uint32Array): void;
  /** The state's actions in canonical order, and whatever `apply` needs about the state. */
  expand(s: S): { actions: readonly Op[]; ctx: X };
  /** One action: the next state and the result, or null when the transition leaves the scope. */
  apply(s: S, ctx: X, op: Op): { state: S; result: StepResult } | null;
  /** True when `next` is `s` itself (a failed step or an observation): no new state, no key. */
  unchanged(s: S, next: S): boolean;
}

/** A check on one transition: a message when it is violated, else null. */
export interface SearchCheck<S> {
  readonly id: string;
  check(before: S, op: Op, result: StepResult, after: S): string | null;
  /**
   * The verdict depends on `after` alone (a state invariant): checked once per distinct
   * state, on the transition that discovers it, instead of on every transition into it.
   */
  readonly stateOnly?: boolean;
}

export interface Progress {
  distinct: number;
  transitions: number;
  queue: number;
  depth: number;
  elapsedMs: number;
  statesPerSecond: number;
  heapBytes: number;
}

export interface FoundViolation {
  check: string;
  message: string;
  /** Number of the state the violating transition leaves, and the action number. */
  from: number;
  action: number;
  /** Steps in the counterexample (the violating step included). */
  length: number;
}

export type StopReason = 'done' | 'violation' | 'states' | 'time' | 'memory';

export interface SearchResult {
  distinct: number;
  transitions: number;
  /** Transitions that left the state unchanged (failed steps, observations). */
  unchanged: number;
  /** Generated steps discarded because they leave the scope (k ptys, handle bound). */
  outOfScope: number;
  /** Deepest level that holds a state. */
  depth: number;
  depthBound: number;
  /** A level produced no new state before the bound: every state the scope reaches was visited. */
  exhausted: boolean;
  /** States discovered but not expanded when the search stopped early (0 when done). */
  queueLeft: number;
  /** States at the depth bound (not expanded, by definition of the bound). */
  atBound: number;
  stop: StopReason;
  violations: FoundViolation[];
  /** Distinct states per level, from 0 (the initial state). */
  levels: number[];
  elapsedMs: number;
  peakHeapBytes: number;
  visitedBytes: number;
}

export interface SearchOptions<S> {
  depth: number;
  checks?: readonly SearchCheck<S>[];
  exact?: boolean;
  maxStates?: number;
  maxSeconds?: number;
  /** Soft heap limit: stop with 'memory' (default: 85% of V8's heap limit). */
  maxHeapBytes?: number;
  /** Stop at the first violation of any check (default: go on until every check is violated). */
  stopAtFirst?: boolean;
  onProgress?: (p: Progress) => void;
  progressMs?: number;
}

export class Search<S, X> {
  readonly parent = new IntColumn();
  readonly action = new IntColumn();
  constructor(readonly system: System<S, X>) {}

  run(opts: SearchOptions<S>): SearchResult {
    const sys = this.system;
    const t0 = performance.now();
    const visited: VisitedSet = opts.exact ? new ExactSet() : new FingerprintSet();
    const fpSet = !opts.exact && sys.fingerprint ? (visited as FingerprintSet) : null;
    const fp = new Uint32Array(2);
    const addState = (state: S): boolean => {
      if (fpSet) { sys.fingerprint!(state, fp); return fpSet.addFingerprint(fp[0]!, fp[1]!); }
      return visited.add(sys.key(state));
    };
    const checks = [...(opts.checks ?? [])];
    const violated = new Set<string>();
    const violations: FoundViolation[] = [];
    const heapLimit = opts.maxHeapBytes ?? Math.floor(v8.getHeapStatistics().heap_size_limit * 0.85);
    const deadline = opts.maxSeconds === undefined ? Infinity : t0 + opts.maxSeconds * 1000;
    const maxStates = opts.maxStates ?? Infinity;
    const progressMs = opts.progressMs ?? 1000;
    let nextProgress = t0 + progressMs;
    let peakHeap = 0;

    // initial states: parent -1, "action" = which initial state (pathTo starts with it)
    let frontier: S[] = [];
    const ids0: number[] = [];
    sys.initial().forEach((init, i) => {
      if (!addState(init)) return;
      ids0.push(this.parent.length);
      this.parent.push(-1);
      this.action.push(i);
      frontier.push(init);
    });
    const levels = [frontier.length];
    let frontierIds: Int32Array = Int32Array.from(ids0);
    let transitions = 0, unchanged = 0, outOfScope = 0;
    let stop: StopReason = 'done';
    let exhausted = false;
    let queueLeft = 0;
    let depth = 0;
    let tick = 0;

    const progress = (d: number, queue: number): Progress => {
      const elapsedMs = performance.now() - t0;
      const heapBytes = process.memoryUsage().heapUsed;
      if (heapBytes > peakHeap) peakHeap = heapBytes;
      return { distinct: visited.size, transitions, queue, depth: d, elapsedMs, statesPerSecond: visited.size / (elapsedMs / 1000 || 1e-9), heapBytes };
    };

    outer:
    for (depth = 0; depth < opts.depth; depth++) {
      const next: S[] = [];
      const nextIds: number[] = [];
      for (let fi = 0; fi < frontier.length; fi++) {
        const s = frontier[fi]!;
        const sid = frontierIds[fi]!;
        frontier[fi] = undefined as unknown as S; // let the expanded state go
        const { actions, ctx } = sys.expand(s);
        for (let a = 0; a < actions.length; a++) {
          const op = actions[a]!;
          const out = sys.apply(s, ctx, op);
          if (out === null) { outOfScope++; continue; }
          transitions++;
          const same = sys.unchanged(s, out.state);
          const isNew = !same && addState(out.state);
          for (let c = 0; c < checks.length; c++) {
            const chk = checks[c]!;
            if (chk.stateOnly && !isNew) continue; // judged when the state was discovered
            const message = chk.check(s, op, out.result, out.state);
            if (message !== null) {
              violations.push({ check: chk.id, message, from: sid, action: a, length: depth + 1 });
              violated.add(chk.id);
              checks.splice(c, 1); c--;
              if (opts.stopAtFirst || checks.length === 0) {
                stop = 'violation';
                queueLeft = frontier.length - fi - 1 + next.length;
                break outer;
              }
            }
          }
          if (same) { unchanged++; continue; }
          if (!isNew) continue;
          const id = this.parent.length;
          this.parent.push(sid);
          this.action.push(a);
          if (depth + 1 < opts.depth) { next.push(out.state); nextIds.push(id); }
          if (visited.size >= maxStates) {
            stop = 'states';
            queueLeft = frontier.length - fi - 1 + next.length;
            break outer;
          }
        }
        if ((++tick & 63) === 0) {
          const now = performance.now();
          if (now > deadline) { stop = 'time'; queueLeft = frontier.length - fi - 1 + next.length; break outer; }
          if (now >= nextProgress) {
            nextProgress = now + progressMs;
            const p = progress(depth + 1, frontier.length - fi - 1 + next.length);
            opts.onProgress?.(p);
            if (p.heapBytes > heapLimit) { stop = 'memory'; queueLeft = p.queue; break outer; }
          }
        }
      }
      const added = this.parent.length - levels.reduce((x, y) => x + y, 0);
      if (added === 0) { exhausted = true; break; }
      levels.push(added);
      frontier = next;
      frontierIds = Int32Array.from(nextIds);
    }
    if (stop !== 'done' && levels.reduce((x, y) => x + y, 0) < this.parent.length) {
      levels.push(this.parent.length - levels.reduce((x, y) => x + y, 0)); // the partial level
    }
    const last = progress(depth, queueLeft);
    opts.onProgress?.(last);
    const deepest = levels.length - 1;
    return {
      distinct: visited.size,
      transitions, unchanged, outOfScope,
      depth: deepest,
      depthBound: opts.depth,
      exhausted,
      queueLeft: stop === 'done' ? 0 : queueLeft,
      atBound: stop === 'done' && !exhausted && deepest === opts.depth ? levels[deepest]! : 0,
      stop,
      violations,
      levels,
      elapsedMs: last.elapsedMs,
      peakHeapBytes: peakHeap,
      visitedBytes: visited.bytes() + this.parent.bytes() + this.action.bytes(),
    };
  }

  /** The path to state `id`: [initial state number, action numbers...]. */
  pathTo(id: number): number[] {
    const path: number[] = [];
    let cur = id;
    for (; this.parent.get(cur) >= 0; cur = this.parent.get(cur)) path.push(this.action.get(cur));
    path.push(this.action.get(cur));
    return path.reverse();
  }

  /** The path of a violation: to its state, then its action. */
  pathOf(v: FoundViolation): number[] {
    return [...this.pathTo(v.from), v.action];
  }

  /** Replay a path ([initial state number, action numbers...]): the ops and results along the way. */
  replay(path: readonly number[]): { root: number; ops: Op[]; results: StepResult[]; states: S[] } {
    const sys = this.system;
    const root = path[0] ?? 0;
    let s: S = sys.initial()[root]!;
    const ops: Op[] = [], results: StepResult[] = [], states: S[] = [s];
    for (const a of path.slice(1)) {
      const { actions: acts, ctx } = sys.expand(s);
      const op = acts[a];
      if (!op) throw new Error(`replay: action ${a} does not exist in step ${ops.length + 1}`);
      const out = sys.apply(s, ctx, op);
      if (!out) throw new Error(`replay: action ${a} leaves the scope in step ${ops.length + 1}`);
      ops.push(op); results.push(out.result); states.push(out.state);
      s = out.state;
    }
    return { root, ops, results, states };
  }
}
