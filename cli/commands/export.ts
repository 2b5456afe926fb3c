// devpts-check export --itf TRACE [--out FILE]: replay a trace on the model and write it
// in the Informal Trace Format (ITF) of Apalache/Quint: one state per step plus the
// initial one. Without --out the ITF goes to stdout. Bad input: one line, exit 2.

import { EXIT, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { formatItf, replayToItf } from '../../traces/itf.ts';
import { loadTrace, TraceError } from '../../traces/load.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { writeFileAtomic } from '../../traces/save.ts';
import { quietOnClosedPipe } from './replay.ts';

interface ExportFlags { readonly itf?: string; readonly out?: string }

/** The ITF text of a trace file; invalid traces are usage errors. */
export async function itfOfTraceFile(file: string): Promise<string> {
  try {
    const trace = await loadTrace(file);
    return formatItf(replayToItf(replayOnModel(trace, file)));
  } catch (err) {
    if (err instanceof TraceError) throw new UsageError(err.message);
    throw err;
  }
}

export const register: Registrar = (program, done) => {
  program
    .command('export')
    .description('export a trace replayed on the model in another format (ITF: Apalache/Quint)')
    .option('--itf <trace>', 'the trace file to export as ITF JSON')
    .option('--out <file>', 'write to this file (atomically) instead of stdout')
    .action(async (flags: ExportFlags) => {
      if (flags.itf === undefined) throw new UsageError('export: say what to export, e.g. --itf TRACE');
      const text = await itfOfTraceFile(flags.itf);
      if (flags.out === undefined) {
        quietOnClosedPipe(process.stdout);
        process.stdout.write(text);
      } else {
        try {
          await writeFileAtomic(flags.out, text);
        } catch (err) {
          throw new UsageError(`${flags.out}: cannot write: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
      done(EXIT.ok);
    });
};
