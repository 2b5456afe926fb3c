// One name per devpts instance for a whole run: the `fs` labels of operations.md
// (devpts1, devpts2, ... in order of first appearance in the results), then, for the
// instances no result ever named (the 2.6.39 initial instance nobody mounted, say),
// the next free labels in creation order. Messages, pictures and the ITF export use
// these, so a user meets the same name for the same instance in every command.

import { boot, isOk, isToolError, step, type BootConfig, type KernelState, type Op, type ProfileId, type StepResult } from '../model/index.ts';
import { FsLabeler, modelFsKey } from './labels.ts';

/** A devpts instance id of the model ("devpts#3"). */
const INSTANCE_ID = /devpts#\d+/g;
const creation = (id: string): number => Number(/(\d+)$/.exec(id)?.[1] ?? 0);

/** Labels of every instance in `states`, those of the results first (raw model results, in order). */
export function runLabels(states: readonly KernelState[], results: readonly StepResult[]): Map<string, string> {
  const labeler = new FsLabeler<string>();
  for (const r of results) if (isOk(r) && r.fs !== undefined) labeler.label(modelFsKey(r.fs));
  const labels = new Map(labeler.entries());
  const used = new Set(labels.values());
  const rest = new Set<string>();
  for (const s of states) for (const id in s.fss) if (s.fss[id]!.kind === 'devpts' && !labels.has(id)) rest.add(id);
  let n = 1;
  for (const id of [...rest].sort((a, b) => creation(a) - creation(b))) {
    while (used.has(`devpts${n}`)) n++;
    labels.set(id, `devpts${n}`);
    used.add(`devpts${n}`);
  }
  return labels;
}

/** The model's instance ids in a text ("devpts#0") as the run's labels. */
export function relabelText(text: string, labels: ReadonlyMap<string, string>): string {
  return text.replace(INSTANCE_ID, (id) => labels.get(id) ?? id);
}

export interface StepRun {
  /** The state at boot (0) and after each step (i). */
  readonly states: KernelState[];
  /** Raw model results (instance ids, not labels). */
  readonly results: StepResult[];
}

/** Run ops on the model with the pure `step` (no machine); stops before a tool error. */
export function runSteps(profile: ProfileId, bootConfig: BootConfig | undefined, ops: readonly Op[]): StepRun {
  let state = boot(profile, bootConfig ?? {});
  const states = [state];
  const results: StepResult[] = [];
  for (const op of ops) {
    const out = step(state, op);
    if (isToolError(out.result)) break;
    results.push(out.result);
    state = out.state;
    states.push(state);
  }
  return { states, results };
}

/** The labels of a trace's run on the model (boot errors: none). */
export function traceLabels(trace: { profile: ProfileId; boot?: BootConfig; steps: readonly Op[] }): Map<string, string> {
  try {
    const run = runSteps(trace.profile, trace.boot, trace.steps.map(opOnly));
    return runLabels(run.states, run.results);
  } catch {
    return new Map();
  }
}

/** A step without the keys a trace adds (expect, note). */
export function opOnly(s: Op): Op {
  const { expect: _e, note: _n, ...op } = s as Op & { expect?: unknown; note?: unknown };
  return op as Op;
}

/**
 * The run's labels without keeping its states (exports of long traces): results first,
 * then the other instances in creation order. Stops at a tool error.
 */
export function streamLabels(profile: ProfileId, bootConfig: BootConfig | undefined, ops: readonly Op[]): Map<string, string> {
  const labeler = new FsLabeler<string>();
  const ids = new Set<string>();
  let state: KernelState;
  try { state = boot(profile, bootConfig ?? {}); } catch { return new Map(); }
  const note = (s: KernelState) => { for (const id in s.fss) if (s.fss[id]!.kind === 'devpts') ids.add(id); };
  note(state);
  for (const op of ops) {
    const out = step(state, opOnly(op));
    if (isToolError(out.result)) break;
    if (isOk(out.result) && out.result.fs !== undefined) labeler.label(modelFsKey(out.result.fs));
    if (out.state.fss !== state.fss) note(out.state);
    state = out.state;
  }
  const labels = new Map(labeler.entries());
  const used = new Set(labels.values());
  let n = 1;
  for (const id of [...ids].filter((i) => !labels.has(i)).sort((a, b) => creation(a) - creation(b))) {
    while (used.has(`devpts${n}`)) n++;
    labels.set(id, `devpts${n}`);
    used.add(`devpts${n}`);
  }
  return labels;
}
