// devpts-check explore --profile P [--clause C...] [--depth D] [--scope NAME|JSON] [--json]
//   [--max-states N] [--max-seconds S] [--out DIR] [--exact] [--compare-random]
// Exhaustive bounded model checking of the model (explore/). Progress on stderr (one
// updating line on a TTY, a line every 10 s otherwise); at the end a TLC-style summary.
// Exit 0: no violation; 12: a violation (shortest counterexample saved, replay line
// printed); 2: usage; 75: a state/time/memory budget ran out (what was covered is printed).

import { relative } from 'node:path';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { knownCheckIds } from '../../explore/checks.ts';
import { explore, type ExploredCounterexample as Counterexample, type ExploreOutcome, type SearchReport } from '../../explore/run.ts';
import { describeScope, resolveScope } from '../../explore/scope.ts';
import type { Progress } from '../../explore/bfs.ts';
import { compareWithRandom, renderAgreement } from '../../report/agreement.ts';
import { withItsEvidence } from '../../explore/trace.ts';
import { CLAUSES } from '../../clauses/index.ts';
import { compactArgs, compactResult } from '../../traces/render.ts';
import { kindWords, violationKind, violationOf } from '../../traces/violation.ts';
import { helpAfter } from '../help.ts';
import { requireWritableDir } from '../out-dir.ts';
import { collect, parseProfiles, PROFILE_FLAG, PROFILE_HELP } from '../profiles.ts';
import { startProgress } from '../progress.ts';
import { shellWord } from './check.ts';

export const DEFAULT_OUT_DIR = 'explore/out';

interface ExploreFlags {
  profile?: string[];
  clause?: string[];
  depth?: string;
  scope?: string;
  json?: boolean;
  maxStates?: string;
  maxSeconds?: string;
  out?: string;
  exact?: boolean;
  compareRandom?: boolean;
  progress?: boolean;
}

const int = (flag: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v))) throw new UsageError(`explore: ${flag} must be an integer ≥ ${min}, not "${v}"`);
  return Number(v);
};
const num = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`explore: ${flag} must be a positive number of seconds, not "${v}"`);
  return n;
};

const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
};

const fmtInt = (n: number): string => n.toLocaleString('en-US');
const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;
/** The visited set's size; per state only for searches large enough that the table's initial size does not dominate. */
const kibOrMib = (b: number): string => (b < 1048576 ? `${(b / 1024).toFixed(0)} KiB` : `${(b / 1048576).toFixed(1)} MiB`);

/** The progress line of a search. */
export const progressText = (p: Progress): string =>
  `${fmtInt(p.distinct)} distinct states, ${fmtInt(p.transitions)} transitions, ${fmtInt(p.queue)} in queue, depth ${p.depth}, ${fmtInt(Math.round(p.statesPerSecond))} states/s, heap ${mib(p.heapBytes)}`;

function summaryLines(out: ExploreOutcome, scopeText: string): string[] {
  const lines: string[] = [];
  for (const s of out.searches) for (const l of searchLines(s, out.scope, scopeText)) lines.push(l);
  const notJudged = out.verdicts.filter((v) => v.verdict === 'not-judged');
  for (const v of notJudged) lines.push(`${v.id}: not judged by the explorer: ${v.reason}`);
  return lines;
}

function searchLines(s: SearchReport, scope: string, scopeText: string): string[] {
  const r = s.result;
  const lines: string[] = [];
  lines.push(`${s.label}, scope ${scopeText}, depth ≤ ${r.depthBound}; checks: ${s.checks.join(' ') || '(none)'}`);
  for (const cx of s.counterexamples) for (const l of violationLines(cx)) lines.push(l);
  if (r.stop === 'done' && s.counterexamples.length === 0) lines.push('Model checking completed. No error has been found.');
  if (r.stop === 'states' || r.stop === 'time' || r.stop === 'memory') {
    const why = r.stop === 'states' ? 'the state budget (--max-states)' : r.stop === 'time' ? 'the time budget (--max-seconds)' : 'the memory budget';
    lines.push(`Budget exhausted: stopped by ${why}. Covered so far (BFS: every state up to depth ${Math.max(0, r.depth - 1)} expanded):`);
  }
  lines.push(`${fmtInt(r.distinct)} distinct states, ${fmtInt(r.transitions)} transitions, depth ${r.depth}, scope ${scope}, ${fmtInt(r.queueLeft)} left in queue`);
  const tail = r.exhausted
    ? `state space exhausted at depth ${r.depth}: every state the scope reaches was visited`
    : r.stop === 'done' ? `depth bound ${r.depthBound} reached: ${fmtInt(r.atBound)} states at depth ${r.depthBound} not expanded` : `levels ${r.levels.join(', ')}`;
  lines.push(`(${tail}; ${(r.elapsedMs / 1000).toFixed(1)} s, ${fmtInt(Math.round(r.distinct / Math.max(r.elapsedMs / 1000, 1e-3)))} states/s, peak heap ${mib(r.peakHeapBytes)}, visited set ${kibOrMib(r.visitedBytes)}${r.distinct >= 10_000 ? `, ${(r.visitedBytes / r.distinct).toFixed(1)} bytes/state` : ''})`);
  return lines;
}

