// devpts-check explore --profile P [--clause C...] [--depth D] [--scope NAME|JSON] [--json]
//   [--max-states N] [--max-seconds S] [--out DIR] [--exact] [--compare-random]
// Exhaustive bounded model checking of the model (explore/). Progress on stderr (one
// updating line on a TTY, a line every 10 s otherwise); at the end a TLC-style summary.
// Exit 0: no violation; 12: a violation (shortest counterexample saved, replay line
// printed); 2: usage; 75: a state/time/memory budget ran out (what was covered is printed).

import { relative } from 'node:path';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { knownCheckIds } from '../../explore/checks.ts';
import { explore, type ExploreOutcome, type SearchReport } from '../../explore/run.ts';
import { describeScope, resolveScope } from '../../explore/scope.ts';
import type { Progress } from '../../explore/bfs.ts';
import { compareWithRandom, renderAgreement } from '../../report/agreement.ts';

export const DEFAULT_OUT_DIR = 'explore/out';

interface ExploreFlags {
  profile?: string;
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
  if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`explore: ${flag} must be an integer ≥ ${min}, not "${v}"`);
  return Number(v);
};
const num = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`explore: ${flag} must be a positive number of seconds, not "${v}"`);
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

/** Progress lines on stderr: one line rewritten in place on a TTY, else one every 10 s. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(label: string, p: Progress): void; end(): void } {
  const tty = Boolean(stream.isTTY);
  let lastPrinted = 0;
  let pending = false;
  return {
    update(label, p) {
      const line = `${label}: ${fmtInt(p.distinct)} distinct states, ${fmtInt(p.transitions)} transitions, ${fmtInt(p.queue)} in queue, depth ${p.depth}, ${fmtInt(Math.round(p.statesPerSecond))} states/s, heap ${mib(p.heapBytes)}`;
      if (tty) { stream.write(`\r\x1b[K${line}`); pending = true; return; }
      if (p.elapsedMs - lastPrinted >= 10_000) { stream.write(`${line}\n`); lastPrinted = p.elapsedMs; }
    },
    end() { if (tty && pending) stream.write('\r\x1b[K'); pending = false; },
  };
}

function summaryLines(out: ExploreOutcome, scopeText: string): string[] {
  const lines: string[] = [];
  for (const s of out.searches) lines.push(...searchLines(s, out.scope, scopeText));
  const notJudged = out.verdicts.filter((v) => v.verdict === 'not-judged');
  for (const v of notJudged) lines.push(`${v.id}: not judged by the explorer: ${v.reason}`);
  return lines;
}

function searchLines(s: SearchReport, scope: string, scopeText: string): string[] {
  const r = s.result;
  const lines: string[] = [];
  lines.push(`${s.label}, scope ${scopeText}, depth ≤ ${r.depthBound}; checks: ${s.checks.join(' ') || '(none)'}`);
  for (const cx of s.counterexamples) {
    lines.push(`Error: ${cx.check} is violated: ${cx.message}`);
    lines.push(`  shortest counterexample in this scope: ${cx.length} step${cx.length === 1 ? '' : 's'}${cx.path ? `, saved as ${shown(cx.path)}` : ''}`);
    cx.ops.forEach((op, i) => lines.push(`    ${String(i + 1).padStart(2)}. ${JSON.stringify(op)} → ${JSON.stringify(cx.results[i])}`));
    if (cx.path) lines.push(`  replay: devpts-check replay ${shown(cx.path)}${cx.otherPath ? ` ${shown(cx.otherPath)}` : ''}`);
  }
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
      counterexamples: s.counterexamples.map((c) => ({ check: c.check, message: c.message, length: c.length, path: c.path ?? null, otherPath: c.otherPath ?? null, steps: c.trace.steps })),
    })),
    verdicts: out.verdicts.map((v) => ({ id: v.id, verdict: v.verdict, ...(v.reason ? { reason: v.reason } : {}), ...(v.counterexample ? { length: v.counterexample.length, path: v.counterexample.path ?? null } : {}) })),
    /** Peak resident set of this process (bench reads it). */
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('explore')
    .description('exhaustive bounded model checking of the model: BFS over a scope, shortest counterexamples')
    .option('--profile <id>', `kernel profile (${PROFILE_IDS.join(', ')})`)
    .option('--clause <ids...>', 'clauses/invariants to check (default: every invariant and transition clause of the profile; R1, R2, D5 explore the product of two profiles)')
    .option('--depth <n>', 'depth bound (default: the scope\'s)')
    .option('--scope <name|json>', 'a named scope (small, doc) or a JSON scope', 'small')
    .option('--json', 'print the outcome as one JSON object')
    .option('--max-states <n>', 'stop (exit 75) after this many distinct states')
    .option('--max-seconds <s>', 'stop (exit 75) after this many seconds')
    .option('--out <dir>', 'where counterexample traces are saved', DEFAULT_OUT_DIR)
    .option('--exact', 'keep exact state keys instead of 64-bit fingerprints')
    .option('--compare-random', 'also run the random property runner on the same clauses and report whether the verdicts agree')
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (flags: ExploreFlags) => {
      if (flags.profile === undefined) throw new UsageError(`explore: --profile is required (${PROFILE_IDS.join(', ')})`);
      if (!(PROFILE_IDS as readonly string[]).includes(flags.profile)) throw new UsageError(`explore: unknown profile "${flags.profile}" (${PROFILE_IDS.join(', ')})`);
      const profile = flags.profile as ProfileId;
      const clauses = (flags.clause ?? []).flatMap((c) => c.split(',')).filter((c) => c !== '');
      const known = knownCheckIds();
      const unknown = clauses.filter((c) => !known.includes(c));
      if (unknown.length > 0) throw new UsageError(`explore: unknown clause ${unknown.join(', ')} (known: ${known.join(' ')})`);
      const scope = resolveScope(flags.scope ?? 'small');
      const depth = int('--depth', flags.depth, 0);
      const maxStates = int('--max-states', flags.maxStates, 1);
      const maxSeconds = num('--max-seconds', flags.maxSeconds);
      const printer = progressPrinter();
      const out = await explore({
        profile, scope, clauses, exact: flags.exact,
        ...(depth !== undefined ? { depth } : {}),
        ...(maxStates !== undefined ? { maxStates } : {}),
        ...(maxSeconds !== undefined ? { maxSeconds } : {}),
        outDir: flags.out ?? DEFAULT_OUT_DIR,
        ...(flags.progress === false ? {} : { onProgress: (label: string, p: Progress) => printer.update(label, p) }),
      });
      printer.end();
      let agreementOk = true;
      let agreement: unknown = undefined;
      if (flags.compareRandom) {
        const cmp = await compareWithRandom({ profile, scope, explored: out });
        agreementOk = cmp.every((c) => c.agree);
        agreement = cmp;
        if (!flags.json) for (const line of renderAgreement(cmp)) process.stdout.write(`${line}\n`);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...(jsonOf(out) as object), ...(agreement ? { agreement } : {}) })}\n`);
      } else {
        for (const line of summaryLines(out, describeScope(scope))) process.stdout.write(`${line}\n`);
      }
      const code = exitCodeOf(out);
      done(code === EXIT.ok && !agreementOk ? EXIT.failed : code);
    });
};
