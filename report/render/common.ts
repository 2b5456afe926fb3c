// Small pieces every renderer shares: number formatting, evidence sentences, grouping.

import type { ProfileId } from '../../model/index.ts';
import type { Cell, ClauseKind, ClauseRow, ConformanceData, CounterexampleSection, Evidence } from '../data.ts';

/** 12345 → "12 345" (thin groups read well in tables and terminals). */
export const num = (n: number): string => n.toLocaleString('en-US').replace(/,/g, ' ');

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const KIND_TITLES: Readonly<Record<ClauseKind, string>> = {
  document: 'From the document (devpts.txt body)',
  'user-space': 'From the document’s “User-space changes” notes',
  kernel: 'Kernel facts the document does not state',
  relation: 'Between profiles',
  invariant: 'Invariants (every profile, after every step)',
};
export const KIND_ORDER: readonly ClauseKind[] = ['document', 'user-space', 'kernel', 'relation', 'invariant'];

/** Clauses in catalogue order, grouped by kind (kinds in KIND_ORDER; empty groups dropped). */
export function groups(data: ConformanceData): { kind: ClauseKind; clauses: ClauseRow[] }[] {
  return KIND_ORDER.map((kind) => ({ kind, clauses: data.clauses.filter((c) => c.kind === kind) })).filter((g) => g.clauses.length > 0);
}

/** "200 random sequences (seed 7)" */
export function randomWords(e: Evidence): string | null {
  if (!e.random) return null;
  const r = e.random;
  const hit = r.witnessed !== null ? `, ${num(r.witnessed)} of them exercising the clause` : '';
  return `${num(r.runs)} random sequence${r.runs === 1 ? '' : 's'} (seed ${r.seed}${r.maxSteps ? `, up to ${r.maxSteps} steps` : ''}${hit})`;
}

/** "exhaustive to depth 8 of scope doc: 12 345 states" */
export function explorationWords(e: Evidence): string | null {
  const x = e.exploration;
  if (!x) return null;
  return `exhaustive search of scope ${x.scope}: ${num(x.states)} states${x.complete ? '' : ' (stopped at a cap: not complete)'}`;
}

/** The evidence of a cell in one sentence. */
export function evidenceSentence(cell: Cell): string {
  const parts = [randomWords(cell.evidence), explorationWords(cell.evidence)].filter((s): s is string => s !== null);
  if (cell.verdict === 'n/a') return cell.note ?? 'the clause does not speak about this profile';
  if (cell.verdict === 'error') return `could not be computed: ${cell.note ?? 'see problems'}`;
  if (cell.verdict === 'violated') return `counterexample found${parts.length ? ` within ${parts.join(' and ')}` : ''}`;
  const base = parts.length ? `no counterexample in ${parts.join(' and in the ')}` : 'no evidence recorded';
  return cell.note ? `${base}; ${cell.note}` : base;
}

/** The catalogue's hypothesis vs the computed verdict, in words ("expected violated"), or null when they agree or there is none. */
export function surpriseWords(cell: Cell): string | null {
  if (cell.verdict !== 'holds' && cell.verdict !== 'violated') return null;
  if (cell.expected !== 'holds' && cell.expected !== 'violated') return null;
  return cell.expected === cell.verdict ? null : `the catalogue expected ${cell.expected}`;
}

/** 950 → "950", 28651 → "28.7k", 1234567 → "1.2M" (matrix cells). */
export function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
}

/** The short form shown inside a matrix cell: "150 runs · 28.7k states" (hits, seed and scope in the tooltip). */
export function evidenceShort(e: Evidence): string {
  const parts: string[] = [];
  if (e.random) parts.push(`${num(e.random.runs)} runs`);
  if (e.exploration) parts.push(`${compact(e.exploration.states)} states${e.exploration.complete ? '' : '*'}`);
  return parts.join(' · ');
}

export const profileIds = (data: ConformanceData): ProfileId[] => data.profiles.map((p) => p.id);

/** "D5 × 2.6.39-y vs 2.6.39-n" */
export const cxTitle = (cx: CounterexampleSection): string => `${cx.clause} × ${cx.sides.map((s) => s.profile).join(' vs ')}`;

