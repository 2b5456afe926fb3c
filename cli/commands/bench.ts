// devpts-check bench [--seconds S] [--profile P] [--quick] [--doc-profiles P,...]: the
// measurements of bench/run.ts side by side, with ratios; JSON in bench/out/latest.json.
// `npm run bench` runs it with the defaults.

import { PROFILE_IDS } from '../../model/index.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { collect, parseProfiles, PROFILE_FLAG } from '../profiles.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { resolveScope } from '../../explore/scope.ts';

interface BenchFlags { seconds?: string; profile?: string[]; quick?: boolean; docProfiles?: string[]; scope?: string; baseline?: string }

export const register: Registrar = (program, done) => {
  program
    .command('bench')
    .description('benchmarks: step vs xstate, explore vs @xstate/graph, property runner, live kernel, the doc scope')
    .option('--seconds <s>', 'seconds per timed measurement', '3')
    .option(PROFILE_FLAG, 'the one profile of the step/explore/runner measurements (default 2.6.39-y)', collect)
    .option('--scope <name|json>', 'scope of the explore vs @xstate/graph measurement', 'small')
    .option('--doc-profiles <ids>', `profiles whose doc-scope run is measured, comma-separated or repeated (default ${PROFILE_IDS.join(',')})`, collect)
    .option('--quick', 'skip the doc-scope runs')
    .option('--baseline <rev>', 'also measure step and explore of this git revision, side by side')
    .addHelpText('after', helpAfter(
      ['npm run bench', 'devpts-check bench --quick --seconds 1'],
      [[EXIT.ok, 'measured (bench/out/latest.json)'], [EXIT.usage]],
    ))
    .action(async (flags: BenchFlags) => {
      const seconds = Number(flags.seconds ?? 3);
      if (flags.seconds?.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`bench: --seconds must be a positive number, not "${flags.seconds}"`);
      const measured = parseProfiles(flags.profile, 'bench') ?? ['2.6.39-y'];
      if (measured.length !== 1) throw new UsageError(`bench: --profile names the one profile measured, not ${measured.length} (${measured.join(', ')})`);
      const docProfiles = parseProfiles(flags.docProfiles, 'bench') ?? [...PROFILE_IDS];
      const scope = resolveScope(flags.scope ?? 'small');
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      const { runBench } = await import('../../bench/run.ts');
      await runBench({
        seconds, profile: measured[0]!, scope, docProfiles: flags.quick ? [] : docProfiles,
        ...(flags.baseline !== undefined ? { baseline: flags.baseline } : {}),
      });
      done(EXIT.ok);
    });
};
