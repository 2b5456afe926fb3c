// devpts-check check [--profile P...] [--clause C...] [--runs N] [--seed S] [--max-steps K]
//   [--json] [--out DIR]
// Property-based check of the clause catalogue (properties/): for each (clause, profile)
// N random sequences of at most K steps; verdict holds / violated / n/a; for a violation
// the shrunk counterexample is saved as a devpts-trace/1 file in DIR with a replay line.
// The seed is deterministic (printed with a line that reruns the same check).
// Exit 0: no clause violated; 12: at least one violated; 2: usage (one line on stderr).

import { relative } from 'node:path';
import cliProgress from 'cli-progress';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { CLAUSES } from '../../clauses/index.ts';
import { DEFAULT_MAX_STEPS, DEFAULT_RUNS, DEFAULT_SEED, runChecks, tasks, type CheckReport, type ClauseResult } from '../../properties/runner.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';

export const DEFAULT_OUT_DIR = 'properties/out';

interface CheckFlags {
  profile?: string[];
  clause?: string[];
  runs?: string;
  seed?: string;
  maxSteps?: string;
  json?: boolean;
  out?: string;
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

/** Parse and validate the flags (every problem is one UsageError line). */
export function parseFlags(flags: CheckFlags) {
  const profiles = list(flags.profile);
  for (const p of profiles ?? []) {
    if (!(PROFILE_IDS as readonly string[]).includes(p)) throw new UsageError(`check: unknown profile "${p}" (one of ${PROFILE_IDS.join(', ')})`);
  }
  const ids = CLAUSES.map((c) => c.id);
  const clauses = list(flags.clause)?.map((c) => c.toUpperCase());
  for (const c of clauses ?? []) {
    if (!ids.includes(c)) throw new UsageError(`check: unknown clause "${c}" (one of ${ids.join(', ')})`);
  }
  return {
    profiles: profiles as ProfileId[] | undefined,
    clauses,
    runs: int('--runs', flags.runs, 1, 10_000_000) ?? DEFAULT_RUNS,
    seed: int('--seed', flags.seed, -2147483648, 2147483647) ?? DEFAULT_SEED,
    maxSteps: int('--max-steps', flags.maxSteps, 1, 1000) ?? DEFAULT_MAX_STEPS,
    outDir: flags.out ?? DEFAULT_OUT_DIR,
  };
}

const mark = (r: ClauseResult): string =>
  r.verdict === 'n/a' ? 'n/a' : r.expected === null || r.expected === 'hypothesis' || r.expected === r.verdict ? r.verdict : `${r.verdict}!`;

/** The verdict table (clause × profile), the violations with their evidence, and a summary. */
export function renderReport(report: CheckReport): string[] {
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
  if (violated.length > 0) lines.push('', 'Violations:');
  for (const r of violated) {
    const ce = r.counterexample!;
    lines.push(`${r.clause} on ${r.label}: ${ce.message}`);
    lines.push(`  counterexample: ${ce.stepsAfterShrink} step${ce.stepsAfterShrink === 1 ? '' : 's'} (${ce.stepsBeforeShrink} before shrinking), violation at step ${ce.step}; ${r.witnessed} of ${r.runs} runs exercised the clause`);
    for (const f of ce.files ?? []) lines.push(`  replay: devpts-check replay ${shown(f)}`);
    lines.push(`  fast-check: seed ${ce.fcSeed}, path "${ce.fcPath}"`);
    const profileFlags = r.profiles.length > 1 ? '' : ` --profile ${r.label}`;
    lines.push(`  rerun: devpts-check check --clause ${r.clause}${profileFlags} --seed ${report.seed} --runs ${report.runs} --max-steps ${report.maxSteps}`);
  }
  const checked = report.results.filter((r) => r.verdict !== 'n/a');
  const runs = checked.reduce((s, r) => s + r.runs, 0);
  lines.push('', `${checked.length} checks (${runs.toLocaleString('en-US')} sequences) in ${(report.ms / 1000).toFixed(1)} s: ${violated.length} violated, ${checked.length - violated.length} hold.`);
  lines.push(`seed ${report.seed}; the same run again: devpts-check check --seed ${report.seed} --runs ${report.runs} --max-steps ${report.maxSteps}`);
  return lines;
}

/** The report without the in-memory traces (the files are named instead). */
export function jsonReport(report: CheckReport): unknown {
  return {
    ...report,
    results: report.results.map((r) => (r.counterexample ? { ...r, counterexample: { ...r.counterexample, traces: undefined } } : r)),
  };
}

/** A progress bar on a TTY, started only once the run has taken more than two seconds; silent otherwise. */
function progress(enabled: boolean) {
  const t0 = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done: number, total: number, label: string) {
      if (!enabled) return;
      if (!bar && Date.now() - t0 > 2000 && done < total) {
        bar = new cliProgress.SingleBar({ format: 'check [{bar}] {value}/{total} {label}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total, done, { label });
      }
      bar?.update(done, { label });
    },
    stop() { bar?.stop(); },
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('check')
    .description('check the clause catalogue with random sequences (fast-check); save shrunk counterexamples as traces')
    .option('--profile <id...>', `profiles to check (default all: ${PROFILE_IDS.join(', ')})`)
    .option('--clause <id...>', 'clauses to check (default all)')
    .option('--runs <n>', `random sequences per clause and profile (default ${DEFAULT_RUNS})`)
    .option('--seed <s>', `fast-check seed (default ${DEFAULT_SEED})`)
    .option('--max-steps <k>', `steps per sequence at most (default ${DEFAULT_MAX_STEPS})`)
    .option('--json', 'print the report as JSON')
    .option('--out <dir>', `where counterexample traces are saved (default ${DEFAULT_OUT_DIR})`)
    .action(async (flags: CheckFlags) => {
      const o = parseFlags(flags);
      const bar = progress(Boolean(process.stderr.isTTY) && !flags.json);
      const total = tasks(o.profiles, o.clauses).length;
      if (total === 0) throw new UsageError('check: nothing to check (no clause speaks about the selected profiles)');
      let report: CheckReport;
      try {
        report = await runChecks({ ...o, onProgress: (n, t, r) => bar.update(n, t, `${r.clause} ${r.label}`) });
      } finally {
        bar.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(jsonReport(report), null, 2)}\n`);
      else for (const line of renderReport(report)) process.stdout.write(`${line}\n`);
      done(report.violated > 0 ? EXIT.violated : EXIT.ok);
    });
};
