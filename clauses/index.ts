// The clause catalogue (../shared/design/clauses.md) as data, in clauses.md's order: the
// one source the random runner (properties/), the explorer (explore/) and the report read.

import { DOCUMENT_CLAUSES, USER_SPACE_CLAUSES } from './catalogue/document.ts';
import { KERNEL_CLAUSES } from './catalogue/kernel.ts';
import { RELATION_CLAUSES } from './catalogue/relations.ts';
import { INVARIANT_CLAUSES } from './catalogue/invariants.ts';
import type { Clause } from './record.ts';

export const CLAUSES: readonly Clause[] = [...DOCUMENT_CLAUSES, ...USER_SPACE_CLAUSES, ...KERNEL_CLAUSES, ...RELATION_CLAUSES, ...INVARIANT_CLAUSES];

export const clauseById = (id: string): Clause | undefined => CLAUSES.find((c) => c.id === id);

export { labelOf, pairOf, type Clause, type ClauseKind, type Expected } from './record.ts';
export type { Check, CheckKind, Generation, Premise, RunCheck, Scenario, ScenarioBuilder, TransitionCheck, TransitionCtx, Violation, Vocabulary } from './checks.ts';
export type { Verdict, Counterexample, CounterexampleSide } from './verdict.ts';
export { subjectOf, isRealSubject, execute, executeUpTo, bootState, type Run, type Subject, type SubjectLike } from './run.ts';
export { describeOp, describeResult } from './describe.ts';
export { INVARIANTS, checkInvariants, type InvariantId } from './invariants.ts';
export { TRANSITIONS } from './transitions.ts';
export { SYMLINK_PREFIX } from './catalogue/document.ts';
