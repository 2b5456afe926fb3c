// conformance.md: GitHub-flavoured Markdown. The matrix as a table (violated cells link
// to their section), the evidence per profile, the machine's mode chart and every
// counterexample's final state as Mermaid blocks.

import type { ConformanceData } from '../data.ts';
import { cellOf, counterexampleOf } from '../data.ts';
import { machineMermaid, stateMermaid } from '../diagram/mermaid.ts';
import { sectionsMarkdown, witnessLinkMd } from './sections.ts';
import { cxTitle, profileEvidence, evidenceSentence, evidenceShort, foundWords, groups, KIND_TITLES, lengthWords, num, profileIds, seconds, surpriseWords, violationCounts } from './common.ts';

/** Table-cell safe: pipes escaped, newlines folded. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const code = (s: string): string => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);

export function renderMarkdown(data: ConformanceData): string {
  const profiles = profileIds(data);
  const out: string[] = [];
  const s = data.summary;
  out.push('# devpts conformance report');
  out.push('');
  out.push('The document `Documentation/filesystems/devpts.txt` (Linux 2.6.39) checked, clause by clause, against a model that follows the kernel *code*, for each kernel profile. A **violated** cell is a finding — the document and the code disagree — and comes with a minimal counterexample that replays.');
  out.push('');
  out.push(`**${s.holds} holds · ${s.violated} violated · ${s.na} n/a${s.error ? ` · ${s.error} not computed` : ''}** — ${data.clauses.length} clauses × ${profiles.length} profiles; budget \`${data.budget.name}\` (${num(data.budget.randomRuns)} random sequences per cell, seed ${data.budget.seed}, up to ${data.budget.maxSteps} steps; exhaustive search of scope \`${data.budget.scope}\` to depth ${data.budget.explorationDepth}); ${seconds(data.durationMs)}; ${data.tool.name} ${data.tool.version}, ${data.generated}.`);
  out.push('');
  out.push('## Matrix');
  out.push('');
  out.push(`| clause | ${profiles.map((p) => code(p)).join(' | ')} | statement |`);
  out.push(`|---|${profiles.map(() => ':---:').join('|')}|---|`);
  for (const g of groups(data)) {
    out.push(`| **${g.kind === 'document' ? 'D' : g.kind === 'user-space' ? 'U' : g.kind === 'kernel' ? 'K' : g.kind === 'relation' ? 'R' : 'I'}** | ${profiles.map(() => '').join(' | ')} | *${cell(KIND_TITLES[g.kind])}* |`);
    for (const clause of g.clauses) {
      const cells = profiles.map((p) => {
        const c = cellOf(data, clause.id, p);
        if (!c || c.verdict === 'n/a') return 'n/a';
        if (c.verdict === 'error') return '⚠️ **error**';
        const odd = surpriseWords(c);
        const note = odd ? `<br><sub>⚑ ${odd}</sub>` : '';
        if (c.verdict === 'violated') return `❌ [**violated**](#${c.counterexample})${note}`;
        return `✅ holds<br><sub>${evidenceShort(c.evidence)}</sub>${note}${witnessLinkMd(c)}`;
      });
      out.push(`| **${clause.id}** | ${cells.join(' | ')} | ${cell(clause.statement)} |`);
    }
  }
  out.push('');
  out.push('`runs`: random operation sequences checked against the clause (how many exercised it — its premise held — is in the evidence table below); `states`: distinct states the exhaustive search visited for the profile (`*`: stopped at a cap). **holds** means no counterexample in both; **n/a**: the clause does not speak about that profile. ⚑ marks a verdict that differs from the catalogue’s hypothesis (clauses.md “expected”).');
  out.push('');

  if (data.counterexamples.length > 0) {
    out.push('## Findings at a glance');
    out.push('');
    for (const cx of data.counterexamples) out.push(`1. [**${cxTitle(cx)}**](#${cx.id}) — ${cell(cx.failure)}`);
    out.push('');
  }

  out.push('## Evidence per profile');
  out.push('');
  out.push('| profile | kernel | random testing | exhaustive search |');
  out.push('|---|---|---|---|');
  for (const p of data.profiles) {
    const e = profileEvidence(data, p.id);
    const searches = e.searches.map((x) => `${x.text}: ${x.clauses.join(' ')}`);
    if (e.randomOnly.length) searches.push(`random runs only (whole scenarios): ${e.randomOnly.join(' ')}`);
    const proved = (p.provedOn ?? []).length > 0 ? `<br>proved: ${(p.provedOn ?? []).join('; ')}` : '<br>not yet proved on a kernel';
    out.push(`| ${code(p.id)} | ${cell(p.description)}${proved} | ${cell(e.random ?? '—')} | ${cell(searches.join('<br>') || '—')} |`);
  }
  out.push('');

  out.push('## The kernel’s modes (the xstate machine)');
  out.push('');
  out.push(`Derived from \`kernelMachine\` (model/machine.ts): its states, guarded transitions and the profiles that boot into each mode.`);
  out.push('');
  out.push('```mermaid');
  out.push(machineMermaid(data.machine));
  out.push('```');
  out.push('');
  out.push(...sectionsMarkdown(data));

  if (data.counterexamples.length > 0) {
    out.push(`## Counterexamples (${data.counterexamples.length})`);
    out.push('');
    out.push(`${violationCounts(data).words}.`);
    for (const cx of data.counterexamples) {
      const two = cx.sides.length > 1;
      out.push('');
      out.push(`<a id="${cx.id}"></a>`);
      out.push('');
      out.push(`### ${cx.clause} × ${cx.sides.map((x) => code(x.profile)).join(' vs ')} — ${cx.statement}`);
      out.push('');
      if (cx.document) {
        out.push('**The document says:**');
        out.push('');
        for (const line of cx.document.split('\n')) out.push(`> ${line}`);
        out.push('');
      }
      if (cx.code) {
        out.push(`**The kernel code does:** ${cx.code}`);
        out.push('');
      }
      out.push(`**Minimal counterexample** (${lengthWords(cx)}; found by ${foundWords(cx)}):`);
      out.push('');
      out.push(`| # | step | ${two ? cx.sides.map((x) => `result on ${code(x.profile)}`).join(' | ') : 'result'} |`);
      out.push(`|---:|---|${cx.sides.map(() => '---').join('|')}|`);
      if (cx.boot) out.push(`| 0 | boot: ${cell(cx.boot)} | ${cx.sides.map(() => '').join(' | ')} |`);
      for (const st of cx.steps) {
        const results = cx.sides.map((side) => {
          const r = side.results[st.n - 1];
          const t = r ? cell(r.text) : '(not run)';
          return st.n === cx.failingStep ? `**${t}**` : t;
        });
        const observed = (cx.evidenceSteps ?? []).includes(st.n) ? ' *(evidence)*' : '';
        out.push(`| ${st.n === cx.failingStep ? `**${st.n}**` : st.n} | ${code(st.text)}${observed} | ${results.join(' | ')} |`);
      }
      out.push('');
      out.push(`**What breaks** (step ${cx.failingStep}): ${cx.failure}`);
      out.push('');
      for (const side of cx.sides) out.push(`**Replay**${two ? ` (${code(side.profile)})` : ''} ([trace](${side.trace.file})): ${code(side.trace.replay)}${side.trace.replays ? '' : ' — ⚠️ did not replay'}  `);
      out.push('');
      for (const side of cx.sides) {
        out.push(`**Final state${two ? ` on ${code(side.profile)}` : ''}** (machine mode \`${side.finalMode}\`): namespaces → mounts → devpts instances → ptys; the dotted arrow shows where \`open("/dev/ptmx")\` by root allocates.`);
        out.push('');
        out.push('```mermaid');
        out.push(stateMermaid(side.finalState));
        out.push('```');
        out.push('');
      }
    }
    out.push('');
  }

  const notHeld = data.cells.filter((c) => c.verdict !== 'n/a');
  out.push('## Every cell’s evidence');
  out.push('');
  out.push('<details><summary>clause × profile: verdict and budget</summary>');
  out.push('');
  out.push('| clause | profile | verdict | evidence |');
  out.push('|---|---|---|---|');
  for (const c of notHeld) {
    const cx = counterexampleOf(data, c.counterexample);
    const verdict = c.verdict === 'violated' && cx ? `[violated](#${cx.id})` : c.verdict;
    out.push(`| ${c.clause} | ${code(c.profile)} | ${verdict} | ${cell(evidenceSentence(c))}${c.trace ? `; trace ${code(c.trace)}` : ''} |`);
  }
  out.push('');
  out.push('</details>');
  out.push('');
  if (data.problems.length > 0) {
    out.push('## Could not be computed');
    out.push('');
    for (const p of data.problems) out.push(`- ${p}`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
