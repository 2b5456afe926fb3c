// fast-check arbitraries of op sequences that are state-aware.
//
// fast-check generates *intents*: small tuples of integers. The interpreter reads them one
// by one against the evolving model state (builder.ts) and the intent table (intents.ts)
// turns each into concrete ops that name things which exist right now. Shrinking works on
// the intents, so every shrunk candidate is re-interpreted and stays well-formed (no
// unknown handle, no dead pid): a shrunk counterexample is always a valid trace.
//
// A generated value is a `Run` (clauses/run.ts): boot config, ops, every state, every
// result. The ops carry explicit handle names (`as: "h3"`), so the same ops replay under
// another profile with the same names. Used by the runner (runner.ts: a clause's
// generation hints become GenOptions) and the live-kernel harness (kernel/diff.ts:
// `exclude: ['sysctl']`, `maxOpenPtys: 4`).
//
//   fc.assert(fc.property(runs('6.x', { maxSteps: 12, exclude: ['sysctl'] }), (run) => ...));

import fc from 'fast-check';
import { BootError, type BootConfig, type Op, type OpName } from '../../model/index.ts';
import type { Scenario } from '../../clauses/index.ts';
import { bootState, subjectOf, type Run, type Subject, type SubjectLike } from '../../clauses/run.ts';
import { Builder, type Resolved } from './builder.ts';
import { DEFAULT_WEIGHTS, INTENTS, runIntent, type IntentKind } from './intents.ts';
import type { OptionVocabulary } from './vocabulary.ts';

/** Boot configurations the general generator chooses from (index 0, the default boot, is the shrink target). */
export const DEFAULT_BOOTS: readonly BootConfig[] = [
  {}, { devptsOptions: 'gid=5,mode=620' }, { devptsOptions: 'newinstance,ptmxmode=0666' },
  { devptsOptions: 'ptmxmode=0666' }, { mountDevpts: false }, { devptsOptions: 'gid=5,mode=620,ptmxmode=000' },
];

/** One intent: [kind selector 0..999, choice a, choice b, option item picks]. */
export type Intent = readonly [number, number, number, readonly number[]];

export const intentArbitrary: fc.Arbitrary<Intent> = fc.tuple(
  fc.nat(999), fc.nat(1023), fc.nat(1023), fc.array(fc.nat(63), { maxLength: 4 }),
);

export interface GenOptions {
  /** At most this many ops per sequence (default 20). Scenario steps come on top. */
  readonly maxSteps?: number;
  /** Ops never generated (the kernel harness excludes `sysctl`). */
  readonly exclude?: readonly OpName[];
  /** Never open a ptmx while this many masters are open (the kernel harness wants few ptys). */
  readonly maxOpenPtys?: number;
  /** Mount data strings (default `any`). */
  readonly vocabulary?: OptionVocabulary;
  /** Never generate an op that names a devpts ptmx node, by any path (R1, D5, U1). */
  readonly avoidDevptsPtmx?: boolean;
  /** Boot configurations to choose from (default DEFAULT_BOOTS; the first is the shrink target). */
  readonly boots?: readonly BootConfig[];
  /** Ops run first, before any generated op. */
  readonly prefix?: readonly Op[];
  /** Relative weights of intent kinds (missing kinds keep their default; 0 disables one). */
  readonly weights?: Partial<Record<IntentKind, number>> | Readonly<Record<string, number>>;
}

export function resolveOptions(o: GenOptions): Resolved {
  const weights: Record<string, number> = { ...DEFAULT_WEIGHTS, ...o.weights };
  const total = INTENTS.reduce((s, i) => s + Math.max(0, weights[i.kind]!), 0);
  let acc = 0;
  const table = INTENTS.map((i) => (acc += (Math.max(0, weights[i.kind]!) * 1000) / total));
  return {
    maxSteps: o.maxSteps ?? 20,
    exclude: new Set(o.exclude ?? []),
    maxOpenPtys: o.maxOpenPtys ?? Infinity,
    vocabulary: o.vocabulary ?? 'any',
    avoidDevptsPtmx: o.avoidDevptsPtmx ?? false,
    boots: o.boots && o.boots.length > 0 ? o.boots : DEFAULT_BOOTS,
    prefix: o.prefix ?? [],
    table,
  };
}

