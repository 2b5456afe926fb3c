// The shape every op handler returns, and the context it gets.

import type { Errno, OkResult, StepResult } from './ops.ts';
import type { Profile } from './profiles.ts';
import type { KernelState, Proc } from './state.ts';

export interface Ctx { readonly profile: Profile; readonly state: KernelState; readonly proc: Proc }
export interface Outcome { readonly state: KernelState; readonly result: StepResult }

const withLog = <T extends object>(r: T, log: readonly string[] | undefined): T =>
  log && log.length > 0 ? { ...r, log: [...log] } : r;

/** A failed step: the state is unchanged unless a rule says otherwise (I5; K1, K4, K11). */
export function fail(state: KernelState, errno: Errno, log?: readonly string[]): Outcome {
  return { state, result: withLog({ errno }, log) };
}

export function done(state: KernelState, values: Omit<OkResult, 'ok'> = {}, log?: readonly string[]): Outcome {
  return { state, result: withLog({ ok: true as const, ...values }, log) };
}
