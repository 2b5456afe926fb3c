// conformance.html: ONE self-contained file. No network, no scripts, no web fonts:
// inline CSS and inline SVG only, so it opens from a CI artifact or an air-gapped box.
// Layout: summary → matrix (one row per clause, one column per profile; every violated
// cell links to its counterexample) → evidence → mode chart → one section per violation.

import { sectionsHtml, witnessLinkHtml } from './sections.ts';
import type { Cell, ConformanceData, CounterexampleSection } from '../data.ts';
import { cellOf } from '../data.ts';
import { esc, machineSvg, stateSvg } from '../diagram/svg.ts';
import { cxTitle, profileEvidence, evidenceSentence, evidenceShort, foundWords, groups, KIND_TITLES, lengthWords, num, profileIds, seconds, surpriseWords, violationCounts } from './common.ts';

const CSS = `
:root { --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#fff; --holds:#ecfdf5; --holds-fg:#047857; --viol:#fef2f2; --viol-fg:#b91c1c; --na:#f9fafb; --na-fg:#9ca3af; --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 40px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 10px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
a { color: var(--accent); }
.lede { color: #374151; max-width: 900px; margin: 4px 0 14px; }
.chips { display: flex; gap: 10px; flex-wrap: wrap; margin: 12px 0; }
.chip { border-radius: 999px; padding: 4px 12px; font-weight: 600; border: 1px solid var(--line); }
.chip.holds { background: var(--holds); color: var(--holds-fg); border-color: #a7f3d0; }
.chip.violated { background: var(--viol); color: var(--viol-fg); border-color: #fecaca; }
.chip.na { background: var(--na); color: var(--muted); }
.chip.problem { background: #fff7ed; color: #9a3412; border-color: #fed7aa; }
.runinfo { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; }
table.matrix { table-layout: fixed; }
.matrix th, .matrix td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: middle; }
.matrix thead th { position: sticky; top: 0; background: #f3f4f6; z-index: 1; text-align: center; font-size: 13px; }
.matrix thead th.clause-h, .matrix thead th.stmt-h { text-align: left; }
.matrix thead th small { display: block; font-weight: 400; color: var(--muted); font-size: 11px; line-height: 1.3; }
.matrix col.c-id { width: 58px; } .matrix col.c-p { width: 122px; }
.matrix tr.group th { background: #fafafa; text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); padding: 10px 8px 4px; }
.matrix td.id { font-weight: 700; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.matrix td.stmt { color: #1f2937; font-size: 13px; }
td.v { text-align: center; font-size: 13px; }
td.v small { display: block; font-size: 11px; line-height: 1.25; color: var(--muted); font-weight: 400; }
td.v-na small.why { color: #6b7280; font-size: 10.5px; }
td.v-holds { background: var(--holds); color: var(--holds-fg); font-weight: 600; }
td.v-violated { background: var(--viol); font-weight: 700; }
td.v-violated a { color: var(--viol-fg); text-decoration: none; display: block; }
td.v-violated a:hover { text-decoration: underline; }
td.v-na { background: var(--na); color: var(--na-fg); }
td.v-error { background: #fff7ed; color: #9a3412; font-weight: 700; }
td.v .flag { display: block; margin-top: 3px; font-size: 10.5px; font-weight: 600; color: #92400e; }
.legend { color: var(--muted); font-size: 12.5px; margin-top: 8px; }
.evidence td:first-child { white-space: nowrap; }
.nw { white-space: nowrap; }
.ids { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #374151; } .nowrap { white-space: nowrap; }
.evidence th, .evidence td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; font-size: 13px; }
.figure { border: 1px solid var(--line); border-radius: 10px; padding: 12px; background: #fff; }
/* the pictures scale down with the page: every column (ptys included) stays in view, nothing scrolls sideways */
.figure svg { display: block; max-width: 100%; height: auto; }
.figcap { color: var(--muted); font-size: 12.5px; margin: 6px 2px 0; }
section.cx { border: 1px solid #fecaca; border-left: 6px solid var(--viol-fg); border-radius: 10px; padding: 16px 18px; margin: 22px 0; scroll-margin-top: 12px; }
section.cx:target { box-shadow: 0 0 0 3px #fca5a5; }
.findings { padding-left: 22px; } .findings li { margin: 4px 0; font-size: 13.5px; } .findings a { text-decoration: none; }
.tag { display: inline-block; background: var(--viol); color: var(--viol-fg); border-radius: 6px; padding: 1px 8px; font-size: 12px; font-weight: 700; margin-right: 6px; }
.cx .tag { display: inline-block; background: var(--viol); color: var(--viol-fg); border-radius: 6px; padding: 1px 8px; font-size: 12px; font-weight: 700; margin-right: 6px; }
.sides { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin: 10px 0 14px; }
.side { border-radius: 8px; padding: 10px 12px; font-size: 13.5px; }
.side h4 { margin: 0 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.side.doc { background: #f8fafc; border: 1px solid #e2e8f0; } .side.doc h4 { color: #475569; }
.side.doc blockquote { margin: 0; font-family: Georgia, "Times New Roman", serif; font-size: 14px; white-space: pre-wrap; }
.side.code { background: #fffbeb; border: 1px solid #fde68a; } .side.code h4 { color: #92400e; }
table.steps td, table.steps th { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.steps td.n { width: 32px; text-align: right; color: var(--muted); white-space: nowrap; overflow-wrap: normal; }
table.steps tr.evidence td { background: #f8fafc; }
table.steps .evtag { display: inline-block; margin-left: 6px; font-size: 11px; color: var(--muted); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px; }
table.steps tr.last td { background: #fef2f2; }
table.steps tr.boot td { color: #374151; font-style: italic; }
.ok { color: #047857; } .err { color: #b45309; font-weight: 600; } .muted { color: var(--muted); }
.pic-h { margin: 16px 0 6px; }
.breaks { margin: 10px 0; padding: 8px 12px; background: var(--viol); border-radius: 8px; }
.replay { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 10px 0 14px; }
.replay pre { margin: 0; padding: 6px 10px; background: #111827; color: #f9fafb; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; max-width: 100%; }
.replay a, .evidence td, .breaks, .findings li { overflow-wrap: anywhere; }
.back { font-size: 12.5px; }
details.allcells { margin-top: 12px; } details.allcells summary { cursor: pointer; color: var(--accent); }
footer { margin-top: 48px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line); padding-top: 12px; }
@media print { .matrix thead th { position: static; } }
/* narrow windows: one column of cards, less padding; nothing may be wider than the page */
@media (max-width: 900px) {
  main { padding: 16px 12px 48px; }
  .sides { grid-template-columns: 1fr; }
  .matrix col.c-id { width: 54px; }
  .matrix thead th.clause-h { overflow-wrap: normal; font-size: 11px; }
  td.v-violated small { display: none; } /* the arrow says it; the word would not fit */
  .matrix th, .matrix td { padding: 4px 4px; }
  td.v { font-size: 12px; overflow-wrap: anywhere; } td.v small { font-size: 10.5px; }
  .matrix td.stmt { overflow-wrap: anywhere; }
  .matrix thead th { font-size: 12px; overflow-wrap: anywhere; }
  .matrix td.stmt { font-size: 12px; }
  section.cx { padding: 12px 10px; }
  .evidence th, .evidence td { padding: 5px 5px; }
}
`;

