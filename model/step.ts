// step(state, op) → { state, result }: the whole semantics, pure. The dispatch comes from
// the mode chart (charts/mode.ts MODE_DISPATCH, derived once from its definition): the
// kernel's mode, read from the state, and the op choose the handler and the chart's
// guarded transitions; the handlers ask the profile record for every kernel difference.
// (The tool checks are handlers.ts toolProblem, inlined: this is the hot path.)

import type { Op, ToolError } from './ops.ts';
import type { Outcome } from './outcome.ts';
import { TOOL_CHECKS } from './handlers.ts';
import { MODE_DISPATCH } from './charts/mode.ts';
import { profileOf, type Profile } from './profiles.ts';
import type { KernelState } from './state.ts';

export type { Outcome } from './outcome.ts';

/** One step under the profile named in the state. */
export function step(state: KernelState, op: Op): Outcome {
  return stepWith(profileOf(state.profile), state, op);
}

/** One step under an explicit profile record (tests use this for mutants). */
export function stepWith(profile: Profile, state: KernelState, op: Op): Outcome {
  const pid = op.pid ?? 1;
  const proc = state.procs[pid];
  if (proc === undefined) return { state, result: { error: `process ${pid} does not exist`, field: 'pid' } };
  const check = TOOL_CHECKS[op.op] as ((s: KernelState, pid: number, op: Op) => ToolError | null) | undefined;
  if (check !== undefined) {
    const problem = check(state, pid, op);
    if (problem !== null) return { state, result: problem };
  }
  // the mode chart's state, read from the kernel state (profiles.ts kernelMode, inlined: hot path)
  const mode = profile.bootMode === 'singleInstance' && state.multiInstance ? 'multiInstance' : profile.bootMode;
  return MODE_DISPATCH[mode][op.op]({ profile, state, proc }, op);
}
