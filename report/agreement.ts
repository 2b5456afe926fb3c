// Agreement between the explorer (explore/) and the random runner (properties/runner.ts),
// the two engines that read the same clause records (above both, so it lives here):
// for every clause that speaks about a profile, the explorer's verdict within a scope
// and the runner's verdict (fast-check runs, shrunk counterexample) should agree, and
// where both find a violation the explorer's counterexample (the shortest in its scope)
// should be no longer than the runner's shrunk one. Disagreements are findings: a
// violation the runner finds outside the scope (other boots, paths, sysctls), or one
// the runner's runs did not reach.

import { type ProfileId } from '../model/index.ts';
import { clauseById, labelOf, pairOf } from '../clauses/index.ts';
import { checkClause, DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED, type RandomVerdict } from '../properties/runner.ts';
import { explore, type ExploreOutcome, type ExploreVerdict } from '../explore/run.ts';
import type { Scope } from '../explore/scope.ts';
import { plural } from '../explore/trace.ts';

export interface AgreementRow {
  clause: string;
  /** Profile ID, or "A vs B" for a comparison clause. */
  label: string;
  explorer: ExploreVerdict;
  explorerLength: number | null;
  random: RandomVerdict;
  randomLength: number | null;
  runs: number;
  /** Verdicts agree (a clause the explorer does not judge counts as agreeing: nothing to compare). */
  agree: boolean;
  /** Both violated: the explorer's counterexample is no longer than the runner's shrunk one. */
  noLonger: boolean | null;
  note?: string;
}

export interface CompareOptions {
  profile: ProfileId;
  scope: Scope;
  /** The explorer's outcome, if already computed (else explore every clause of the profile). */
  explored?: ExploreOutcome;
  clauses?: readonly string[];
  runs?: number;
  seed?: number;
  maxSteps?: number;
}

/** Run the random runner on every clause the explorer judged and compare. */
export async function compareWithRandom(o: CompareOptions): Promise<AgreementRow[]> {
  const out = o.explored ?? await explore({ profile: o.profile, scope: o.scope, clauses: o.clauses ?? [] });
  const rows: AgreementRow[] = [];
  for (const v of out.verdicts) {
    const clause = clauseById(v.id);
    if (!clause) continue;
    const label = pairOf(clause) ? labelOf(clause) : o.profile;
    if (v.verdict === 'not-judged') {
      rows.push({ clause: v.id, label, explorer: v.verdict, explorerLength: null, random: 'n/a', randomLength: null, runs: 0, agree: true, noLonger: null, note: v.reason });
      continue;
    }
    const r = checkClause(clause, o.profile, { runs: o.runs ?? DEFAULT_RUNS, seed: o.seed ?? DEFAULT_SEED, maxSteps: o.maxSteps ?? DEFAULT_MAX_STEPS });
    const explorerLength = v.counterexample?.length ?? null;
    const randomLength = r.counterexample?.stepsAfterShrink ?? null;
    const agree = v.verdict === r.verdict;
    const noLonger = explorerLength !== null && randomLength !== null ? explorerLength <= randomLength : null;
    let note: string | undefined;
    if (!agree && v.verdict === 'holds' && r.verdict === 'violated') note = `the runner's counterexample (${plural(randomLength ?? 0, 'step')}) lies outside scope ${o.scope.name} or beyond its depth ${out.depthBound}`;
    if (!agree && v.verdict === 'violated' && r.verdict === 'holds') note = `the runner's ${plural(r.runs, 'run')} did not reach the explorer's ${explorerLength}-step counterexample`;
    if (v.verdict === 'incomplete') note = v.reason;
    rows.push({ clause: v.id, label, explorer: v.verdict, explorerLength, random: r.verdict, randomLength, runs: r.runs, agree, noLonger, ...(note ? { note } : {}) });
  }
  return rows;
}

/** Lines for the terminal. */
export function renderAgreement(rows: readonly AgreementRow[]): string[] {
  const lines = ['clause  label                  explorer (steps)    random (shrunk steps)   agree  no longer'];
  for (const r of rows) {
    const e = `${r.explorer}${r.explorerLength !== null ? ` (${r.explorerLength})` : ''}`;
    const x = `${r.random}${r.randomLength !== null ? ` (${r.randomLength})` : ''}`;
    lines.push(`${r.clause.padEnd(7)} ${r.label.padEnd(22)} ${e.padEnd(19)} ${x.padEnd(23)} ${(r.agree ? 'yes' : 'NO').padEnd(6)} ${r.noLonger === null ? '-' : r.noLonger ? 'yes' : 'NO'}${r.note ? `   ${r.note}` : ''}`);
  }
  const judged = rows.filter((r) => r.explorer !== 'not-judged');
  lines.push(`${judged.filter((r) => r.agree).length}/${judged.length} judged clauses agree; ${judged.filter((r) => r.noLonger === false).length} explorer counterexamples longer than the runner's`);
  return lines;
}
