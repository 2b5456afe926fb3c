// The explorer's entry point: one profile, one scope, the requested checks. Runs the
// search of the profile's model (invariants and transition clauses) and, for clauses
// that compare two profiles, the search of the product; turns every violation into a
// shortest counterexample trace (devpts-trace/1), saved when an output folder is given.

import { isToolError, profileOf, type Op, type Profile, type ProfileId, type StepResult } from '../model/index.ts';
import type { Counterexample, Verdict } from '../clauses/index.ts';
import type { Trace } from '../traces/types.ts';
import { Search, type Progress, type SearchResult } from './bfs.ts';
import { planChecks } from './checks.ts';
import { productOf, ProductSystem, productCheck } from './product.ts';
import type { Scope } from './scope.ts';
import { KernelSystem } from './system.ts';
import { counterexampleName, counterexampleTrace, plural, saveCounterexample, withItsEvidence } from './trace.ts';

export interface ExploreOptions {
  profile: ProfileId | Profile;
  scope: Scope;
  /** Depth bound (default: the scope's). */
  depth?: number;
  /** Clause/invariant IDs; empty: every invariant and transition clause of the profile. */
  clauses?: readonly string[];
  exact?: boolean;
  maxStates?: number;
  maxSeconds?: number;
  maxHeapBytes?: number;
  stopAtFirst?: boolean;
  /** Save counterexamples here (created if missing). */
  outDir?: string;
  onProgress?: (label: string, p: Progress) => void;
}

/** The shortest counterexample in the scope (clauses/verdict.ts Counterexample, with its traces). */
export interface ExploredCounterexample extends Counterexample {
  check: string;
  /** Steps (the violating step last; for product clauses the prefix included). */
  length: number;
  ops: Op[];
  results: StepResult[];
  trace: Trace;
  /** For product clauses: the same steps on the other profile. */
  otherTrace?: Trace;
  path?: string;
  otherPath?: string;
}

export interface SearchReport {
  /** "model 2.6.39-y" or "product R1 (2.6.39-n × 2.6.39-y)". */
  label: string;
  checks: string[];
  result: SearchResult;
  counterexamples: ExploredCounterexample[];
}

/** The explorer's verdicts (clauses/verdict.ts). */
export type ExploreVerdict = Extract<Verdict, 'holds' | 'violated' | 'not-judged' | 'incomplete'>;

export interface ExploreOutcome {
  profile: ProfileId;
  scope: string;
  depthBound: number;
  searches: SearchReport[];
  verdicts: { id: string; verdict: ExploreVerdict; reason?: string; counterexample?: ExploredCounterexample }[];
  /** 'violation' if any check is violated, 'budget' if a search stopped early, else 'ok'. */
  status: 'ok' | 'violation' | 'budget';
}