/** "found by random testing, seed 7" / "the exhaustive search" … (without "found by"). */
export function foundWords(cx: CounterexampleSection): string {
  if (cx.foundBy === 'exploration') return 'the exhaustive search (shortest in its scope)';
  if (cx.foundBy === 'both') return 'random testing and the exhaustive search';
  return `random testing${cx.seed !== null ? `, seed ${cx.seed}` : ''}`;
}

/** "3 steps, shrunk from 9, then 2 observations" (the observations show what breaks: traces/evidence.ts). */
export function lengthWords(cx: CounterexampleSection): string {
  const observed = cx.evidenceSteps?.length ?? 0;
  const n = cx.steps.length - observed;
  const shrunk = cx.lengths.found !== null && cx.lengths.found !== n ? `, shrunk from ${cx.lengths.found}` : '';
  const then = observed ? `, then ${observed} observation${observed === 1 ? '' : 's'} that show what breaks` : '';
  return `${n} step${n === 1 ? '' : 's'}${shrunk}${then}`;
}

/** A counterexample's clause kind: a finding (D/U/R: the document and the code disagree) or a model bug (K/I). */
export function isFinding(data: ConformanceData, cx: CounterexampleSection): boolean {
  const kind = data.clauses.find((c) => c.id === cx.clause)?.kind;
  return kind !== 'kernel' && kind !== 'invariant';
}

/** The counts every format states the same way: violated cells, the counterexamples that show them, findings and model bugs. */
export function violationCounts(data: ConformanceData): { cells: number; counterexamples: number; findings: number; bugs: number; words: string } {
  const cells = data.summary.violated;
  const counterexamples = data.counterexamples.length;
  const findings = data.counterexamples.filter((cx) => isFinding(data, cx)).length;
  const bugs = counterexamples - findings;
  const pairs = data.counterexamples.filter((cx) => cx.sides.length > 1).length;
  const shared = pairs > 0 && cells !== counterexamples ? `; a comparison's counterexample covers both of its profiles` : '';
  const words = `${cells} violated cell${cells === 1 ? '' : 's'}, shown by ${counterexamples} counterexample${counterexamples === 1 ? '' : 's'} (${findings} finding${findings === 1 ? '' : 's'}, ${bugs} model bug${bugs === 1 ? '' : 's'}${shared})`;
  return { cells, counterexamples, findings, bugs, words };
}

export interface ProfileEvidence {
  /** "150 sequences per clause, seed 20260004" (over the cells that hold). */
  readonly random: string | null;
  /** One line per distinct search: "21 680 states (scope doc to depth 5)" and the clauses it judged. */
  readonly searches: readonly { readonly text: string; readonly clauses: readonly string[] }[];
  /** Clauses that hold on random runs alone (judged on whole scenarios). */
  readonly randomOnly: readonly string[];
}

/** The budget behind a profile's verdicts, grouped (violated cells stop early, so their run counts are left out). */
export function profileEvidence(data: ConformanceData, profile: string): ProfileEvidence {
  const cells = data.cells.filter((c) => c.profile === profile && (c.verdict === 'holds' || c.verdict === 'violated'));
  const held = cells.filter((c) => c.verdict === 'holds');
  const runs = [...new Set(held.map((c) => c.evidence.random?.runs).filter((n): n is number => n !== undefined))];
  const seeds = [...new Set(held.map((c) => c.evidence.random?.seed).filter((n): n is number => n !== undefined))];
  const tried = cells.some((c) => c.evidence.random !== null);
  const random = runs.length ? `${runs.map(num).join('/')} sequences per clause, seed ${seeds.join('/')}`
    : tried ? `up to ${num(data.budget.randomRuns)} sequences per clause, seed ${data.budget.seed}: each stopped at its counterexample` : null;
  const searches = new Map<string, string[]>();
  const randomOnly: string[] = [];
  for (const c of cells) {
    const x = c.evidence.exploration;
    if (!x) { if (c.verdict === 'holds') randomOnly.push(c.clause); continue; }
    const key = `${num(x.states)} states (scope ${x.scope}${x.complete ? '' : ', capped'})`;
    searches.set(key, [...(searches.get(key) ?? []), c.clause]);
  }
  return { random, searches: [...searches].map(([text, clauses]) => ({ text, clauses })), randomOnly };
}