const STATEMENT = new Map(CLAUSES.map((c) => [c.id, c.statement]));

/**
 * A violation worded as in the report: the clause, whether it is a finding (D/U/R: the
 * document and the kernel code disagree) or a model bug (K/I), what breaks with the
 * instances by their `fs` labels, and the steps of the saved trace (evidence included).
 */
export function violationLines(cx: Pick<Counterexample, 'check' | 'message' | 'length' | 'trace' | 'otherTrace' | 'path' | 'otherPath'>): string[] {
  const kind = violationKind(cx.check);
  const [trace] = withItsEvidence(cx.otherTrace ? [cx.trace, cx.otherTrace] : [cx.trace]);
  const v = violationOf(trace!);
  const head = kind === 'finding' ? 'Finding' : kind === 'model bug' ? 'Model bug' : 'Violation';
  const lines = [`${head}: ${cx.check} is violated on ${trace!.profile}${cx.otherTrace ? ` vs ${cx.otherTrace.profile}` : ''} (${kindWords(kind)})`];
  const statement = STATEMENT.get(cx.check);
  if (statement) lines.push(`  ${cx.check}: ${statement}`);
  lines.push(`  What breaks: ${v?.message ?? cx.message}`);
  const evidence = new Set(v?.evidence ?? []);
  lines.push(`  shortest counterexample in this scope: ${cx.length} step${cx.length === 1 ? '' : 's'}${evidence.size ? `, then ${evidence.size} observation${evidence.size === 1 ? '' : 's'} (evidence)` : ''}${cx.path ? `, saved as ${shown(cx.path)}` : ''}`);
  trace!.steps.forEach((st, i) => {
    const n = i + 1;
    const mark = v?.step === n ? '  ◀ violation' : evidence.has(n) ? '  · evidence' : '';
    lines.push(`    ${String(n).padStart(2)}. pid ${st.pid ?? 1} ${st.op} ${compactArgs(st)} → ${st.expect ? compactResult(st.expect) : '(not a kernel result)'}${mark}`.replace(/  +→/, ' →'));
  });
  if (cx.path) lines.push(`  replay: devpts-check replay ${shown(cx.path)}${cx.otherPath ? ` ${shown(cx.otherPath)}` : ''}`);
  return lines;
}

/** The outcome in one line, last: what was violated, findings apart from model bugs ("Found on 6.x: 2 findings (U6, R2), 0 model bugs"). */
export function foundLine(out: ExploreOutcome): string | null {
  const violated = out.verdicts.filter((v) => v.verdict === 'violated').map((v) => v.id);
  if (violated.length === 0) return null;
  const findings = violated.filter((id) => violationKind(id) === 'finding');
  const bugs = violated.filter((id) => violationKind(id) !== 'finding');
  const list = (ids: string[], one: string, many: string) => `${ids.length} ${ids.length === 1 ? one : many}${ids.length ? ` (${ids.join(', ')})` : ''}`;
  return `Found on ${out.profile}: ${list(findings, 'finding', 'findings')}, ${list(bugs, 'model bug', 'model bugs')} — exit 12, a checked clause is violated`;
}

export function exitCodeOf(out: ExploreOutcome): number {
  return out.status === 'violation' ? EXIT.violated : out.status === 'budget' ? EXIT.budget : EXIT.ok;
}

