// Build the ConformanceData from the real runners, fresh on every run:
//   - properties/runner.ts checkClause: fast-check random sequences per (clause, profile)
//     or per comparison pair, shrunk counterexamples;
//   - explore/run.ts explore: the bounded exhaustive search per profile (invariants and
//     transition clauses on the profile's model; comparison clauses on the product of
//     the pair, searched once, from one of the two profiles).
// A cell is violated when either finds a counterexample (the shorter one is shown and
// saved); it holds when neither does, with both budgets shown; it is n/a when the
// clause does not speak about the profile. Nothing here knows a verdict in advance.

import { describeProof, modelHash, proofsOf } from '../kernel/proofs.ts';
import { PROFILES, PROFILE_IDS, type ProfileId } from '../model/index.ts';
import { explore, type ExploreOutcome } from '../explore/run.ts';
import { SCOPES, type Scope } from '../explore/scope.ts';
import { CLAUSES, labelOf, pairOf, type Clause } from '../clauses/index.ts';
import { checkClause, type ClauseResult } from '../properties/runner.ts';
import type { Trace } from '../traces/types.ts';
import { buildCounterexample } from './counterexample.ts';
import { chartSections } from './charts.ts';
import { findWitness } from './witness.ts';
import type {
  BudgetName, Cell, ClauseKind, ClauseRow, ConformanceData, CounterexampleSection, Evidence, ExplorationEvidence, Expected, ProfileColumn,
} from './data.ts';
import { CONFORMANCE_FORMAT, summarize } from './data.ts';
import { modeChart } from './diagram/machine.ts';
import type { ReportOptions } from './options.ts';
import type { OutFile } from './write.ts';

// ---- budgets ----------------------------------------------------------------------------

export interface Budget {
  readonly name: BudgetName;
  /** Random sequences per (clause, profile). */
  readonly runs: number;
  /** Generated ops per sequence at most. */
  readonly maxSteps: number;
  /** Exhaustive search: named scope (explore/scope.ts) and depth bound. */
  readonly scope: string;
  readonly depth: number;
  /** Wall-clock cap per profile's search; a capped search is shown as such ("not complete"). */
  readonly maxSecondsPerProfile: number;
}

/** Sized so that `default` finishes well under 60 s on two cores (README: the report's run time). */
export const BUDGETS: Readonly<Record<BudgetName, Budget>> = {
  quick: { name: 'quick', runs: 40, maxSteps: 12, scope: 'small', depth: 4, maxSecondsPerProfile: 10 },
  default: { name: 'default', runs: 150, maxSteps: 20, scope: 'doc', depth: 5, maxSecondsPerProfile: 20 },
  thorough: { name: 'thorough', runs: 1000, maxSteps: 30, scope: 'doc', depth: 7, maxSecondsPerProfile: 600 },
};

// ---- the catalogue as rows ----------------------------------------------------------------

const KIND: Readonly<Record<Clause['kind'], ClauseKind>> = { D: 'document', U: 'user-space', K: 'kernel', R: 'relation', I: 'invariant' };

export function clauseRow(c: Clause): ClauseRow {
  const expected = Object.entries(c.expected).map(([label, e]) => `${label}: ${e}`).join('; ');
  return {
    id: c.id,
    kind: KIND[c.kind],
    statement: c.statement,
    profiles: [...c.profiles],
    expected: expected === '' ? null : expected,
    pair: pairOf(c) ? [pairOf(c)![0], pairOf(c)![1]] : null,
    document: c.document ?? null,
    code: c.code === '' ? null : c.code,
  };
}

/** Every clause ID of the catalogue, in order (for option checking). */
export async function catalogueIds(): Promise<string[]> {
  return CLAUSES.map((c) => c.id);
}

const DESCRIPTIONS: Readonly<Partial<Record<ProfileId, readonly [string, string]>>> = {
  '2.6.39-n': ['Linux 2.6.39, CONFIG_DEVPTS_MULTIPLE_INSTANCES=n', '2.6.39, CONFIG=n'],
  '2.6.39-y': ['Linux 2.6.39, CONFIG_DEVPTS_MULTIPLE_INSTANCES=y', '2.6.39, CONFIG=y'],
  '3.4-y': ['Linux 3.4, CONFIG_DEVPTS_MULTIPLE_INSTANCES=y', '3.4, CONFIG=y'],
  '4.4-n': ['Linux 4.4, CONFIG_DEVPTS_MULTIPLE_INSTANCES=n', '4.4, CONFIG=n'],
  '4.4-y': ['Linux 4.4, CONFIG_DEVPTS_MULTIPLE_INSTANCES=y', '4.4, CONFIG=y'],
  '6.1': ['Linux 4.7 to 6.14 (legacy mount API), observed on Debian 6.1', '6.1, legacy API'],
  '6.x': ['Linux 6.15 and later (new mount API), as observed on 6.18', '6.15+ (6.18)'],
};

