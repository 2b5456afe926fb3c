// A clause of the catalogue (../shared/design/clauses.md) as a record: its words (our
// statement, the document's, what the kernel code does, what exactly is checked) and its
// check as data (checks.ts). The random runner, the explorer and the report read these
// records; none of them re-declares a clause's pair, premise, boots or prefix.

import type { BootConfig, Op, ProfileId } from '../model/index.ts';
import type { Check, Generation, Premise, RunCheck, Scenario, TransitionCheck } from './checks.ts';

export type ClauseKind = 'D' | 'U' | 'K' | 'R' | 'I';
/** clauses.md's expectation: what reading the code suggests, a hypothesis the checks confirm or refute. */
export type Expected = 'holds' | 'violated' | 'hypothesis';

export interface Clause {
  readonly id: string;
  readonly kind: ClauseKind;
  /** The clause in our own words. */
  readonly statement: string;
  /** Profiles the clause speaks about (every other profile: n/a); a comparison's are its pair. */
  readonly profiles: readonly ProfileId[];
  /** clauses.md's expectation per profile label (profile ID, or "A vs B"): a hypothesis. */
  readonly expected: Readonly<Record<string, Expected>>;
  /** The document's words (../shared/spec/devpts.txt), where the clause comes from it. */
  readonly document?: string;
  /** What the kernel code does (../shared/research/kernel-code.md, live-kernel-6x.md). */
  readonly code: string;
  /** Exactly what the check checks. */
  readonly formalization: string;
  readonly check: Check;
}

// ---- writing checks -------------------------------------------------------------------------

export const transition = (predicate: TransitionCheck, generation?: Generation): Check =>
  generation === undefined ? { kind: 'transition', predicate } : { kind: 'transition', predicate, generation };

export const scenario = (s: Scenario, judge: RunCheck, generation?: Generation): Check =>
  generation === undefined ? { kind: 'scenario', scenario: s, judge } : { kind: 'scenario', scenario: s, judge, generation };

/** A comparison of [driver, other]: its generation hints, boots (the first is the default) and prefix. */
export function comparison(
  pair: readonly [ProfileId, ProfileId], premise: Premise,
  o: Generation & { readonly boots: readonly BootConfig[]; readonly prefix?: readonly Op[] }, dropPtmx: boolean,
): Check {
  const { boots, prefix, ...generation } = o;
  return { kind: 'comparison', pair, premise, dropPtmx, boots, prefix: prefix ?? [], generation };
}

// ---- reading records ------------------------------------------------------------------------

/** A comparison clause's [driver, other], or null. */
export const pairOf = (c: Clause): readonly [ProfileId, ProfileId] | null => (c.check.kind === 'comparison' ? c.check.pair : null);

/** The label a (clause, profile) verdict carries: the profile ID, or "A vs B" for a comparison. */
export function labelOf(c: Clause, profile?: ProfileId): string {
  const pair = pairOf(c);
  return pair ? `${pair[0]} vs ${pair[1]}` : profile!;
}

export const expectAll = (labels: readonly string[], e: Expected): Record<string, Expected> => Object.fromEntries(labels.map((p) => [p, e]));

export const ALL: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'];
export const CONFIG_Y: readonly ProfileId[] = ['2.6.39-y', '3.4-y'];
export const WITH_NODE: readonly ProfileId[] = ['2.6.39-y', '3.4-y', '6.x'];
