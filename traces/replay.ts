// Replaying a trace on the model, through the xstate machine (model/machine.ts), so
// that the kernel's mode (legacy, singleInstance, multiInstance, perMountInstances)
// is tracked as the document names it. Results get `fs` labels; expectations get a
// verdict. A tool error (unknown pid or handle) stops the replay as bad input.

import {
  boot, BootError, isToolError, opEvent, profileOf, startKernelActor,
  type KernelState, type StepResult,
} from '../model/index.ts';
import { TraceError } from './errors.ts';
import { expectationHolds } from './expect.ts';
import { FsLabeler, labelModelResult } from './labels.ts';
import type { ReplayedStep, ReplayOutcome, Trace, TraceStep, ReplayVerdict } from './types.ts';

export interface ReplayOptions {
  /** Stop after the first step whose expectation fails (the CLI's behaviour). Default: run every step. */
  readonly stopAtFirstFailure?: boolean;
  /** Keep the state after every step (ITF, the report's pictures). Default true; false keeps boot and final only (long traces). */
  readonly keepStates?: boolean;
}

/** Anything that replays a trace: the model here; the live-kernel harness plugs in the same way. */
export type Replayer = (trace: Trace, file: string, options?: ReplayOptions) => Promise<ReplayOutcome>;

export interface ModelReplay extends ReplayOutcome {
  /** The kernel state at boot (index 0) and after each replayed step (index i). */
  readonly states: KernelState[];
  /** The machine's state (the document's mode) at boot and after each replayed step. */
  readonly modes: string[];
  readonly final: { readonly mode: string; readonly state: KernelState };
}

/** Judge one step's (already labelled) result against its expectation. */
export function judgeStep(op: TraceStep, index: number, result: StepResult): ReplayedStep {
  const { expect } = op;
  return expect === undefined
    ? { index, op, result, holds: null }
    : { index, op, result, expect, holds: expectationHolds(expect, result) };
}

/** The first failing step and the verdict of a list of judged steps. */
export function verdictOf(steps: readonly ReplayedStep[]): { firstFailure: ReplayedStep | null; verdict: ReplayVerdict } {
  const firstFailure = steps.find((s) => s.holds === false) ?? null;
  return { firstFailure, verdict: firstFailure ? 'fails' : 'holds' };
}

/** Boot the trace's world; a boot configuration the profile rejects is a trace error. */
export function bootTrace(trace: Trace, file: string): KernelState {
  try {
    return boot(trace.profile, trace.boot ?? {});
  } catch (err) {
    if (err instanceof BootError) throw new TraceError(file, { field: 'boot' }, err.message.replace(/^boot: /, ''));
    throw err;
  }
}

/** Replay on the model. Throws TraceError for a bad boot or a tool error in a step. */
export function replayOnModel(trace: Trace, file: string, options: ReplayOptions = {}): ModelReplay {
  const profile = profileOf(trace.profile);
  const actor = startKernelActor(profile, bootTrace(trace, file));
  const labeler = new FsLabeler<string>();
  const steps: ReplayedStep[] = [];
  const states: KernelState[] = [actor.getSnapshot().context.kernel];
  const modes: string[] = [String(actor.getSnapshot().value)];
  let last: { state: KernelState; mode: string } | null = null;
  try {
    for (const [i, op] of trace.steps.entries()) {
      actor.send(opEvent(op));
      const snapshot = actor.getSnapshot();
      const raw = snapshot.context.last!;
      if (isToolError(raw)) throw new TraceError(file, { step: i + 1, field: raw.field }, raw.error);
      const judged = judgeStep(op, i + 1, labelModelResult(labeler, raw));
      steps.push(judged);
      if (options.keepStates !== false || i === trace.steps.length - 1) {
        states.push(snapshot.context.kernel);
        modes.push(String(snapshot.value));
      } else {
        last = { state: snapshot.context.kernel, mode: String(snapshot.value) };
      }
      if (judged.holds === false && options.stopAtFirstFailure) break;
    }
  } finally {
    actor.stop();
  }
  // stopped early without keeping states: the last state reached is the final one
  if (options.keepStates === false && states.length === 1 && last !== null) { states.push(last.state); modes.push(last.mode); }
  return {
    file, trace, engine: 'model', steps, ...verdictOf(steps), states, modes,
    final: { mode: modes[modes.length - 1]!, state: states[states.length - 1]! },
  };
}

/** The model as a Replayer. */
export const modelReplayer: Replayer = async (trace, file, options) => replayOnModel(trace, file, options);