// ---- collecting -----------------------------------------------------------------------------

export type CollectProgress = (message: string) => void;

export interface CollectOptions extends Pick<ReportOptions, 'profiles' | 'clauses' | 'budget' | 'seed'> {
  /** The out dir as the user wrote it (replay commands are relative to the working directory). */
  readonly outShown: string;
  readonly onProgress?: CollectProgress;
  /** Override the named budget (tests). */
  readonly budgetOverride?: Partial<Budget>;
}

interface ExploreCell {
  readonly verdict: 'holds' | 'violated' | 'not-judged' | 'incomplete';
  readonly reason?: string;
  readonly evidence: ExplorationEvidence | null;
  /** The counterexample's trace, and for a comparison the other profile's side. */
  readonly trace: Trace | null;
  readonly otherTrace: Trace | null;
  readonly message: string | null;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/** Which profile's exploration searches a comparison clause's product (once, not twice). */
function productOwner(c: Clause, profiles: readonly ProfileId[]): ProfileId | null {
  return pairOf(c)!.find((p) => profiles.includes(p)) ?? null;
}

function exploreCells(out: ExploreOutcome, scope: Scope): Map<string, ExploreCell> {
  const cells = new Map<string, ExploreCell>();
  for (const v of out.verdicts) {
    const search = out.searches.find((s) => s.checks.includes(v.id));
    const evidence: ExplorationEvidence | null = search
      ? {
        scope: `${scope.name} to depth ${search.result.depthBound}`,
        depth: search.result.depthBound,
        states: search.result.distinct,
        complete: search.result.stop === 'done' || search.result.stop === 'violation',
      }
      : null;
    const cx = v.counterexample;
    cells.set(v.id, {
      verdict: v.verdict,
      ...(v.reason ? { reason: v.reason } : {}),
      evidence,
      trace: cx ? cx.trace : null,
      otherTrace: cx?.otherTrace ?? null,
      message: cx ? cx.message : null,
    });
  }
  return cells;
}

const opsOf = (t: Trace) => t.steps.map(({ expect: _e, note: _n, ...op }) => op as import('../model/index.ts').Op);

export async function collect(o: CollectOptions): Promise<{ data: ConformanceData; traces: OutFile[] }> {
  const t0 = performance.now();
  const budget: Budget = { ...BUDGETS[o.budget], ...(o.budgetOverride ?? {}) };
  const scope = SCOPES[budget.scope];
  if (!scope) throw new Error(`budget ${budget.name}: unknown exploration scope "${budget.scope}"`);
  const profiles = PROFILE_IDS.filter((p) => o.profiles.includes(p));
  const clauses = CLAUSES.filter((c) => o.clauses === null || o.clauses.includes(c.id));
  const problems: string[] = [];
  const progress = o.onProgress ?? (() => {});

  // 1. the exhaustive search, per profile
  const explored = new Map<ProfileId, Map<string, ExploreCell>>();
  for (const p of profiles) {
    const ids = clauses
      .filter((c) => c.profiles.includes(p) && (!pairOf(c) || productOwner(c, profiles) === p))
      .map((c) => c.id);
    if (ids.length === 0) continue;
    progress(`exploring ${p} (scope ${scope.name}, depth ${budget.depth}) …`);
    await yieldToLoop();
    try {
      const out = await explore({
        profile: p, scope, depth: budget.depth, clauses: ids, maxSeconds: budget.maxSecondsPerProfile,
        onProgress: (label, pr) => progress(`exploring ${label}: ${pr.distinct} states, depth ${pr.depth}`),
      });
      explored.set(p, exploreCells(out, scope));
    } catch (e) {
      problems.push(`exploration of ${p}: ${errorText(e)}`);
    }
  }
  const exploreCell = (c: Clause, p: ProfileId): ExploreCell | undefined => {
    const owner = pairOf(c) ? productOwner(c, profiles) : p;
    return owner === null ? undefined : explored.get(owner)?.get(c.id);
  };

  // 2. random sequences, per (clause, profile) or per comparison pair
  const random = new Map<string, ClauseResult | Error>();
  const tasks: { clause: Clause; target?: ProfileId }[] = [];
  for (const c of clauses) {
    if (pairOf(c)) { if (pairOf(c)!.some((p) => profiles.includes(p))) tasks.push({ clause: c }); continue; }
    for (const p of profiles) if (c.profiles.includes(p)) tasks.push({ clause: c, target: p });
  }
  for (const [i, t] of tasks.entries()) {
    const label = pairOf(t.clause) ? labelOf(t.clause) : t.target!;
    progress(`random sequences ${i + 1}/${tasks.length}: ${t.clause.id} on ${label}`);
    await yieldToLoop();
    try {
      random.set(`${t.clause.id}|${label}`, checkClause(t.clause, t.target, { runs: budget.runs, seed: o.seed, maxSteps: budget.maxSteps }));
    } catch (e) {
      random.set(`${t.clause.id}|${label}`, e instanceof Error ? e : new Error(String(e)));
    }
  }

  // 3. cells and counterexamples: a clause about one profile is judged per profile; a
  //    comparison clause once for its pair (both cells share the verdict and the section)
  const cells: Cell[] = [];
  const counterexamples: CounterexampleSection[] = [];
  const traces: OutFile[] = [];
  for (const c of clauses) {
    const row = clauseRow(c);
    const groups: ProfileId[][] = pairOf(c)
      ? [pairOf(c)!.filter((p) => profiles.includes(p))]
      : profiles.filter((p) => c.profiles.includes(p)).map((p) => [p]);
    const judged = new Map<ProfileId, Omit<Cell, 'clause' | 'profile' | 'expected'>>();
    for (const group of groups) {
      if (group.length === 0) continue;
      const judgement = judge(c, group);
      for (const p of group) judged.set(p, judgement(p));
    }
    for (const p of profiles) {
      const j = judged.get(p);
      if (!j) {
        cells.push({ clause: c.id, profile: p, verdict: 'n/a', evidence: { random: null, exploration: null, ms: null }, counterexample: null, trace: null, expected: null, note: `${c.id} does not speak about ${p}${pairOf(c) ? ` (it compares ${pairOf(c)!.join(' with ')})` : ` (only ${c.profiles.join(', ')})`}` });
        continue;
      }
      cells.push({ clause: c.id, profile: p, expected: (c.expected[labelOf(c, p)] ?? null) as Expected | null, ...j });
    }

    /** Judge a clause on one profile, or on its pair; returns each profile's cell. */
    function judge(clause: Clause, group: readonly ProfileId[]): (p: ProfileId) => Omit<Cell, 'clause' | 'profile' | 'expected'> {
      const label = labelOf(clause, group[0]);
      const r = random.get(`${clause.id}|${label}`);
      const rr = r instanceof Error ? undefined : r;
      const x = exploreCell(clause, group[0]!);
      const owner = pairOf(clause) ? productOwner(clause, profiles) : group[0]!;
      const notes: string[] = [];
      if (pairOf(clause)) notes.push(`compares ${pairOf(clause)![0]} with ${pairOf(clause)![1]}`);
      if (x?.verdict === 'not-judged' && x.reason) notes.push(`not explored: ${clause.id} ${x.reason}`);
      if (x?.verdict === 'incomplete' && x.reason) notes.push(`exploration incomplete: ${x.reason}`);
      const failed: string[] = [];
      if (r instanceof Error) failed.push(`random runs: ${errorText(r)}`);
      if (r === undefined) failed.push('random runs: no result');
      if (problems.some((m) => m.startsWith(`exploration of ${owner}:`))) failed.push('exploration failed');
      else if (x === undefined) notes.push('not explored');
      const evidence: Evidence = {
        random: rr ? { runs: rr.runs, witnessed: rr.witnessed, seed: rr.seed, maxSteps: rr.maxSteps } : null,
        exploration: x && x.verdict !== 'not-judged' ? x.evidence : null,
        ms: rr ? Math.round(rr.ms) : null,
      };
      const note = notes.join('; ') || null;
      const violatedBy = [rr?.verdict === 'violated', x?.verdict === 'violated'] as const;
      // candidates: the runner's shrunk traces and the explorer's shortest, one trace per side
      type Candidate = { sides: Trace[]; message: string; by: 'random' | 'exploration'; found: number | null; seed: number | null; extra: Record<string, unknown> };
      const candidates: Candidate[] = [];
      // a comparison shows both profiles, even when only one of them was selected
      const sideProfiles = pairOf(clause) ? [...pairOf(clause)!] : group;
      const sidesOf = (ts: readonly Trace[]): Trace[] | null => {
        const out = sideProfiles.map((p) => ts.find((t) => t.profile === p));
        return out.every((t) => t !== undefined) ? (out as Trace[]) : null;
      };
      if (rr?.verdict === 'violated' && rr.counterexample) {
        const sides = sidesOf(rr.counterexample.traces.map((t) => t.trace));
        if (sides) candidates.push({ sides, message: rr.counterexample.message, by: 'random', found: rr.counterexample.stepsBeforeShrink, seed: rr.counterexample.fcSeed, extra: { fastCheckPath: rr.counterexample.fcPath } });
      }
      if (x?.verdict === 'violated') {
        const sides = sidesOf([x.trace, x.otherTrace].filter((t): t is Trace => t !== null));
        if (sides) candidates.push({ sides, message: x.message ?? '', by: 'exploration', found: null, seed: null, extra: { scope: x.evidence?.scope ?? scope!.name } });
      }
      const all = (cell: Omit<Cell, 'clause' | 'profile' | 'expected'>) => () => cell;
      if (candidates.length === 0) {
        if (failed.length === 0 && !violatedBy.some(Boolean)) return all({ verdict: 'holds', evidence, counterexample: null, trace: null, note });
        const why = failed.length ? failed.join('; ') : 'violated, but no counterexample trace for every profile';
        for (const p of group) problems.push(`${clause.id} × ${p}: ${why}`);
        return all({ verdict: 'error', evidence, counterexample: null, trace: null, note: why });
      }
      candidates.sort((a, b) => a.sides[0]!.steps.length - b.sides[0]!.steps.length || (a.by === 'exploration' ? -1 : 1));
      const best = candidates[0]!;
      try {
        const built = buildCounterexample({
          clause: row,
          sides: best.sides.map((t) => ({ profile: t.profile, steps: opsOf(t), boot: t.boot })),
          failure: best.message,
          foundBy: violatedBy[0] && violatedBy[1] ? 'both' : best.by,
          seed: best.seed, foundLength: best.found, outShown: o.outShown, extra: best.extra,
        });
        for (const s of built.cx.sides) {
          if (!s.trace.replays) problems.push(`${clause.id} × ${s.profile}: the counterexample trace does not replay with every expectation holding`);
        }
        counterexamples.push(built.cx);
        traces.push(...built.files);
        return (p) => ({ verdict: 'violated', evidence, counterexample: built.cx.id, trace: built.cx.sides.find((s) => s.profile === p)?.trace.file ?? null, note });
      } catch (e) {
        const why = `the counterexample could not be replayed: ${errorText(e)}`;
        for (const p of group) problems.push(`${clause.id} × ${p}: ${why}`);
        return all({ verdict: 'error', evidence, counterexample: null, trace: null, note: why });
      }
    }
  }

  // 4. kernel facts: each cell links the corpus trace that shows the fact on its profile
  for (const [i, cell] of cells.entries()) {
    const clause = clauses.find((c) => c.id === cell.clause)!;
    if (clause.kind !== 'K' || cell.verdict === 'n/a') continue;
    try {
      const w = await findWitness(clause, cell.profile, o.outShown);
      cells[i] = { ...cell, witness: w ? w.witness : null };
      if (w && !traces.some((t) => t.path === w.file.path)) traces.push(w.file);
    } catch (e) {
      problems.push(`${cell.clause} × ${cell.profile}: its witness trace could not be read: ${errorText(e)}`);
    }
  }

  // 5. the charts, with the transitions the random runs and the exhaustive search took
  progress('chart coverage …');
  await yieldToLoop();
  let charts: ConformanceData['charts'];
  try {
    charts = chartSections(profiles, { runs: budget.runs, maxSteps: budget.maxSteps, seed: o.seed });
  } catch (e) {
    problems.push(`chart coverage: ${errorText(e)}`);
  }

  const model = modelHash();
  const columns: ProfileColumn[] = profiles.map((id) => ({
    id, description: DESCRIPTIONS[id]?.[0] ?? `profile ${id}`, short: DESCRIPTIONS[id]?.[1] ?? id, bootMode: PROFILES[id].bootMode,
    provedOn: proofsOf(id).map((p) => describeProof(p, model)),
  }));
  const data: ConformanceData = {
    format: CONFORMANCE_FORMAT,
    tool: { name: 'devpts-check', version: await toolVersion() },
    generated: new Date().toISOString(),
    durationMs: Math.round(performance.now() - t0),
    budget: { name: budget.name, randomRuns: budget.runs, explorationDepth: budget.depth, seed: o.seed, scope: scope.name, maxSteps: budget.maxSteps },
    profiles: columns,
    clauses: clauses.map(clauseRow),
    cells,
    counterexamples,
    machine: modeChart(),
    ...(charts ? { charts } : {}),
    summary: summarize(cells),
    problems,
  };
  return { data, traces };
}

async function toolVersion(): Promise<string> {
  try {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
