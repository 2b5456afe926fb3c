// Subjects and runs: what every check looks at.
//
// A *subject* is a kernel profile record plus the step function to use with it. For the
// real profiles the step is model/step.ts `stepWith(profile, ·, ·)`; the mutants of
// test/properties/mutants.ts replace one profile field (or, where the record has no field
// for the concern, wrap the step). Checks therefore take records, never bare IDs.
//
// A *run* is one executed op sequence: the boot configuration, the ops, the state before
// every op and after the last one (structural sharing keeps this cheap), the results, and
// named marks (the step indices of a scenario's own steps).

import {
  bootWith, isToolError, PROFILES, stepWith,
  type BootConfig, type KernelState, type Op, type Outcome, type Profile, type ProfileId, type StepResult,
} from '../model/index.ts';

export interface Subject {
  /** A profile ID for the real profiles, the mutant's name otherwise. */
  readonly name: string;
  readonly profile: Profile;
  readonly step: (state: KernelState, op: Op) => Outcome;
}

export type SubjectLike = ProfileId | Profile | Subject;

const subjects = new Map<Profile, Subject>();

/** The subject for a profile ID, a profile record (e.g. a mutant: `{ ...PROFILES['6.x'], remountDevpts }`) or a subject. */
export function subjectOf(x: SubjectLike): Subject {
  if (typeof x === 'string') {
    const profile = PROFILES[x];
    if (!profile) throw new Error(`unknown profile "${x}"`);
    return subjectOf(profile);
  }
  if ('step' in x && 'profile' in x) return x;
  const profile = x as Profile;
  let s = subjects.get(profile);
  if (!s) {
    const name = PROFILES[profile.id] === profile ? profile.id : `${profile.id} (modified)`;
    s = { name, profile, step: (state, op) => stepWith(profile, state, op) };
    subjects.set(profile, s);
  }
  return s;
}

/** Is this subject one of the real profiles (so its traces replay with `devpts-check replay`)? */
export const isRealSubject = (s: Subject): boolean =>
  PROFILES[s.profile.id] === s.profile && s.name === s.profile.id;

export interface Run {
  readonly subject: Subject;
  readonly boot: BootConfig;
  readonly ops: readonly Op[];
  /** states[0] is the booted state; states[i + 1] the state after ops[i]. */
  readonly states: readonly KernelState[];
  readonly results: readonly StepResult[];
  /** Named step indices (0-based) of a scenario's own steps. */
  readonly marks: Readonly<Record<string, number>>;
}

// ---- booting, with a cache: boot states are immutable, so runs can share them ------------

const bootCache = new WeakMap<Profile, Map<string, KernelState>>();

export function bootState(subject: Subject, config: BootConfig): KernelState {
  let perProfile = bootCache.get(subject.profile);
  if (!perProfile) bootCache.set(subject.profile, (perProfile = new Map()));
  const key = `${config.devptsOptions ?? '\u0000'}|${config.mountDevpts ?? ''}|${config.ptmxMode ?? ''}`;
  let state = perProfile.get(key);
  if (!state) {
    state = bootWith(subject.profile, config);
    perProfile.set(key, state);
  }
  return state;
}

export class ToolErrorInRun extends Error {
  constructor(readonly stepIndex: number, message: string) { super(message); }
}

/**
 * Execute concrete ops from boot. A tool error (unknown pid or handle: not a kernel
 * result) returns null: the sequence is not well-formed for this subject.
 */
export function execute(subject: Subject, boot: BootConfig, ops: readonly Op[], marks: Readonly<Record<string, number>> = {}): Run | null {
  let state = bootState(subject, boot);
  const states: KernelState[] = [state];
  const results: StepResult[] = [];
  for (const op of ops) {
    const out = subject.step(state, op);
    if (isToolError(out.result)) return null;
    state = out.state;
    states.push(state);
    results.push(out.result);
  }
  return { subject, boot, ops, states, results, marks };
}

/** Run a run's ops on another subject up to the first tool error (after a divergence, handles may not exist on one side). */
export function executeUpTo(subject: Subject, run: Run): Run {
  let state = bootState(subject, run.boot);
  const states = [state];
  const results: StepResult[] = [];
  const ops: Op[] = [];
  for (const op of run.ops) {
    const out = subject.step(state, op);
    if (isToolError(out.result)) break;
    ops.push(op);
    state = out.state;
    states.push(state);
    results.push(out.result);
  }
  return { subject, boot: run.boot, ops, states, results, marks: run.marks };
}
