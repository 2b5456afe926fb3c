// devpts-check check [--profile P...] [--clause C...] [--runs N] [--seed S] [--max-steps K]
//   [--json] [--out DIR]
// Property-based check of the clause catalogue (properties/): for each (clause, profile)
// N random sequences of at most K steps; verdict holds / violated / n/a; for a violation
// the shrunk counterexample is saved as a devpts-trace/1 file in DIR with a replay line.
// The seed is deterministic (printed with a line that reruns the same check).
// Exit 0: no clause violated; 12: at least one violated; 2: usage (one line on stderr).

import { relative } from 'node:path';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { CLAUSES } from '../../clauses/index.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED, runChecks, tasks, type CheckReport, type ClauseResult } from '../../properties/runner.ts';
import { withEvidence } from '../../traces/evidence.ts';
import { kindWords, violationKind } from '../../traces/violation.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { requireWritableDir } from '../out-dir.ts';
import { collect, parseProfiles, PROFILE_FLAG, PROFILE_HELP, profileFlag } from '../profiles.ts';
import { startProgress } from '../progress.ts';
import { cliMode, type Registrar } from '../registrar.ts';

export const DEFAULT_OUT_DIR = 'properties/out';

interface CheckFlags {
  profile?: string[];
  clause?: string[];
  runs?: string;
  seed?: string;
  maxSteps?: string;
  json?: boolean;
  out?: string;
  progress?: boolean;
}

const list = (values: string[] | undefined): string[] | undefined =>
  values === undefined ? undefined : values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

const int = (flag: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`check: ${flag} must be an integer from ${min} to ${max}, not "${v}"`);
  return Number(v);
};

const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
};

/** A value as a shell word (quoted only when it needs to be). */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./,:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Parse and validate the flags (every problem is one UsageError line). */
export function parseFlags(flags: CheckFlags) {
  const profiles = parseProfiles(flags.profile, 'check');
  const ids = CLAUSES.map((c) => c.id);
  const clauses = list(flags.clause)?.map((c) => c.toUpperCase());
  if (clauses !== undefined && clauses.length === 0) throw new UsageError('check: --clause needs a clause ID such as U6');
  for (const c of clauses ?? []) {
    if (!ids.includes(c)) throw new UsageError(`check: unknown clause "${c}" (one of ${ids.join(', ')})`);
  }
  return {
    profiles: profiles ?? undefined,
    clauses: clauses === undefined ? undefined : ids.filter((id) => clauses.includes(id)),
    outGiven: flags.out !== undefined,
    runs: int('--runs', flags.runs, 1, 10_000_000) ?? DEFAULT_RUNS,
    seed: int('--seed', flags.seed, -2147483648, 2147483647) ?? DEFAULT_SEED,
    maxSteps: int('--max-steps', flags.maxSteps, 1, 1000) ?? DEFAULT_MAX_STEPS,
    outDir: flags.out ?? DEFAULT_OUT_DIR,
  };
}

const mark = (r: ClauseResult): string =>
  r.verdict === 'n/a' ? 'n/a' : r.expected === null || r.expected === 'hypothesis' || r.expected === r.verdict ? r.verdict : `${r.verdict}!`;

/** What the run was asked, for the rerun lines. */
export interface RunSelection {
  readonly profiles?: readonly ProfileId[] | undefined;
  readonly clauses?: readonly string[] | undefined;
  readonly outDir?: string;
  readonly outGiven?: boolean;
}

/** The command that runs exactly this run again (same selection, seed, budget and out dir). */
export function rerunLine(report: CheckReport, sel: RunSelection, only?: { clause: string; profiles: readonly ProfileId[] }): string {
  const clauses = only ? [only.clause] : sel.clauses;
  const profiles = only ? (only.profiles.length > 1 ? sel.profiles ?? null : only.profiles) : sel.profiles ?? null;
  const parts = ['devpts-check check'];
  if (clauses !== undefined) parts.push(`--clause ${clauses.join(',')}`);
  const pf = profileFlag(profiles ?? null).trim();
  if (pf) parts.push(pf);
  parts.push(`--seed ${report.seed}`, `--runs ${report.runs}`, `--max-steps ${report.maxSteps}`);
  if (sel.outGiven && sel.outDir !== undefined) parts.push(`--out ${shellWord(sel.outDir)}`);
  return parts.join(' ');
}

/** The violation message as the saved trace has it: instances by their `fs` labels (devpts1, ...). */
export function shownMessage(r: ClauseResult): string {
  const ce = r.counterexample!;
  try {
    const traces = withEvidence(ce.traces.map((t) => t.trace), { clause: r.clause, step: ce.step, message: ce.message });
    return (traces[0]!.violation as { message: string }).message;
  } catch {
    return ce.message;
  }
}

