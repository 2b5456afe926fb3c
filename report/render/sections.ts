// Two sections every renderer adds after the mode chart: the kernel facts with the corpus
// traces that witness them (linked from their cells), and the charts of the model with
// their transition coverage (the random runs, the exhaustive search).

import type { Cell, ChartSection, ConformanceData } from '../data.ts';
import { num } from './common.ts';

/** The anchor of a kernel fact's witness on a profile ("w-K11-2-6-39-y"). */
export const witnessAnchor = (c: Pick<Cell, 'clause' | 'profile'>): string => `w-${c.clause}-${c.profile}`.replace(/[^A-Za-z0-9-]/g, '-');

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (s: string): string => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

/** Kernel facts (K clauses) and their witnesses, in catalogue order. */
function witnessed(data: ConformanceData): { clause: ConformanceData['clauses'][number]; cells: Cell[] }[] {
  return data.clauses.filter((c) => c.kind === 'kernel').map((clause) => ({
    clause, cells: data.cells.filter((x) => x.clause === clause.id && x.witness),
  })).filter((g) => g.cells.length > 0);
}

/** Taken / all, for a chart: by the random runs, by the search, by either. */
export function chartCounts(c: ChartSection): { all: number; random: number; explorer: number; either: number } {
  const t = c.transitions;
  return { all: t.length, random: t.filter((x) => x.random > 0).length, explorer: t.filter((x) => x.explorer > 0).length, either: t.filter((x) => x.random > 0 || x.explorer > 0).length };
}

const label = (t: ChartSection['transitions'][number]): string =>
  `${t.event === 'always' ? '(at boot)' : t.event}${t.guard ? ` [${t.guard}]` : ''} → ${t.target ?? 'stays'}${t.actions.length ? ` / ${t.actions.join(', ')}` : ''}`;

// ---- Markdown ------------------------------------------------------------------------------

export function sectionsMarkdown(data: ConformanceData): string[] {
  const out: string[] = [];
  const facts = witnessed(data);
  if (facts.length > 0) {
    out.push('## Kernel facts and their witnesses');
    out.push('');
    out.push('Each kernel fact (K) comes with a trace of the corpus that shows it happening on the profile: the clause spoke about it (marked steps) and held, and every expected result replays on the model. The matrix links here from the cell.');
    for (const { clause, cells } of facts) {
      out.push('');
      out.push(`### ${clause.id} — ${md(clause.statement)}`);
      if (clause.code) { out.push(''); out.push(`**The kernel code does:** ${md(clause.code)}`); }
      for (const c of cells) {
        const w = c.witness!;
        out.push('');
        out.push(`<a id="${witnessAnchor(c)}"></a>**On ${code(c.profile)}**: ${md(w.title)} ([trace](${w.file}), from ${code(w.corpus)})`);
        out.push('');
        out.push('| # | step | expected result |');
        out.push('|---:|---|---|');
        if (w.boot) out.push(`| 0 | boot: ${md(w.boot)} | |`);
        for (const l of w.lines) {
          const mark = w.at.includes(l.n);
          out.push(`| ${mark ? `**${l.n}**` : l.n} | ${code(l.text)} | ${mark ? `**${md(l.result)}**` : md(l.result)} |`);
        }
        out.push('');
        out.push(`Replay on the model: ${code(w.replay)}${w.kernelReplay ? `; on the kernel: ${code(w.kernelReplay)}` : ' (no kernel for this profile on this machine)'}`);
      }
    }
    out.push('');
  }
  const charts = data.charts;
  if (charts) {
    out.push('## The charts of the model and their transition coverage');
    out.push('');
    out.push(`The model's xstate charts (model/charts/): the mode chart step dispatches through, and the lifecycles the model applies. For every transition, how often the random runs took it (${md(charts.random)}) and the exhaustive search (${md(charts.explorer)}).`);
    for (const c of charts.sections) {
      const k = chartCounts(c);
      out.push('');
      out.push(`### ${c.name} — ${md(c.about)}`);
      out.push('');
      out.push(`${k.either} of ${k.all} transitions taken (random runs ${k.random}, exhaustive search ${k.explorer}); states: ${c.states.map((s) => code(s)).join(', ')} (initial ${code(c.initial)}).`);
      out.push('');
      out.push('| transition | from | on | random | search |');
      out.push('|---|---|---|---:|---:|');
      for (const t of c.transitions) out.push(`| ${code(t.id)} | ${code(t.from)} | ${md(label(t))} | ${t.random ? num(t.random) : '**0**'} | ${t.explorer ? num(t.explorer) : '**0**'} |`);
    }
    out.push('');
  }
  return out;
}

