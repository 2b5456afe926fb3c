// devpts-check export TRACE --itf [--out FILE] [--max-steps N]: replay a trace on the
// model and write it in the Informal Trace Format (ITF) of Apalache/Quint: one state per
// step plus the initial one. Without --out the ITF goes to stdout. The text is streamed
// state by state; a trace whose export would be huge is refused before anything is
// written (one line, exit 2). Bad input: one line, exit 2.
// (`export --itf TRACE`, the older spelling, still works.)

import { once } from 'node:events';
import { EXIT, UsageError } from '../exit-codes.ts';
import { errnoWords } from '../errno-words.ts';
import { helpAfter } from '../help.ts';
import { requireExistingDirFor } from '../out-dir.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { formatItf, itfBytesPerState, itfChunks, replayToItf } from '../../traces/itf.ts';
import { loadTrace, TraceError } from '../../traces/load.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { writeChunksAtomic } from '../../traces/save.ts';
import type { Trace } from '../../traces/types.ts';
import { quietOnClosedPipe } from './replay.ts';

interface ExportFlags { readonly itf?: string | boolean; readonly out?: string; readonly maxSteps?: string }

/** Steps an ITF export takes by default: every step carries the whole kernel state (kilobytes each). */
export const DEFAULT_MAX_ITF_STEPS = 100_000;

/** The ITF text of a trace file (in memory: tests and short traces); invalid traces are usage errors. */
export async function itfOfTraceFile(file: string): Promise<string> {
  try {
    const trace = await loadTrace(file);
    return formatItf(replayToItf(replayOnModel(trace, file)));
  } catch (err) {
    if (err instanceof TraceError) throw new UsageError(err.message);
    throw err;
  }
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const size = (bytes: number): string => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.ceil(bytes / 1e6)} MB`);

/** The trace, checked to fit the step limit; the refusal says how large the export would be. */
async function loadForExport(file: string, maxSteps: number): Promise<Trace> {
  let trace: Trace;
  try {
    trace = await loadTrace(file);
  } catch (err) {
    if (err instanceof TraceError) throw new UsageError(err.message);
    throw err;
  }
  if (trace.steps.length > maxSteps) {
    const perState = itfBytesPerState(trace, file);
    throw new UsageError(`export: ${file} has ${fmt(trace.steps.length)} steps; its ITF would hold the whole kernel state ${fmt(trace.steps.length + 1)} times (at least ${size(perState * (trace.steps.length + 1))}): the limit is ${fmt(maxSteps)} steps (--max-steps N raises it)`);
  }
  return trace;
}

/** Write to stdout honouring back-pressure (a slow pipe never makes the text pile up in memory). */
async function toStdout(chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}

/** The chunks, with a tool error in a step turned into a usage error (one line, exit 2). */
function* checked(chunks: Iterable<string>): Generator<string> {
  try {
    yield* chunks;
  } catch (err) {
    if (err instanceof TraceError) throw new UsageError(err.message);
    throw err;
  }
}

export const register: Registrar = (program, done) => {
  program
    .command('export')
    .description('export a trace replayed on the model in another format (ITF: the JSON traces of Apalache and Quint)')
    .argument('[trace]', 'the trace file (devpts-trace/1)')
    .option('--itf [trace]', 'write the Informal Trace Format (the trace may also follow --itf)')
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .option('--max-steps <n>', `refuse traces longer than this (default ${fmt(DEFAULT_MAX_ITF_STEPS)}): every ITF state holds the whole kernel state`)
    .addHelpText('after', helpAfter(
      ['devpts-check export report/out/traces/U6-6.x.json --itf > U6.itf.json', 'devpts-check export traces/corpus/U5--2.6.39-y.json --itf --out /tmp/U5.itf.json'],
      [[EXIT.ok, 'written'], [EXIT.usage, 'bad options, an invalid trace, a trace over the step limit, or the output cannot be written (one line)']],
    ))
    .action(async (positional: string | undefined, flags: ExportFlags) => {
      if (flags.itf === undefined) throw new UsageError('export: say which format: devpts-check export TRACE --itf');
      const fromFlag = typeof flags.itf === 'string' ? flags.itf : undefined;
      if (fromFlag !== undefined && positional !== undefined) throw new UsageError(`export: one trace at a time (got ${fromFlag} and ${positional})`);
      const file = fromFlag ?? positional;
      if (file === undefined) throw new UsageError('export: name the trace: devpts-check export TRACE --itf');
      let maxSteps = DEFAULT_MAX_ITF_STEPS;
      if (flags.maxSteps !== undefined) {
        if (!/^\d+$/.test(flags.maxSteps) || !Number.isSafeInteger(Number(flags.maxSteps))) throw new UsageError(`export: --max-steps must be a non-negative integer, not "${flags.maxSteps}"`);
        maxSteps = Number(flags.maxSteps);
      }
      if (flags.out !== undefined) await requireExistingDirFor(flags.out, 'export: cannot write ');
      const trace = await loadForExport(file, maxSteps);
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      const chunks = checked(itfChunks(trace, file));
      if (flags.out === undefined) {
        quietOnClosedPipe(process.stdout);
        await toStdout(chunks);
      } else {
        try {
          await writeChunksAtomic(flags.out, chunks);
        } catch (err) {
          if (err instanceof UsageError) throw err;
          throw new UsageError(`export: cannot write ${flags.out}: ${errnoWords(err)}`);
        }
      }
      done(EXIT.ok);
    });
};