/** Explore one profile over one scope. */
export async function explore(o: ExploreOptions): Promise<ExploreOutcome> {
  const profile = typeof o.profile === 'string' ? profileOf(o.profile) : o.profile;
  const depth = o.depth ?? o.scope.depth;
  const plan = planChecks(profile, o.clauses ?? []);
  const searches: SearchReport[] = [];
  const t0 = performance.now();
  const remaining = (): number | undefined => (o.maxSeconds === undefined ? undefined : Math.max(0.001, o.maxSeconds - (performance.now() - t0) / 1000));

  if (plan.checks.length > 0 || (o.clauses ?? []).length === 0) {
    const sys = new KernelSystem(profile, o.scope);
    const search = new Search(sys);
    const label = `model ${profile.id}`;
    const result = search.run({
      depth, checks: plan.checks, exact: o.exact, maxStates: o.maxStates, maxSeconds: remaining(),
      maxHeapBytes: o.maxHeapBytes, stopAtFirst: o.stopAtFirst,
      onProgress: o.onProgress && ((p) => o.onProgress!(label, p)),
    });
    const counterexamples: ExploredCounterexample[] = [];
    for (const v of result.violations) {
      const rep = search.replay(search.pathOf(v));
      const boot = sys.boots[rep.root] ?? {};
      const trace = counterexampleTrace({ profile: profile.id, boot, ops: rep.ops, results: rep.results, check: v.check, message: v.message, scope: o.scope.name });
      const cx: ExploredCounterexample = {
        clause: v.check, check: v.check, message: v.message, step: rep.ops.length, length: rep.ops.length, ops: rep.ops, results: rep.results, trace,
        sides: [{ profile: profile.id, boot, ops: rep.ops, results: rep.results }],
      };
      if (o.outDir) cx.path = await saveCounterexample(o.outDir, counterexampleName(v.check, profile.id, o.scope.name), withItsEvidence([trace])[0]!);
      counterexamples.push(cx);
    }
    searches.push({ label, checks: plan.checks.map((c) => c.id), result, counterexamples });
  }

  for (const record of plan.product) {
    const id = record.id;
    const clause = productOf(record);
    const sys = new ProductSystem(clause, o.scope);
    const search = new Search(sys);
    const label = `product ${id} (${clause.a} × ${clause.b})`;
    const prefix = clause.prefix?.length ?? 0;
    const result = search.run({
      depth: depth + prefix, checks: [productCheck(clause)], exact: o.exact, maxStates: o.maxStates, maxSeconds: remaining(),
      maxHeapBytes: o.maxHeapBytes, stopAtFirst: true,
      onProgress: o.onProgress && ((p) => o.onProgress!(label, p)),
    });
    const counterexamples: ExploredCounterexample[] = [];
    for (const v of result.violations) {
      const rep = search.replay(search.pathOf(v));
      const boot = sys.boots[rep.root] ?? {};
      const split = (side: 'a' | 'b'): StepResult[] => rep.results.map((r) => {
        const { other, ...mine } = r as unknown as Record<string, unknown> & { other: StepResult };
        return side === 'a' ? (mine as unknown as StepResult) : other;
      });
      const mk = (p: ProfileId, results: StepResult[], other: ProfileId) => counterexampleTrace({
        profile: p, boot, ops: rep.ops, results, check: id, message: v.message, scope: o.scope.name,
        title: `explore: shortest counterexample to ${id} (${clause.a} vs ${clause.b}), the ${p} side (scope ${o.scope.name}, ${plural(rep.ops.length, 'step')})`,
        extra: { compareWith: other },
      });
      const mineIsA = profile.id === clause.a;
      const [me, other] = mineIsA ? [clause.a, clause.b] : [clause.b, clause.a];
      const trace = mk(me, split(mineIsA ? 'a' : 'b'), other);
      const otherTrace = mk(other, split(mineIsA ? 'b' : 'a'), me);
      const cx: ExploredCounterexample = {
        clause: id, check: id, message: v.message, step: rep.ops.length, length: rep.ops.length, ops: rep.ops, results: split(mineIsA ? 'a' : 'b'), trace, otherTrace,
        sides: [{ profile: me, boot, ops: rep.ops, results: split(mineIsA ? 'a' : 'b') }, { profile: other, boot, ops: rep.ops, results: split(mineIsA ? 'b' : 'a') }],
      };
      if (o.outDir) {
        const [mine, theirs] = withItsEvidence([trace, otherTrace]);
        cx.path = await saveCounterexample(o.outDir, counterexampleName(id, me, o.scope.name), mine!);
        cx.otherPath = await saveCounterexample(o.outDir, counterexampleName(id, other, o.scope.name, '.other'), theirs!);
      }
      counterexamples.push(cx);
    }
    searches.push({ label, checks: [id], result, counterexamples });
  }

  const verdicts: ExploreOutcome['verdicts'] = [];
  for (const s of searches) {
    for (const id of s.checks) {
      const cx = s.counterexamples.find((c) => c.check === id);
      if (cx) verdicts.push({ id, verdict: 'violated', counterexample: cx });
      else if (s.result.stop === 'done' || s.result.stop === 'violation') verdicts.push({ id, verdict: 'holds' });
      else verdicts.push({ id, verdict: 'incomplete', reason: `search stopped early (${s.result.stop})` });
    }
  }
  for (const n of plan.notJudged) verdicts.push({ id: n.id, verdict: 'not-judged', reason: n.reason });
  // a search that stopped at the first violation has not judged its other checks completely
  for (const s of searches) {
    if (s.result.stop !== 'violation') continue;
    for (const v of verdicts) if (v.verdict === 'holds' && s.checks.includes(v.id) && s.result.violations.length > 0 && o.stopAtFirst) { v.verdict = 'incomplete'; v.reason = 'search stopped at the first violation'; }
  }
  const status = verdicts.some((v) => v.verdict === 'violated') ? 'violation'
    : searches.some((s) => s.result.stop !== 'done') ? 'budget' : 'ok';
  return { profile: profile.id, scope: o.scope.name, depthBound: depth, searches, verdicts, status };
}

/** Results without tool errors (for callers that print them). */
export const kernelResults = (rs: readonly StepResult[]) => rs.filter((r) => !isToolError(r));
