// devpts-check report: the spec-conformance report, the tool's main job (and what
// `devpts-check` with no arguments runs). Every clause against every profile, random
// runs plus the bounded exhaustive search; the matrix on the terminal and
// conformance.{md,json,html} + junit.xml + replayable traces in --out.
// Exit 0 when the run completed (violations are findings), 1 when something could not
// be computed or written, 2 for bad options (report/index.ts).

import { fileURLToPath } from 'node:url';
import { catalogueIds } from '../../report/collect.ts';
import { runReport } from '../../report/index.ts';
import { BUDGET_NAMES, DEFAULT_SEED, FORMATS, parseReportOptions, type RawFlags } from '../../report/options.ts';
import type { Registrar } from '../registrar.ts';

/** report/out of this checkout, wherever the command runs from. */
export const DEFAULT_OUT = fileURLToPath(new URL('../../report/out', import.meta.url));

export const register: Registrar = (program, done) => {
  program
    .command('report')
    .description('the spec-conformance report: every clause of devpts.txt against every kernel profile (default command)')
    .option('--profile <ids>', 'profiles to check, comma-separated (default: all)')
    .option('--clause <ids>', 'clause IDs to check, comma-separated (default: all)')
    .option('--budget <name>', `${BUDGET_NAMES.join(' | ')}: random runs and exploration depth`, 'default')
    .option('--out <dir>', 'output directory', DEFAULT_OUT)
    .option('--format <list>', `files to write, comma-separated: ${FORMATS.join(',')}`, FORMATS.join(','))
    .option('--seed <n>', `seed of the random runs (default ${DEFAULT_SEED})`)
    .option('--json', 'print conformance.json to stdout instead of the matrix')
    .action(async (flags: RawFlags) => {
      const options = parseReportOptions(flags, await catalogueIds(), DEFAULT_OUT);
      const { code } = await runReport(options, {
        stdout: (s) => process.stdout.write(s),
        stderr: (s) => process.stderr.write(s),
        tty: process.stdout.isTTY === true,
        progress: process.stderr.isTTY === true,
        // a terminal too narrow (or reporting 0) gets whole lines rather than stumps
        columns: (process.stdout.columns ?? 0) >= 60 ? process.stdout.columns : null,
      });
      done(code);
    });
};