export function jsonOf(out: ExploreOutcome): unknown {
  return {
    profile: out.profile,
    scope: out.scope,
    depthBound: out.depthBound,
    status: out.status,
    searches: out.searches.map((s) => ({
      label: s.label,
      checks: s.checks,
      ...s.result,
      violations: undefined,
      counterexamples: s.counterexamples.map((c) => {
        const [trace] = withItsEvidence(c.otherTrace ? [c.trace, c.otherTrace] : [c.trace]);
        const v = violationOf(trace!);
        return { check: c.check, kind: violationKind(c.check), message: v?.message ?? c.message, length: c.length, path: c.path ?? null, otherPath: c.otherPath ?? null, violation: v, steps: trace!.steps };
      }),
    })),
    verdicts: out.verdicts.map((v) => ({ id: v.id, verdict: v.verdict, ...(v.reason ? { reason: v.reason } : {}), ...(v.counterexample ? { length: v.counterexample.length, path: v.counterexample.path ?? null } : {}) })),
    /** Peak resident set of this process (bench reads it). */
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** The command that runs this exploration again. */
export function rerunLine(profile: ProfileId, flags: ExploreFlags, clauses: readonly string[]): string {
  const parts = ['devpts-check explore', `--profile ${profile}`, `--scope ${shellWord(flags.scope ?? 'small')}`];
  if (clauses.length > 0) parts.push(`--clause ${clauses.join(',')}`);
  if (flags.depth !== undefined) parts.push(`--depth ${flags.depth}`);
  if (flags.maxStates !== undefined) parts.push(`--max-states ${flags.maxStates}`);
  if (flags.maxSeconds !== undefined) parts.push(`--max-seconds ${flags.maxSeconds}`);
  if (flags.exact) parts.push('--exact');
  if (flags.compareRandom) parts.push('--compare-random');
  if (flags.out !== undefined) parts.push(`--out ${shellWord(flags.out)}`);
  return parts.join(' ');
}

export const register: Registrar = (program, done) => {
  program
    .command('explore')
    .description('exhaustive bounded model checking of the model: BFS over a scope, shortest counterexamples')
    .option(PROFILE_FLAG, `${PROFILE_HELP}; explored one after the other (default all)`, collect)
    .option('--clause <ids>', 'clauses/invariants to check, comma-separated or repeated (default: every invariant and transition clause of the profile; R1, R2, D5 explore the product of two profiles)', collect)
    .option('--depth <n>', 'depth bound (default: the scope\'s)')
    .option('--scope <name|json>', 'a named scope (small, doc) or a JSON scope', 'small')
    .option('--json', 'print the outcome as one JSON object per profile (one per line)')
    .option('--max-states <n>', 'stop (exit 75) after this many distinct states')
    .option('--max-seconds <s>', 'stop (exit 75) after this many seconds')
    .option('--out <dir>', `where counterexample traces are saved (default ${DEFAULT_OUT_DIR})`)
    .option('--exact', 'keep exact state keys instead of 64-bit fingerprints')
    .option('--compare-random', 'also run the random property runner on the same clauses and report whether the verdicts agree')
    .option('--no-progress', 'no progress on stderr (default: a line every 10 s when stderr is not a terminal)')
    .addHelpText('after', helpAfter(
      ['devpts-check explore --profile 6.x', 'devpts-check explore --profile 2.6.39-y --scope doc --clause U6,I3 --max-seconds 60'],
      [[EXIT.ok, 'no violation in the scope'], [EXIT.failed, 'with --compare-random: the explorer and the random runner disagree'], [EXIT.usage],
        [EXIT.violated, 'a checked clause is violated (a finding or a model bug: the output says which)'], [EXIT.budget, 'a state, time or memory budget ran out (what was covered is printed)']],
    ))
    .action(async (flags: ExploreFlags) => {
      const profiles: ProfileId[] = parseProfiles(flags.profile, 'explore') ?? [...PROFILE_IDS];
      const clauses = (flags.clause ?? []).flatMap((c) => c.split(',')).map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
      const known = knownCheckIds();
      const unknown = clauses.filter((c) => !known.includes(c));
      if (unknown.length > 0) throw new UsageError(`explore: unknown clause ${unknown.join(', ')} (known: ${known.join(' ')})`);
      const scope = resolveScope(flags.scope ?? 'small');
      const depth = int('--depth', flags.depth, 0);
      const maxStates = int('--max-states', flags.maxStates, 1);
      const maxSeconds = num('--max-seconds', flags.maxSeconds);
      const outDir = flags.out ?? DEFAULT_OUT_DIR;
      await requireWritableDir(outDir, 'explore: --out ');
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      let worst: number = EXIT.ok;
      const rank = (c: number) => [EXIT.ok, EXIT.failed, EXIT.budget, EXIT.violated].indexOf(c as 0);
      for (const [n, profile] of profiles.entries()) {
        const progress = startProgress({ label: `explore ${profile}`, enabled: flags.progress !== false });
        const out = await explore({
          profile, scope, clauses, exact: flags.exact,
          ...(depth !== undefined ? { depth } : {}),
          ...(maxStates !== undefined ? { maxStates } : {}),
          ...(maxSeconds !== undefined ? { maxSeconds } : {}),
          outDir,
          onProgress: (label: string, p: Progress) => progress.update(`${label}: ${progressText(p)}`),
        });
        progress.end();
        let agreementOk = true;
        let agreement: unknown = undefined;
        if (flags.compareRandom) {
          const cmp = await compareWithRandom({ profile, scope, explored: out });
          agreementOk = cmp.every((c) => c.agree);
          agreement = cmp;
          if (!flags.json) for (const line of renderAgreement(cmp)) process.stdout.write(`${line}\n`);
        }
        const rerun = rerunLine(profile, flags, clauses);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...(jsonOf(out) as object), rerun, ...(agreement ? { agreement } : {}) })}\n`);
        } else {
          if (n > 0) process.stdout.write('\n');
          for (const line of summaryLines(out, describeScope(scope))) process.stdout.write(`${line}\n`);
          const found = foundLine(out);
          if (found) process.stdout.write(`${found}\n`);
          process.stdout.write(`the same run again: ${rerun}\n`);
        }
        const code = exitCodeOf(out);
        const mine = code === EXIT.ok && !agreementOk ? EXIT.failed : code;
        if (rank(mine) > rank(worst)) worst = mine;
      }
      done(worst);
    });
};