/** Findings first (the document and the kernel code disagree), then model bugs, each with its evidence and replay lines. */
export function renderReport(report: CheckReport, sel: RunSelection = {}): string[] {
  const lines: string[] = [];
  const profiles = PROFILE_IDS.filter((p) => report.profiles.includes(p));
  const byClause = new Map<string, ClauseResult[]>();
  for (const r of report.results) byClause.set(r.clause, [...(byClause.get(r.clause) ?? []), r]);
  const width = 11;
  lines.push(`${'clause'.padEnd(7)}${profiles.map((p) => p.padEnd(width)).join('')}`);
  for (const [id, results] of byClause) {
    const cells = profiles.map((p) => {
      const r = results.find((x) => x.profiles.includes(p) && (x.profiles.length > 1 || x.label === p));
      return (r ? mark(r) : '').padEnd(width);
    });
    const pair = results[0]!.profiles.length > 1 ? `  (${results[0]!.label})` : '';
    lines.push(`${id.padEnd(7)}${cells.join('')}${pair}`.trimEnd());
  }
  lines.push('("!": differs from the expectation in clauses.md; pair clauses show one verdict under both profiles)');
  const violated = report.results.filter((r) => r.verdict === 'violated');
  const findings = violated.filter((r) => violationKind(r.clause) === 'finding');
  const bugs = violated.filter((r) => violationKind(r.clause) !== 'finding');
  for (const [group, title] of [[findings, 'Findings (the document and the kernel code disagree)'], [bugs, 'Model bugs (a kernel fact or invariant the model breaks)']] as const) {
    if (group.length === 0) continue;
    lines.push('', `${title}:`);
    for (const r of group) {
      const ce = r.counterexample!;
      lines.push(`${r.clause} violated on ${r.label}: ${shownMessage(r)}`);
      lines.push(`  ${kindWords(violationKind(r.clause))}`);
      lines.push(`  counterexample: ${ce.stepsAfterShrink} step${ce.stepsAfterShrink === 1 ? '' : 's'} (${ce.stepsBeforeShrink} before shrinking), violation at step ${ce.step}; ${r.witnessed} of ${r.runs} runs exercised the clause`);
      for (const f of ce.files ?? []) lines.push(`  replay: devpts-check replay ${shown(f)}`);
      lines.push(`  fast-check: seed ${ce.fcSeed}, path "${ce.fcPath}"`);
      lines.push(`  rerun: ${rerunLine(report, sel, { clause: r.clause, profiles: r.profiles })}`);
    }
  }
  const checked = report.results.filter((r) => r.verdict !== 'n/a');
  const runs = checked.reduce((s, r) => s + r.runs, 0);
  const split = violated.length === 0 ? '' : ` (${findings.length} finding${findings.length === 1 ? '' : 's'}, ${bugs.length} model bug${bugs.length === 1 ? '' : 's'})`;
  lines.push('', `${checked.length} checks (${runs.toLocaleString('en-US')} sequences) in ${(report.ms / 1000).toFixed(1)} s: ${violated.length} violated${split}, ${checked.length - violated.length} hold.`);
  lines.push(`seed ${report.seed}; the same run again: ${rerunLine(report, sel)}`);
  return lines;
}

/** The report without the in-memory traces (the files are named instead). */
export function jsonReport(report: CheckReport, sel: RunSelection = {}): unknown {
  return {
    ...report,
    rerun: rerunLine(report, sel),
    results: report.results.map((r) => (r.counterexample
      ? { ...r, kind: violationKind(r.clause), counterexample: { ...r.counterexample, message: shownMessage(r), traces: undefined } }
      : r)),
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('check')
    .description('check the clause catalogue with random sequences (fast-check); save shrunk counterexamples as traces')
    .option(PROFILE_FLAG, `${PROFILE_HELP}; default all`, collect)
    .option('--clause <ids>', 'clauses to check, comma-separated or repeated (default all)', collect)
    .option('--runs <n>', `random sequences per clause and profile (default ${DEFAULT_RUNS})`)
    .option('--seed <s>', `fast-check seed (default ${DEFAULT_SEED})`)
    .option('--max-steps <k>', `steps per sequence at most (default ${DEFAULT_MAX_STEPS})`)
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', `where counterexample traces are saved (default ${DEFAULT_OUT_DIR})`)
    .option('--no-progress', 'no progress on stderr (default: a line every 10 s when stderr is not a terminal)')
    .addHelpText('after', helpAfter(
      ['devpts-check check --profile 6.x --clause U6', 'devpts-check check --profile 2.6.39-y,3.4-y --runs 2000 --seed 7 --out /tmp/cx'],
      [[EXIT.ok, 'no checked clause is violated'], [EXIT.usage], [EXIT.violated, 'a checked clause is violated (a finding or a model bug: the output says which)']],
    ))
    .action(async (flags: CheckFlags) => {
      const o = parseFlags(flags);
      const total = tasks(o.profiles, o.clauses).length;
      if (total === 0) throw new UsageError('check: nothing to check (no clause speaks about the selected profiles)');
      await requireWritableDir(o.outDir, 'check: --out ');
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      const progress = startProgress({ label: 'check', enabled: flags.progress !== false });
      let report: CheckReport;
      try {
        report = await runChecks({ ...o, onProgress: (n, t, r) => progress.update(`${r.clause} on ${r.label}: ${r.verdict}`, n, t) });
      } finally {
        progress.end();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(jsonReport(report, o), null, 2)}\n`);
      else for (const line of renderReport(report, o)) process.stdout.write(`${line}\n`);
      done(report.violated > 0 ? EXIT.violated : EXIT.ok);
    });
};
