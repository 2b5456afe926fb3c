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
import { EXIT } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { collect, PROFILE_FLAG, PROFILE_HELP } from '../profiles.ts';
import { startProgress } from '../progress.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { requireWritableDir } from '../out-dir.ts';

/** report/out of this checkout, wherever the command runs from. */
export const DEFAULT_OUT = fileURLToPath(new URL('../../report/out', import.meta.url));

export const register: Registrar = (program, done) => {
  program
    .command('report')
    .description('the spec-conformance report: every clause of devpts.txt against every kernel profile (default command)')
    .option(PROFILE_FLAG, `${PROFILE_HELP}; default all`, collect)
    .option('--clause <ids>', 'clause IDs to check, comma-separated or repeated (default: all)', collect)
    .option('--budget <name>', `${BUDGET_NAMES.join(' | ')}: random runs and exploration depth (default: default)`)
    .option('--out <dir>', `output directory (default ${DEFAULT_OUT})`)
    .option('--format <list>', `files to write, comma-separated (default ${FORMATS.join(',')})`)
    .option('--seed <n>', `seed of the random runs (default ${DEFAULT_SEED})`)
    .option('--json', 'print conformance.json to stdout instead of the matrix')
    .option('--no-progress', 'no progress on stderr (default: a line every 10 s when stderr is not a terminal)')
    .addHelpText('after', helpAfter(
      ['devpts-check report', 'devpts-check report --budget quick --profile 6.x --out /tmp/report', 'devpts-check report --budget thorough --seed 7'],
      [[EXIT.ok, 'the run completed (violated cells are findings: results, not failures)'], [EXIT.failed, 'something could not be computed or written'], [EXIT.usage, 'bad options, including an --out that cannot be written (checked before the run)']],
    ))
    .action(async (flags: RawFlags & { progress?: boolean }) => {
      const options = parseReportOptions(flags, await catalogueIds(), DEFAULT_OUT);
      if (cliMode.dryRun) {
        await requireWritableDir(options.outDir, 'report: cannot write the report to '); // creates nothing
        done(EXIT.ok);
        return;
      }
      await requireWritableDir(options.outDir, 'report: cannot write the report to '); // one line, exit 2, before the run
      const progress = startProgress({ label: 'report', enabled: flags.progress !== false });
      const { code } = await runReport(options, {
        stdout: (s) => process.stdout.write(s),
        stderr: (s) => process.stderr.write(s),
        tty: process.stdout.isTTY === true,
        onProgress: (message) => progress.update(message),
        onProgressEnd: () => progress.end(),
        // a terminal too narrow (or reporting 0) gets whole lines rather than stumps
        columns: (process.stdout.columns ?? 0) >= 60 ? process.stdout.columns : null,
      });
      done(code);
    });
};
