// The terminal rendering, in the order a reader at a terminal needs it: what was found
// (one line per counterexample) first, then one paragraph per counterexample, the
// evidence per profile, and last the clause × profile matrix with the totals, so the
// matrix is what stays on screen. Every count agrees with the others (violated cells vs
// counterexamples, findings vs model bugs: common.ts violationCounts). Colour only when
// asked (the caller decides: a TTY and no NO_COLOR); without colour the text is plain
// and still says everything.

import type { ConformanceData, Verdict } from '../data.ts';
import { chartsLine } from './sections.ts';
import { cellOf, surprises } from '../data.ts';
import { cxTitle, foundWords, isFinding, lengthWords, num, profileEvidence, profileIds, seconds, violationCounts } from './common.ts';

export interface TextOptions {
  readonly colour: boolean;
  /** Terminal width; long statement lines are cut to it. null: never cut. */
  readonly width: number | null;
  /** The --out directory as the user wrote it (for the file list). */
  readonly outDir: string;
  readonly files: readonly string[];
  /** The command that runs this report again. */
  readonly rerun?: string;
}

const SGR = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', cyan: '\x1b[36m' };

export function renderText(data: ConformanceData, o: TextOptions): string {
  const paint = (codes: string, s: string): string => (o.colour ? `${codes}${s}${SGR.reset}` : s);
  const word = (v: Verdict): string => (v === 'violated' ? 'VIOLATED' : v === 'error' ? 'ERROR' : v);
  const colourOf = (v: Verdict): string => (v === 'holds' ? SGR.green : v === 'violated' ? SGR.red + SGR.bold : v === 'error' ? SGR.yellow + SGR.bold : SGR.dim);
  const cut = (s: string, room: number): string => (o.width === null || s.length <= room ? s : `${s.slice(0, Math.max(10, room) - 1)}…`);
  const profiles = profileIds(data);
  const out: string[] = [];

  out.push(paint(SGR.bold, 'devpts conformance: the document (devpts.txt, Linux 2.6.39) checked against the kernel code'));
  out.push(`budget ${data.budget.name}: ${num(data.budget.randomRuns)} random sequences per cell (seed ${data.budget.seed}, up to ${data.budget.maxSteps} steps) + exhaustive search of scope ${data.budget.scope} to depth ${data.budget.explorationDepth} per profile`);
  out.push('');

  const counts = violationCounts(data);

  // 1. what was found, one line each
  if (data.counterexamples.length > 0) {
    out.push(paint(SGR.bold, `Found: ${counts.words}`));
    for (const cx of data.counterexamples) {
      const what = isFinding(data, cx) ? 'finding  ' : 'model bug';
      out.push(`  ${what}  ${paint(SGR.bold + SGR.red, cxTitle(cx).padEnd(26))} ${cut(cx.failure, (o.width ?? Infinity) - 41)}`);
    }
  } else {
    out.push(paint(SGR.bold, 'Found: no violation within this budget'));
  }

  // 2. one paragraph per counterexample
  if (data.counterexamples.length > 0) {
    out.push('');
    out.push(paint(SGR.bold, `Counterexamples (${counts.counterexamples}): where the document and the kernel code disagree${counts.bugs ? ', and model bugs' : ''}`));
    for (const cx of data.counterexamples) {
      out.push('');
      out.push(paint(SGR.bold + SGR.red, cxTitle(cx)) + paint(SGR.bold, `  ${cx.statement}`));
      out.push(`  ${isFinding(data, cx) ? 'A finding: the document and the kernel code disagree.' : 'A model bug: the model breaks a kernel fact or invariant it must keep.'}`);
      if (cx.document) out.push(`  The document says: ${cx.document}`);
      if (cx.code) out.push(`  The kernel code:   ${cx.code}`);
      out.push(`  Minimal counterexample (${lengthWords(cx)}; found by ${foundWords(cx)}):`);
      const w = String(cx.steps.length).length;
      if (cx.boot) out.push(`    ${'0'.padStart(w)}. boot: ${cx.boot}`);
      const two = cx.sides.length > 1;
      const evidence = new Set(cx.evidenceSteps ?? []);
      for (const st of cx.steps) {
        const results = cx.sides.map((side) => {
          const r = side.results[st.n - 1];
          const text = r ? paint(r.text.startsWith('ok') ? SGR.green : SGR.yellow, r.text) : paint(SGR.dim, '(not run)');
          return two ? `${side.profile}: ${text}` : text;
        });
        const mark = st.n === cx.failingStep ? paint(SGR.red + SGR.bold, ' ◀') : evidence.has(st.n) ? paint(SGR.dim, '  (evidence)') : '';
        out.push(`    ${String(st.n).padStart(w)}. ${st.text}  ${paint(SGR.dim, '→')} ${results.join(paint(SGR.dim, ' | '))}${mark}`);
      }
      out.push(`  What breaks: ${cx.failure}`);
      for (const side of cx.sides) out.push(`  Replay${two ? ` (${side.profile})` : ''}: ${paint(SGR.cyan, side.trace.replay)}`);
    }
  }

  // 3. the evidence, per profile column: every "holds" shows its budget
  out.push('');
  out.push(paint(SGR.bold, 'Evidence') + ' (sequences: random runs per clause; hit: runs where the clause\'s premise held; states: the exhaustive search that judged those clauses)');
  for (const p of profiles) {
    const e = profileEvidence(data, p);
    const hits = data.cells.filter((c) => c.profile === p && c.verdict === 'holds' && c.evidence.random?.witnessed != null)
      .map((c) => `${c.clause} ${c.evidence.random!.witnessed}`).join(', ');
    out.push(`  ${p.padEnd(9)} ${e.random ?? 'no random runs'}${hits ? `; hit: ${hits}` : ''}`);
    for (const x of e.searches) out.push(`  ${''.padEnd(9)} ${x.text}: ${x.clauses.join(' ')}`);
    if (e.randomOnly.length) out.push(`  ${''.padEnd(9)} random runs only (judged on whole scenarios, not single transitions): ${e.randomOnly.join(' ')}`);
  }
  if (data.problems.length > 0) {
    out.push('');
    out.push(paint(SGR.bold + SGR.red, 'Could not be computed:'));
    for (const p of data.problems) out.push(`  ${p}`);
  }

  const charts = chartsLine(data);
  if (charts) { out.push(''); out.push(charts); }

  // 4. the matrix last, then the totals
  out.push('');
  const idWidth = Math.max(6, ...data.clauses.map((c) => c.id.length)) + 2;
  const colWidth = Math.max(10, ...profiles.map((p) => p.length + 2));
  const header = 'clause'.padEnd(idWidth) + profiles.map((p) => p.padEnd(colWidth)).join('') + 'statement';
  out.push(paint(SGR.bold, header));
  const statementRoom = o.width === null ? Infinity : o.width - idWidth - colWidth * profiles.length;
  for (const clause of data.clauses) {
    const cells = profiles.map((p) => {
      const v = cellOf(data, clause.id, p)?.verdict ?? 'n/a';
      return paint(colourOf(v), word(v).padEnd(colWidth));
    });
    out.push(clause.id.padEnd(idWidth) + cells.join('') + cut(clause.statement, statementRoom));
  }
  const s = data.summary;
  out.push('');
  out.push(`${paint(SGR.green, `${s.holds} holds`)}, ${paint(SGR.red + SGR.bold, `${s.violated} violated`)}, ${s.na} n/a${s.error ? `, ${paint(SGR.yellow + SGR.bold, `${s.error} not computed`)}` : ''} — ${data.clauses.length} clauses × ${profiles.length} profiles in ${seconds(data.durationMs)}`);
  if (data.counterexamples.length > 0) out.push(`Violated: ${counts.words}.`);
  const odd = surprises(data);
  if (odd.length > 0) out.push(`Differs from the catalogue's hypothesis: ${odd.map((c) => `${c.clause} × ${c.profile} ${c.verdict} (expected ${c.expected})`).join('; ')}`);
  if (o.files.length > 0) out.push(`Wrote ${o.files.join(', ')} in ${o.outDir}`);
  if (o.rerun) out.push(`The same run again: ${o.rerun}`);
  return `${out.join('\n')}\n`;
}