/**
 * The profile columns' share of a narrow window: however many profiles there are, they
 * take at most 72 % of the width beside the clause column, so the statement column
 * keeps room and the table never grows wider than the page.
 */
function matrixWidths(profiles: number): string {
  return `\n@media (max-width: 900px) { .matrix col.c-p { width: ${(64 / Math.max(1, profiles)).toFixed(2)}%; } }\n`;
}

/** Profile IDs kept whole when a narrow cell wraps ("2.6.39-y", never "2.6.39-" / "y"). */
const unbroken = (html: string): string => html.replace(/\b\d+\.\d+(?:\.\d+)?(?:-[a-z]+)?|\b\d+\.x\b/g, (id) => `<span class="nw">${id}</span>`);

/** One line: cut at a word boundary. */
const short = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, s.lastIndexOf(' ', n - 1) > n / 2 ? s.lastIndexOf(' ', n - 1) : n - 1)} …`);

/** Why a cell is n/a, short enough for the cell ("only 2.6.39-y, 3.4-y, 6.x", "compares 2.6.39-n with 2.6.39-y"). */
export function whyNa(note: string | null | undefined): string {
  if (!note) return 'not about this profile';
  const inParens = /\(([^()]*)\)\s*$/.exec(note);
  return inParens ? inParens[1]! : note;
}

const verdictCell = (c: Cell | undefined): string => {
  if (!c || c.verdict === 'n/a') {
    const why = c?.note ?? 'the clause does not speak about this profile';
    // the reason is on the page, not only in a tooltip
    return `<td class="v v-na" data-verdict="n/a" title="${esc(why)}">n/a<small class="why">${unbroken(esc(whyNa(c?.note)))}</small></td>`;
  }
  if (c.verdict === 'error') {
    return `<td class="v v-error" data-verdict="error" title="${esc(evidenceSentence(c))}">error<small>not computed</small></td>`;
  }
  const odd = surpriseWords(c);
  const flag = odd ? `<span class="flag" title="${esc(`${odd}; the report computed ${c.verdict}`)}">⚑ ${esc(odd.replace('the catalogue ', ''))}</span>` : '';
  if (c.verdict === 'violated') {
    return `<td class="v v-violated" data-verdict="violated"><a href="#${esc(c.counterexample ?? '')}" title="${esc(evidenceSentence(c))}">violated&nbsp;→<small>counterexample</small></a>${flag}</td>`;
  }
  return `<td class="v v-holds" data-verdict="holds" title="${esc(evidenceSentence(c))}">holds<small>${esc(evidenceShort(c.evidence))}</small>${flag}${witnessLinkHtml(c)}</td>`;
};

function counterexampleSection(cx: CounterexampleSection, index: number): string {
  const two = cx.sides.length > 1;
  const evidence = new Set(cx.evidenceSteps ?? []);
  const head = `<tr><th>#</th><th>step</th>${cx.sides.map((x) => `<th>${two ? `result on <code>${esc(x.profile)}</code>` : 'result on the model'}</th>`).join('')}</tr>`;
  const rows = cx.steps.map((st) => {
    const cells = cx.sides.map((side) => {
      const r = side.results[st.n - 1];
      if (!r) return '<td class="res"><span class="muted">(not run)</span></td>';
      return `<td class="res"><span class="${r.text.startsWith('ok') ? 'ok' : 'err'}">${esc(r.text)}</span></td>`;
    }).join('');
    const failing = st.n === cx.failingStep;
    const observed = evidence.has(st.n);
    const cls = failing ? ' class="last"' : observed ? ' class="evidence"' : '';
    return `<tr${cls}><td class="n">${st.n}${failing ? '&nbsp;◀' : ''}</td><td><code>${esc(st.text)}</code>${observed ? '<span class="evtag">evidence</span>' : ''}</td>${cells}</tr>`;
  }).join('');
  const bootRow = cx.boot ? `<tr class="boot"><td class="n">0</td><td colspan="${1 + cx.sides.length}">boot: ${esc(cx.boot)}</td></tr>` : '';
  const replays = cx.sides.map((side) => `<div class="replay"><strong>Replay${two ? ` <code>${esc(side.profile)}</code>` : ''}</strong><pre>${esc(side.trace.replay)}</pre><a href="${esc(side.trace.file)}">${esc(side.trace.file)}</a>${side.trace.replays ? '<span class="ok">✓ replays (exit 0)</span>' : '<span class="err">✗ did not replay</span>'}</div>`).join('');
  const pictures = cx.sides.map((side, k) => {
    const caption = `Final state of the ${cx.clause} counterexample on ${side.profile}`;
    return `<p class="pic-h"><strong>Final state${two ? ` on <code>${esc(side.profile)}</code>` : ''}</strong> — machine mode <code>${esc(side.finalMode)}</code>.</p><div class="figure">${stateSvg(side.finalState, `s${index}-${k}`, caption)}</div>`;
  }).join('');
  return `<section class="cx" id="${esc(cx.id)}" data-clause="${esc(cx.clause)}" data-profiles="${esc(cx.sides.map((x) => x.profile).join(' '))}">
<h3><span class="tag">${esc(cxTitle(cx))}</span>${esc(cx.statement)}</h3>
<div class="sides">
  <div class="side doc"><h4>The document says</h4>${cx.document ? `<blockquote>${esc(cx.document)}</blockquote>` : '<p class="muted">Nothing: this is a fact of the kernel code or an invariant the document leaves out.</p>'}</div>
  <div class="side code"><h4>The kernel code does</h4><p>${esc(cx.code ?? '—')}</p></div>
</div>
<p><strong>Minimal counterexample</strong>: ${esc(lengthWords(cx))}; found by ${esc(foundWords(cx))}.</p>
<table class="steps"><thead>${head}</thead><tbody>${bootRow}${rows}</tbody></table>
<div class="breaks"><strong>What breaks</strong> (step ${cx.failingStep}): ${esc(cx.failure)}</div>
${replays}
<p class="legend">In the pictures: solid arrows — a mount shows that devpts instance; dashed — where <code>open("/dev/ptmx")</code> by root in that namespace allocates; grey — a mount covered by a later one.</p>
${pictures}
<p class="back"><a href="#matrix">↑ back to the matrix</a></p>
</section>`;
}