/** The matrix cell's link to its witness (Markdown), or ''. */
export const witnessLinkMd = (c: Cell): string => (c.witness ? `<br><sub>[witness](#${witnessAnchor(c)})</sub>` : '');

// ---- HTML ----------------------------------------------------------------------------------

export function sectionsHtml(data: ConformanceData): string {
  const parts: string[] = [];
  const facts = witnessed(data);
  if (facts.length > 0) {
    parts.push('<h2 id="kernel-facts">Kernel facts and their witnesses</h2>');
    parts.push('<p>Each kernel fact (K) comes with a trace of the corpus that shows it happening on the profile: the clause spoke about the marked steps and held, and every expected result replays on the model. The matrix links here from the cell.</p>');
    for (const { clause, cells } of facts) {
      parts.push(`<section class="cx"><h3><span class="tag">${esc(clause.id)}</span>${esc(clause.statement)}</h3>${clause.code ? `<p><strong>The kernel code does:</strong> ${esc(clause.code)}</p>` : ''}`);
      for (const c of cells) {
        const w = c.witness!;
        const rows = w.lines.map((l) => `<tr${w.at.includes(l.n) ? ' class="fail"' : ''}><td class="n">${l.n}</td><td><code>${esc(l.text)}</code></td><td>${esc(l.result)}</td></tr>`).join('');
        const boot = w.boot ? `<tr><td class="n">0</td><td>boot: ${esc(w.boot)}</td><td></td></tr>` : '';
        parts.push(`<h4 id="${witnessAnchor(c)}">On <code>${esc(c.profile)}</code>: ${esc(w.title)}</h4>
<table class="steps"><thead><tr><th>#</th><th>step</th><th>expected result</th></tr></thead><tbody>${boot}${rows}</tbody></table>
<p>Trace <a href="${esc(w.file)}">${esc(w.file)}</a> (from <code>${esc(w.corpus)}</code>). Replay on the model: <code>${esc(w.replay)}</code>${w.kernelReplay ? `; on the kernel: <code>${esc(w.kernelReplay)}</code>` : ' (no kernel for this profile on this machine)'}.</p>`);
      }
      parts.push('<p class="back"><a href="#matrix">↑ back to the matrix</a></p></section>');
    }
  }
  const charts = data.charts;
  if (charts) {
    parts.push('<h2 id="charts">The charts of the model and their transition coverage</h2>');
    parts.push(`<p>The model's xstate charts (<code>model/charts/</code>): the mode chart <code>step</code> dispatches through, and the lifecycles the model applies. For every transition, how often the random runs took it (${esc(charts.random)}) and the exhaustive search (${esc(charts.explorer)}). A transition nobody took is marked <strong>0</strong>.</p>`);
    for (const c of charts.sections) {
      const k = chartCounts(c);
      const rows = c.transitions.map((t) => `<tr><td><code>${esc(t.id)}</code></td><td>${esc(label(t))}</td><td class="n">${t.random ? num(t.random) : '<strong>0</strong>'}</td><td class="n">${t.explorer ? num(t.explorer) : '<strong>0</strong>'}</td></tr>`).join('');
      parts.push(`<h3 id="chart-${esc(c.name)}">${esc(c.name)} — ${esc(c.about)}</h3>
<p>${k.either} of ${k.all} transitions taken (random runs ${k.random}, exhaustive search ${k.explorer}); states ${c.states.map((s) => `<code>${esc(s)}</code>`).join(', ')} (initial <code>${esc(c.initial)}</code>).</p>
<table class="evidence"><thead><tr><th>transition</th><th>on</th><th>random</th><th>search</th></tr></thead><tbody>${rows}</tbody></table>`);
    }
  }
  return parts.join('\n');
}

/** The matrix cell's link to its witness (HTML), or ''. */
export const witnessLinkHtml = (c: Cell): string => (c.witness ? `<a class="witness" href="#${witnessAnchor(c)}">witness</a>` : '');

// ---- terminal ------------------------------------------------------------------------------

/** One line per chart: "charts: mode 30/47 · pty 11/12 · …". */
export function chartsLine(data: ConformanceData): string | null {
  if (!data.charts) return null;
  return `charts (transitions taken by the random runs or the search): ${data.charts.sections.map((c) => { const k = chartCounts(c); return `${c.name} ${k.either}/${k.all}`; }).join(' · ')}`;
}
