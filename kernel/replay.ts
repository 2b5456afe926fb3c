// `devpts-check replay --kernel FILE`: replay a trace on the kernel of its profile (the
// live kernel for 6.x, a QEMU guest for the others: kernel/targets.ts) and diff it with
// the model. Each replayed step shows the kernel's result; its "expectation" is the
// model's result, and it holds when the two are the same by the differential runner's
// rule (kernel/diff.ts sameResult: deep equality of labelled results, `log` only where
// both sides have one). The trace's own `expect` values are the model replay's business.

import type { KernelResult, StepResult } from '../model/index.ts';
import { TraceError } from '../traces/errors.ts';
import type { Replayer } from '../traces/replay.ts';
import type { Expectation, ReplayedStep, Trace } from '../traces/types.ts';
import { runOnModel, sameResult } from './diff.ts';
import { isHarnessError, KernelHarness, type HarnessOptions, type SequenceRunner } from './driver.ts';

/** Why a trace cannot be replayed on the live kernel, or null. */
export function kernelReplayProblem(trace: Trace, live = true): { field: string; step?: number; message: string } | null {
  if (live && trace.profile !== '6.x') return { field: 'profile', message: `--kernel replays 6.x traces only on the live kernel (the running kernel is 6.x), not ${trace.profile}` };
  const i = trace.steps.findIndex((s) => s.op === 'sysctl');
  if (live && i >= 0) return { field: 'op', step: i + 1, message: 'sysctl steps cannot run on the live kernel (kernel.pty.* are host-wide settings)' };
  return null;
}

/** The model's result as the expectation shown beside the kernel's (log only where both have one). */
function shownExpectation(model: object, kernel: object): Expectation {
  const e = { ...model } as Record<string, unknown>;
  if (!('log' in kernel)) delete e.log;
  return e as Expectation;
}

/**
 * A Replayer that runs traces on a kernel: the live one (default; `harness` is reused when
 * given), or whatever `runnerFor` opens for the trace's profile (QEMU guests).
 */
export function kernelReplayer(options: HarnessOptions & {
  harness?: SequenceRunner;
  /** Open the runner of a profile's kernel (and its name); the replayer closes it after the trace. */
  runnerFor?: (trace: Trace) => Promise<{ runner: SequenceRunner; label: string; live: boolean; keep?: boolean }>;
} = {}): Replayer {
  return async (trace, file, replayOptions = {}) => {
    const opened = options.runnerFor ? await options.runnerFor(trace) : null;
    const live = opened ? opened.live : true;
    const problem = kernelReplayProblem(trace, live);
    if (problem) {
      if (opened && !opened.keep) await opened.runner.close();
      throw new TraceError(file, { ...(problem.step !== undefined ? { step: problem.step } : {}), field: problem.field }, problem.message);
    }
    const seq = { boot: trace.boot ?? {}, ops: trace.steps };
    const model = runOnModel(seq, trace.profile);
    if (model.bootError !== null) throw new TraceError(file, { field: 'boot' }, model.bootError.replace(/^boot: /, ''));
    if (model.toolError >= 0) throw new TraceError(file, { step: model.toolError + 1 }, 'the model rejects this step (not a well-formed step of this trace)');
    const h = opened?.runner ?? options.harness ?? KernelHarness.start(options);
    let run;
    try {
      run = await h.run(seq);
    } finally {
      if (opened ? !opened.keep : !options.harness) await h.close();
    }
    const kernel = opened?.label ?? 'the live kernel';
    if (run.lost !== undefined) throw new TraceError(file, { field: 'kernel' }, `not checked: ${run.lost}`);
    if (run.bootError !== null) throw new TraceError(file, { field: 'boot' }, `${kernel} refuses the boot: ${run.bootError}`);
    const steps: ReplayedStep[] = [];
    for (const [i, op] of trace.steps.entries()) {
      const m = model.results[i]!;
      const k = run.results[i]!;
      const holds = sameResult(m, k);
      const result: StepResult = isHarnessError(k) ? { error: k.error, field: 'harness' } : (k as KernelResult);
      steps.push({ index: i + 1, op, result, expect: shownExpectation(m, k), holds });
      if (!holds && replayOptions.stopAtFirstFailure) break;
    }
    const firstFailure = steps.find((s) => s.holds === false) ?? null;
    return { file, trace, engine: `${opened?.label ?? 'live kernel'} vs model`, steps, firstFailure, verdict: firstFailure ? 'fails' : 'holds' };
  };
}