/** Interpret one intent: the selector chooses an entry of the table by weight, which emits with the choices. */
export function applyIntent(g: Builder, [sel, a, b, items]: Intent): void {
  let k = 0;
  while (k < g.o.table.length - 1 && sel >= g.o.table[k]!) k++;
  runIntent(g, INTENTS[k]!, { a, b, items });
}

export interface Generated { readonly boot: number; readonly intents: readonly Intent[] }

/** The intents of one sequence: a boot choice and at most `maxSteps` intents. */
export function generatedArbitrary(maxSteps: number): fc.Arbitrary<Generated> {
  return fc.record({ boot: fc.nat(15), intents: fc.array(intentArbitrary, { maxLength: maxSteps, size: 'max' }) });
}

/** The boot a generated choice names: half the runs boot the first (default) configuration. */
export const bootChoice = (boots: readonly BootConfig[], n: number): BootConfig => boots[n < boots.length ? n : 0] ?? {};

/** A boot the subject accepts: the chosen one, else (a mutant rejecting init's mount options) the first of the list. */
function usableBoot(subject: Subject, boots: readonly BootConfig[], n: number): BootConfig {
  const chosen = bootChoice(boots, n);
  try {
    bootState(subject, chosen);
    return chosen;
  } catch (err) {
    if (!(err instanceof BootError) || chosen === (boots[0] ?? {})) throw err;
    return boots[0] ?? {};
  }
}

/** Interpret generated intents for a subject (deterministic: the same intents give the same run). */
export function interpret(subject: Subject, options: GenOptions | Resolved, g: Generated): Run {
  const o = 'table' in options ? options : resolveOptions(options);
  const b = new Builder(subject, usableBoot(subject, o.boots, g.boot), o);
  o.prefix.forEach((op, i) => b.emit(op, `prefix${i}`));
  for (const intent of g.intents) {
    if (b.full) break;
    applyIntent(b, intent);
  }
  return b.finish();
}

/** Random runs of a subject (profile ID, profile record or subject). */
export function runs(target: SubjectLike, options: GenOptions = {}): fc.Arbitrary<Run> {
  const subject = subjectOf(target);
  const o = resolveOptions(options);
  return generatedArbitrary(o.maxSteps).map((g) => interpret(subject, o, g));
}

/** Only the ops of random runs (for consumers that execute them elsewhere, e.g. the live kernel). */
export function opSequences(target: SubjectLike, options: GenOptions = {}): fc.Arbitrary<{ boot: BootConfig; ops: readonly Op[] }> {
  return runs(target, options).map((r) => ({ boot: r.boot, ops: r.ops }));
}

// ---- scenarios -------------------------------------------------------------------------

export interface ScenarioGenerated { readonly boot: number; readonly pre: readonly Intent[]; readonly params: readonly number[]; readonly post: readonly Intent[] }

/**
 * Runs that embed a scenario (clauses/scenarios.ts): random intents (up to half of
 * maxSteps), the scenario's own steps (marked), then a few random intents. The prefix
 * makes the scenario start from varied states; shrinking removes what the violation does
 * not need.
 */
export function scenarioRuns(target: SubjectLike, scenario: Scenario, options: GenOptions = {}): fc.Arbitrary<Run> {
  const subject = subjectOf(target);
  const o = resolveOptions(options);
  const half = Math.max(0, Math.floor(o.maxSteps / 2));
  return fc.record({
    boot: fc.nat(15),
    pre: fc.array(intentArbitrary, { maxLength: half, size: 'max' }),
    params: fc.array(fc.nat(1023), { minLength: 6, maxLength: 6 }),
    post: fc.array(intentArbitrary, { maxLength: Math.max(0, o.maxSteps - half), size: 'max' }),
  }).map((g) => interpretScenario(subject, o, scenario, g));
}

export function interpretScenario(subject: Subject, options: GenOptions | Resolved, scenario: Scenario, g: ScenarioGenerated): Run {
  const o = 'table' in options ? options : resolveOptions(options);
  const b = new Builder(subject, usableBoot(subject, o.boots, g.boot), o);
  o.prefix.forEach((op, i) => b.emit(op, `prefix${i}`));
  for (const intent of g.pre) { if (b.full) break; applyIntent(b, intent); }
  b.inScenario = true;
  scenario(b, g.params);
  b.inScenario = false;
  for (const intent of g.post) { if (b.full) break; applyIntent(b, intent); }
  return b.finish();
}
