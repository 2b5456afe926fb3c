// The report's options, parsed and checked in one place. Every problem is one line
// (UsageError → exit 2): the CLI prints it as is.

import { PROFILE_IDS, type ProfileId } from '../model/index.ts';
import { UsageError } from '../traces/errors.ts';
import type { BudgetName } from './data.ts';
import { DEFAULT_SEED } from '../properties/defaults.ts';

export const FORMATS = ['md', 'json', 'html', 'junit'] as const;
export type Format = (typeof FORMATS)[number];
export const FILE_OF: Readonly<Record<Format, string>> = { md: 'conformance.md', json: 'conformance.json', html: 'conformance.html', junit: 'junit.xml' };

export const BUDGET_NAMES: readonly BudgetName[] = ['quick', 'default', 'thorough'];

/** The default seed: the project's one (properties/defaults.ts), so two runs of the same tree give the same report (pass --seed to vary it). */
export { DEFAULT_SEED };

export interface ReportOptions {
  readonly profiles: readonly ProfileId[];
  /** null: every clause of the catalogue. */
  readonly clauses: readonly string[] | null;
  readonly budget: BudgetName;
  readonly outDir: string;
  readonly formats: readonly Format[];
  readonly seed: number;
  readonly json: boolean;
  /** The command that runs this report again (same selection, budget, seed, formats and out dir). */
  readonly rerun?: string;
}

export interface RawFlags {
  profile?: string | string[];
  clause?: string | string[];
  budget?: string;
  out?: string;
  format?: string | string[];
  seed?: string;
  json?: boolean;
}

/** "a,b" and repeated flags alike: ["a", "b"]. */
const list = (v: string | string[] | undefined): string[] | null => {
  if (v === undefined) return null;
  const items = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  return items;
};

/** Check and normalise the flags; `knownClauses` is the catalogue's IDs in order. */
export function parseReportOptions(flags: RawFlags, knownClauses: readonly string[], defaultOut: string): ReportOptions {
  const profiles = list(flags.profile);
  if (profiles !== null) {
    if (profiles.length === 0) throw new UsageError(`report: --profile needs a profile (one of ${PROFILE_IDS.join(', ')})`);
    for (const p of profiles) {
      if (!(PROFILE_IDS as readonly string[]).includes(p)) throw new UsageError(`report: unknown profile "${p}" (one of ${PROFILE_IDS.join(', ')})`);
    }
  }
  const clauses = list(flags.clause);
  let clauseIds: string[] | null = null;
  if (clauses !== null) {
    if (clauses.length === 0) throw new UsageError('report: --clause needs a clause ID such as D3');
    clauseIds = [];
    for (const c of clauses) {
      const id = knownClauses.find((k) => k.toUpperCase() === c.toUpperCase());
      if (!id) throw new UsageError(`report: unknown clause "${c}" (known: ${knownClauses.join(' ')})`);
      if (!clauseIds.includes(id)) clauseIds.push(id);
    }
    clauseIds = knownClauses.filter((k) => clauseIds!.includes(k)); // catalogue order
  }
  const budget = flags.budget ?? 'default';
  if (!(BUDGET_NAMES as readonly string[]).includes(budget)) throw new UsageError(`report: unknown budget "${budget}" (one of ${BUDGET_NAMES.join(', ')})`);
  const formats = list(flags.format) ?? [...FORMATS];
  if (formats.length === 0) throw new UsageError(`report: --format needs at least one of ${FORMATS.join(', ')}`);
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`report: unknown format "${f}" (any of ${FORMATS.join(', ')}, comma-separated)`);
  }
  let seed = DEFAULT_SEED;
  if (flags.seed !== undefined) {
    if (!/^\d{1,10}$/.test(flags.seed) || Number(flags.seed) > 0x7fffffff) throw new UsageError(`report: --seed must be an integer from 0 to ${0x7fffffff}, not "${flags.seed}"`);
    seed = Number(flags.seed);
  }
  const outDir = flags.out ?? defaultOut;
  if (outDir.trim() === '') throw new UsageError('report: --out needs a directory');
  const word = (v: string): string => (/^[A-Za-z0-9_./,:=@+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const rerun = ['devpts-check report', `--budget ${budget}`, `--seed ${seed}`];
  if (profiles !== null) rerun.push(`--profile ${PROFILE_IDS.filter((p) => profiles.includes(p)).join(',')}`);
  if (clauseIds !== null) rerun.push(`--clause ${clauseIds.join(',')}`);
  if (flags.format !== undefined) rerun.push(`--format ${FORMATS.filter((f) => formats.includes(f)).join(',')}`);
  if (flags.out !== undefined) rerun.push(`--out ${word(outDir)}`);
  if (flags.json) rerun.push('--json');
  return {
    rerun: rerun.join(' '),
    profiles: profiles === null ? [...PROFILE_IDS] : PROFILE_IDS.filter((p) => profiles.includes(p)),
    clauses: clauseIds,
    budget: budget as BudgetName,
    outDir,
    formats: FORMATS.filter((f) => formats.includes(f)),
    seed,
    json: flags.json === true,
  };
}
