// devpts-check bench [--seconds S] [--profile P] [--quick] [--doc-profiles P,...]: the
// measurements of bench/run.ts side by side, with ratios; JSON in bench/out/latest.json.
// `npm run bench` runs it with the defaults.

import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { runBench } from '../../bench/run.ts';
import { resolveScope } from '../../explore/scope.ts';

interface BenchFlags { seconds?: string; profile?: string; quick?: boolean; docProfiles?: string; scope?: string; baseline?: string }

export const register: Registrar = (program, done) => {
  program
    .command('bench')
    .description('benchmarks: step vs xstate, explore vs @xstate/graph, property runner, live kernel, the doc scope')
    .option('--seconds <s>', 'seconds per timed measurement', '3')
    .option('--profile <id>', 'profile of the step/explore/runner measurements', '2.6.39-y')
    .option('--scope <name|json>', 'scope of the explore vs @xstate/graph measurement', 'small')
    .option('--doc-profiles <ids>', 'profiles whose doc-scope run is measured (comma-separated)', PROFILE_IDS.join(','))
    .option('--quick', 'skip the doc-scope runs')
    .option('--baseline <rev>', 'also measure step and explore of this git revision, side by side')
    .action(async (flags: BenchFlags) => {
      const seconds = Number(flags.seconds ?? 3);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`bench: --seconds must be a positive number, not "${flags.seconds}"`);
      const ids = (s: string) => s.split(',').filter(Boolean).map((p) => {
        if (!(PROFILE_IDS as readonly string[]).includes(p)) throw new UsageError(`bench: unknown profile "${p}" (${PROFILE_IDS.join(', ')})`);
        return p as ProfileId;
      });
      const [profile] = ids(flags.profile ?? '2.6.39-y');
      await runBench({
        seconds, profile: profile!, scope: resolveScope(flags.scope ?? 'small'),
        docProfiles: flags.quick ? [] : ids(flags.docProfiles ?? PROFILE_IDS.join(',')),
        ...(flags.baseline !== undefined ? { baseline: flags.baseline } : {}),
      });
      done(EXIT.ok);
    });
};
