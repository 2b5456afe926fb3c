// junit.xml: one <testsuite> per profile, one <testcase> per clause × profile.
//
// How verdicts are encoded (a finding is a result, not a CI failure):
//   holds                              passing case; budget in <properties> and <system-out>
//   violated, clause D*, U*, R*        passing case with property verdict=violated and the
//                                      counterexample in <system-out>: the document and the
//                                      kernel code disagree, and the report shows it
//   violated, clause K* or I*          <failure>: the model is meant to do what the kernel
//                                      code does (K) and keep its invariants (I), so this is
//                                      a bug in the model, not a finding about the document
//   n/a                                <skipped> with the reason
//   could not be computed              <error>

import type { Cell, ClauseKind, ConformanceData } from '../data.ts';
import { counterexampleOf } from '../data.ts';
import { evidenceSentence } from './common.ts';

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters, even escaped
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
const cdata = (s: string): string => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** Kinds whose violation is a finding about the document (a passing case); the others are model bugs. */
export const FINDING_KINDS: ReadonlySet<ClauseKind> = new Set(['document', 'user-space', 'relation']);

export function renderJunit(data: ConformanceData): string {
  const kindOf = new Map(data.clauses.map((c) => [c.id, c.kind]));
  const statementOf = new Map(data.clauses.map((c) => [c.id, c.statement]));
  const suites: string[] = [];
  let tests = 0, failures = 0, errors = 0, skipped = 0;
  const problemFor = (c: Cell): string | undefined => data.problems.find((p) => p.startsWith(`${c.clause} × ${c.profile}:`));
  for (const profile of data.profiles) {
    const cases: string[] = [];
    let sTests = 0, sFail = 0, sErr = 0, sSkip = 0, sTime = 0;
    for (const clause of data.clauses) {
      const c = data.cells.find((x) => x.clause === clause.id && x.profile === profile.id);
      if (!c) continue;
      sTests++;
      const time = (c.evidence.ms ?? 0) / 1000;
      sTime += time;
      const props: [string, string][] = [['verdict', c.verdict], ['clause.kind', kindOf.get(c.clause) ?? '']];
      if (c.evidence.random) props.push(['random.runs', String(c.evidence.random.runs)], ['random.witnessed', String(c.evidence.random.witnessed ?? '')], ['random.seed', String(c.evidence.random.seed)]);
      if (c.expected) props.push(['expected', c.expected]);
      if (c.evidence.exploration) props.push(['exploration.scope', c.evidence.exploration.scope], ['exploration.states', String(c.evidence.exploration.states)], ['exploration.complete', String(c.evidence.exploration.complete)]);
      const cx = counterexampleOf(data, c.counterexample);
      const side = cx?.sides.find((x) => x.profile === c.profile);
      if (side) props.push(['trace', side.trace.file], ['replay', side.trace.replay]);
      let body = `<properties>${props.map(([k, v]) => `<property name="${xml(k)}" value="${xml(v)}"/>`).join('')}</properties>`;
      const problem = problemFor(c);
      let out = evidenceSentence(c);
      if (cx && side) {
        out = [
          `${c.clause} × ${c.profile} is violated: ${cx.failure}`,
          cx.document ? `The document says: ${cx.document}` : '',
          cx.code ? `The kernel code: ${cx.code}` : '',
          `Counterexample on ${c.profile}:`,
          ...(cx.boot ? [`  0. boot: ${cx.boot}`] : []),
          ...cx.steps.map((s) => `  ${s.n}. ${s.text} -> ${side.results[s.n - 1]?.text ?? '(not run)'}`),
          `Replay: ${side.trace.replay}`,
        ].filter(Boolean).join('\n');
      }
      if (problem || c.verdict === 'error') {
        sErr++;
        body += `<error message="${xml(problem ?? c.note ?? 'could not be computed')}"/>`;
      } else if (c.verdict === 'n/a') {
        sSkip++;
        body += `<skipped message="${xml(c.note ?? `${c.clause} does not speak about ${c.profile}`)}"/>`;
      } else if (c.verdict === 'violated' && !FINDING_KINDS.has(kindOf.get(c.clause) ?? 'document')) {
        sFail++;
        body += `<failure message="${xml(`model bug: ${c.clause} must hold in ${c.profile}${side ? `; replay: ${side.trace.replay}` : ''}`)}" type="model-bug">${cdata(out)}</failure>`;
      }
      body += `<system-out>${cdata(out)}</system-out>`;
      const name = `${c.clause} ${statementOf.get(c.clause) ?? ''}`.trim();
      cases.push(`    <testcase classname="devpts.${xml(profile.id)}" name="${xml(name)}" time="${time.toFixed(3)}">${body}</testcase>`);
    }
    tests += sTests; failures += sFail; errors += sErr; skipped += sSkip;
    const suiteProps = `<properties><property name="profile" value="${xml(profile.id)}"/><property name="kernel" value="${xml(profile.description)}"/><property name="budget" value="${xml(data.budget.name)}"/><property name="seed" value="${data.budget.seed}"/></properties>`;
    suites.push(`  <testsuite name="conformance ${xml(profile.id)}" tests="${sTests}" failures="${sFail}" errors="${sErr}" skipped="${sSkip}" time="${sTime.toFixed(3)}" timestamp="${xml(data.generated.replace(/Z$/, ''))}">\n    ${suiteProps}\n${cases.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="devpts-check conformance" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(data.durationMs / 1000).toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
