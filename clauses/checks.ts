// The shapes of a clause's check, as data the random runner, the explorer and the report
// read: a predicate on one transition, a scenario with its judge, a run-level judge, or a
// comparison of two profiles (pair, premise, boots, prefix).

import type { BootConfig, KernelState, Op, OpName, Outcome, Profile, ProfileId, StepResult } from '../model/index.ts';
import type { Run } from './run.ts';

/** One transition of a subject, and its step function for counterfactuals from `before`. */
export interface TransitionCtx {
  readonly profile: Profile;
  readonly before: KernelState;
  readonly op: Op;
  readonly result: StepResult;
  readonly after: KernelState;
  /** The subject's step function (for counterfactuals from `before`). */
  readonly step: (state: KernelState, op: Op) => Outcome;
  /** Called when the clause's premise held on this transition (optional). */
  readonly witness?: () => void;
}

/** A clause judged on one transition: a violation message, or null. */
export type TransitionCheck = (ctx: TransitionCtx) => string | null;

export interface Violation {
  /** 0-based index of the op at which the violation shows. */
  readonly step: number;
  readonly message: string;
  /** For comparisons: the other profile's run of the same ops. */
  readonly other?: Run;
}

/** A clause judged on a whole run; `witness` when its premise held. */
export type RunCheck = (run: Run, witness: () => void) => Violation | null;

/** A premise of a comparison, judged on the driver's run: why it does not hold, or null. */
export type Premise = (run: Run) => string | null;

/** What a scenario may do while it emits its steps (properties/generators Builder implements it). */
export interface ScenarioBuilder {
  /** Step an op (a scenario's steps always run) and record it, marked; null for a step the subject rejects. */
  emit(op: Op, mark?: string): StepResult | null;
  /** A root process of the run (any process when none is root). */
  rootPid(n: number): number;
  newPid(): number;
  handleName(): string;
  /** Unlink `path` when it exists. */
  clear(pid: number, path: string): void;
  exists(pid: number, path: string): boolean;
}
/** A procedure of the document: fixed-shape steps, parameterised by a few numbers, with marks. */
export type Scenario = (b: ScenarioBuilder, params: readonly number[]) => void;

/** Option vocabularies the generator knows (properties/generators/vocabulary.ts). */
export type Vocabulary = 'any' | 'noNewinstance' | 'legacyAny' | 'legacyValid' | 'newinstanceValid';

/** Hints for generating runs that exercise a clause (the generator's options, as data). */
export interface Generation {
  readonly weights?: Readonly<Record<string, number>>;
  readonly vocabulary?: Vocabulary;
  readonly boots?: readonly BootConfig[];
  readonly exclude?: readonly OpName[];
  /** Never name a devpts ptmx node (comparisons whose profiles differ there). */
  readonly avoidDevptsPtmx?: boolean;
}

export type Check =
  | {
    readonly kind: 'transition';
    readonly predicate: TransitionCheck;
    /** An invariant of the state after a step alone (the explorer judges it once per state). */
    readonly stateOnly?: boolean;
    readonly generation?: Generation;
  }
  | { readonly kind: 'scenario'; readonly scenario: Scenario; readonly judge: RunCheck; readonly generation?: Generation }
  | {
    readonly kind: 'run';
    readonly judge: RunCheck;
    /** Runs are drawn from each generation in turn (fast-check oneof). */
    readonly generations: readonly Generation[];
  }
  | {
    readonly kind: 'comparison';
    /** [driver, other]: sequences are generated on the driver, replayed on the other. */
    readonly pair: readonly [ProfileId, ProfileId];
    readonly premise: Premise;
    /** A devpts listing loses its "ptmx" entry before comparing (the one difference D5 grants). */
    readonly dropPtmx: boolean;
    /** Boot configurations; the first is the default (and the explorer's when none of its scope fits). */
    readonly boots: readonly BootConfig[];
    /** Ops run first on both sides. */
    readonly prefix: readonly Op[];
    readonly generation: Generation;
  };

export type CheckKind = Check['kind'];
