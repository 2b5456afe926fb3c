// The one error type of trace files: a bad file, a bad step, a step the model rejects.
// Its message is always one line naming the file, the step (1-based) and the field,
// so the CLI can print it as is (exit 2).

import { printable } from './printable.ts';

export interface ErrorPlace { readonly step?: number; readonly field?: string }

export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(readonly file: string, readonly place: ErrorPlace, readonly detail: string) {
    super(oneLine([file, place.step !== undefined ? `step ${place.step}` : '', place.field !== undefined ? `field "${place.field}"` : '', detail]));
  }
}

/** Join the non-empty parts with ": ", on one line whatever the detail holds, control bytes escaped. */
function oneLine(parts: readonly string[]): string {
  return printable(parts.filter((p) => p !== '').join(': ').replace(/\s*\n\s*/g, ' '));
}