export function renderHtml(data: ConformanceData): string {
  const profiles = profileIds(data);
  const s = data.summary;
  const head = data.profiles.map((p) => `<th scope="col" data-profile="${esc(p.id)}" title="${esc(p.description)}">${esc(p.id)}<small>${esc(p.short)}</small></th>`).join('');
  const body = groups(data).map((g) => {
    const rows = g.clauses.map((c) => {
      const cells = profiles.map((p) => verdictCell(cellOf(data, c.id, p))).join('');
      return `<tr data-clause="${esc(c.id)}"><td class="id">${esc(c.id)}</td>${cells}<td class="stmt">${esc(c.statement)}</td></tr>`;
    }).join('\n');
    return `<tbody data-kind="${g.kind}"><tr class="group"><th colspan="${profiles.length + 2}">${esc(KIND_TITLES[g.kind])}</th></tr>\n${rows}</tbody>`;
  }).join('\n');

  const evidence = data.profiles.map((p) => {
    const e = profileEvidence(data, p.id);
    const searches = e.searches.map((x) => `<div>${esc(x.text)}: <span class="ids">${esc(x.clauses.join(' '))}</span></div>`).join('');
    const only = e.randomOnly.length ? `<div class="muted">random runs only (judged on whole scenarios): <span class="ids">${esc(e.randomOnly.join(' '))}</span></div>` : '';
    const counts = (['holds', 'violated', 'n/a'] as const).map((v) => `${data.cells.filter((c) => c.profile === p.id && c.verdict === v).length} ${v}`).join(' · ');
    return `<tr><td><code>${esc(p.id)}</code></td><td>${esc(p.description)}<br><small>boots into <code>${esc(p.bootMode)}</code></small><br><small class="proved">${(p.provedOn ?? []).length > 0 ? `proved: ${esc((p.provedOn ?? []).join('; '))}` : 'not yet proved on a kernel'}</small></td><td>${esc(e.random ?? '—')}</td><td>${searches || '—'}${only}</td><td class="nowrap">${counts}</td></tr>`;
  }).join('\n');

  const problems = data.problems.length
    ? `<h2>Could not be computed</h2><ul>${data.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`
    : '';
  const cxs = data.counterexamples.map((cx, i) => counterexampleSection(cx, i)).join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>devpts conformance — ${s.violated} violated, ${s.holds} holds</title>
<style>${CSS}${matrixWidths(profiles.length)}</style>
</head>
<body>
<main>
<h1>devpts conformance</h1>
<p class="lede">The document <code>Documentation/filesystems/devpts.txt</code> (Linux 2.6.39) checked clause by clause against a model that follows the kernel <em>code</em>, for each kernel profile. A <strong>violated</strong> cell is a finding — the document and the code disagree — and links to a minimal counterexample that replays with <code>devpts-check replay</code>. <strong>holds</strong> shows its budget: random sequences and the states of the exhaustive search.</p>
<div class="chips"><span class="chip holds">${s.holds} holds</span><span class="chip violated">${s.violated} violated</span><span class="chip na">${s.na} n/a</span>${data.problems.length ? `<span class="chip problem">${data.problems.length} not computed</span>` : ''}</div>
<p class="runinfo">Budget <code>${esc(data.budget.name)}</code>: ${num(data.budget.randomRuns)} random sequences per cell (seed ${data.budget.seed}, up to ${data.budget.maxSteps} steps) and an exhaustive search of scope <code>${esc(data.budget.scope)}</code> to depth ${data.budget.explorationDepth} per profile. Ran in ${seconds(data.durationMs)} · ${esc(data.tool.name)} ${esc(data.tool.version)} · ${esc(data.generated)}</p>

<h2 id="matrix">Clause × profile</h2>
<table class="matrix" id="matrix-table">
<colgroup><col class="c-id">${profiles.map(() => '<col class="c-p">').join('')}<col class="c-stmt"></colgroup>
<thead><tr><th scope="col" class="clause-h">clause</th>${head}<th scope="col" class="stmt-h">statement</th></tr></thead>
${body}
</table>
<p class="legend"><strong>holds</strong>: no counterexample in N random sequences (“runs”; “hit”: how many exercised the clause) and in the exhaustive search of the profile (“states”; * = stopped at a cap; no states: judged on whole scenarios, by random runs only). <strong>violated</strong>: a minimal counterexample, saved and replayable. <strong>n/a</strong>: the clause does not speak about that profile (the cell says why). ⚑ the verdict differs from the catalogue’s hypothesis (clauses.md “expected”).</p>

${data.counterexamples.length ? `<h2 id="findings">Findings at a glance</h2>
<ol class="findings">${data.counterexamples.map((cx) => `<li><a href="#${esc(cx.id)}"><span class="tag">${esc(cxTitle(cx))}</span></a> ${esc(short(cx.failure, 190))}</li>`).join('\n')}</ol>` : ''}

<h2 id="evidence">Evidence per profile</h2>
<table class="evidence"><thead><tr><th>profile</th><th>kernel</th><th>random testing</th><th>exhaustive search</th><th>verdicts</th></tr></thead><tbody>
${evidence}
</tbody></table>

<details class="allcells"><summary>Every cell: verdict and evidence (${data.cells.filter((c) => c.verdict !== 'n/a').length} cells)</summary>
<table class="evidence"><thead><tr><th>clause</th><th>profile</th><th>verdict</th><th>evidence</th></tr></thead><tbody>
${data.cells.filter((c) => c.verdict !== 'n/a').map((c) => `<tr><td><code>${esc(c.clause)}</code></td><td><code>${esc(c.profile)}</code></td><td>${c.verdict === 'violated' && c.counterexample ? `<a href="#${esc(c.counterexample)}">violated</a>` : esc(c.verdict)}</td><td>${esc(evidenceSentence(c))}${c.trace ? ` · <a href="${esc(c.trace)}">${esc(c.trace)}</a>` : ''}</td></tr>`).join('\n')}
</tbody></table></details>

<h2 id="modes">The kernel’s modes</h2>
<p>The xstate machine of <code>model/machine.ts</code>, drawn from <code>kernelMachine</code> itself: the document’s modes, the guards that move between them, and which profile boots where. Every op is applied by the same pure <code>step</code> in every mode.</p>
<div class="figure">${machineSvg(data.machine, 'mc')}</div>

${sectionsHtml(data)}

${data.counterexamples.length ? `<h2 id="violations">Counterexamples (${data.counterexamples.length}): where the document and the code disagree</h2>\n<p>${esc(violationCounts(data).words)}.</p>\n${cxs}` : '<h2 id="violations">Counterexamples</h2><p>None within this budget.</p>'}
${problems}
<footer>Generated by ${esc(data.tool.name)} ${esc(data.tool.version)} (<code>devpts-check report</code>). Machine-readable: <a href="conformance.json">conformance.json</a> · <a href="junit.xml">junit.xml</a> · <a href="conformance.md">conformance.md</a>. Exit status 0 means the run completed: findings are results, not errors.</footer>
</main>
</body>
</html>
`;
}
