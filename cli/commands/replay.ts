// devpts-check replay FILE... [--json] [--corpus]: replay traces and check their
// expectations. Exit 0 when every expectation holds, 1 when one fails, 2 when a file
// cannot be read or is not a valid trace (one line on stderr each).

import { relative } from 'node:path';
import { quietOnClosedPipe } from '../closed-pipe.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { violationOf } from '../../traces/violation.ts';
import { corpusFiles } from '../../traces/corpus.ts';
import { loadTrace, TraceError } from '../../traces/load.ts';
import { renderReplay } from '../../traces/render.ts';
import { modelReplayer, type Replayer } from '../../traces/replay.ts';
import { replayRecord, type ErrorRecord } from '../../traces/summary.ts';
import { kernelReplayer } from '../../kernel/replay.ts';
import type { ProfileId } from '../../model/index.ts';
import type { SequenceRunner } from '../../kernel/driver.ts';
import { requireRunner, requireStarted } from './kernel.ts';

export interface ReplayFlags {
  readonly json?: boolean;
  readonly corpus?: boolean;
  readonly kernel?: boolean;
  readonly kernelImage?: string;
  readonly kernels?: string;
}

/**
 * The engine that produces the results: the model, or with `--kernel` the live kernel
 * diffed step by step with the model (kernel/replay.ts).
 */
export function replayerFor(flags: ReplayFlags, opened: Map<string, { runner: SequenceRunner; label: string; live: boolean; keep: true }> = new Map()): Replayer {
  if (!flags.kernel) return modelReplayer;
  // each trace on the kernel of its profile (exit 77 where it cannot run); one runner per
  // profile for the whole command, closed at the end
  return kernelReplayer({
    runnerFor: async (trace) => {
      const key = trace.profile;
      const have = opened.get(key);
      if (have) return have;
      const o = await requireStarted(await requireRunner(trace.profile as ProfileId, {
        ...(flags.kernelImage !== undefined ? { kernelImage: flags.kernelImage } : {}),
        ...(flags.kernels !== undefined ? { kernels: flags.kernels } : {}),
        guests: 1,
      }));
      const entry = { runner: o.runner, label: o.label, live: o.target.kind === 'live', keep: true as const };
      opened.set(key, entry);
      return entry;
    },
  });
}

export interface Output { out(line: string): void; err(line: string): void }
export { quietOnClosedPipe };

const PROCESS_OUTPUT: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`devpts-check: ${line}\n`),
};

/** A path as the user reads it best: relative to the working directory when inside it. */
const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || rel === '' ? file : rel;
};

/** Replay each file in turn; returns the exit code. */
export async function replayFiles(files: readonly string[], flags: ReplayFlags, replayer: Replayer, output: Output = PROCESS_OUTPUT): Promise<number> {
  const tally = { holds: 0, reproduce: 0, fails: 0, invalid: 0 };
  for (const [n, file] of files.entries()) {
    const name = shown(file);
    let outcome;
    try {
      const trace = await loadTrace(file);
      outcome = await replayer(trace, name, { stopAtFirstFailure: true, keepStates: false });
    } catch (err) {
      if (!(err instanceof TraceError)) throw err;
      tally.invalid++;
      const message = err.message.startsWith(file) ? name + err.message.slice(file.length) : err.message;
      output.err(message);
      if (flags.json) output.out(JSON.stringify({ file: name, verdict: 'error', error: message } satisfies ErrorRecord));
      continue;
    }
    if (outcome.verdict === 'holds' && violationOf(outcome.trace)) tally.reproduce++;
    else tally[outcome.verdict]++;
    if (flags.json) {
      output.out(JSON.stringify(replayRecord(outcome)));
    } else {
      if (n > 0) output.out('');
      for (const line of renderReplay(outcome)) output.out(line);
    }
  }
  if (!flags.json && files.length > 1) {
    output.out('');
    const reproduce = tally.reproduce ? `, ${tally.reproduce} reproduce their violation` : '';
    output.out(`${files.length} traces: ${tally.holds} hold${reproduce}, ${tally.fails} fail${tally.invalid ? `, ${tally.invalid} invalid` : ''}`);
  }
  return tally.invalid > 0 ? EXIT.usage : tally.fails > 0 ? EXIT.failed : EXIT.ok;
}

export const register: Registrar = (program, done) => {
  program
    .command('replay')
    .description('replay trace files (devpts-trace/1) on the model and check their expectations')
    .argument('[files...]', 'trace files')
    .option('--json', 'one JSON object per file, one per line')
    .option('--corpus', 'also replay every trace in traces/corpus')
    .option('--kernel', "replay on the kernel of each trace's profile (6.x: the live kernel; older profiles: a QEMU guest; needs root) and diff each step with the model")
    .option('--kernel-image <file>', 'with --kernel: replay on this bootable image under QEMU')
    .option('--kernels <dir>', 'where the kernel images are (default ../shared/kernels, or $DEVPTS_CHECK_KERNELS)')
    .addHelpText('after', helpAfter(
      ['devpts-check replay report/out/traces/U6-6.x.json', 'devpts-check replay --json traces/corpus/U5--2.6.39-y.json', 'devpts-check replay --kernel traces/corpus/U6--6.x.json'],
      [[EXIT.ok, 'every expectation holds (a counterexample trace: it reproduces its violation)'], [EXIT.failed, 'an expectation fails, or the kernel and the model differ'],
        [EXIT.usage, 'a file cannot be read or is not a valid trace (one line each)'], [EXIT.unavailable, '--kernel: this machine cannot run that kernel (one line)']],
    ))
    .action(async (files: string[], flags: ReplayFlags) => {
      const all = [...files, ...(flags.corpus ? await corpusFiles() : [])];
      if (all.length === 0) throw new UsageError('replay: name trace files, or --corpus for the saved corpus');
      if (!flags.kernel && (flags.kernelImage !== undefined || flags.kernels !== undefined)) throw new UsageError('replay: --kernel-image and --kernels go with --kernel');
      quietOnClosedPipe(process.stdout);
      const opened = new Map<string, { runner: SequenceRunner; label: string; live: boolean; keep: true }>();
      try {
        // a dry run (fuzzing) loads and replays on the model only: no kernel is ever touched
        done(await replayFiles(all, flags, cliMode.dryRun ? modelReplayer : replayerFor(flags, opened)));
      } finally {
        await Promise.all([...opened.values()].map((o) => o.runner.close()));
      }
    });
};
