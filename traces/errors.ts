// The one error type of trace files: a bad file, a bad step, a step the model rejects.
// Its message is always one line naming the file, the step (1-based) and the field,
// so the CLI can print it as is (exit 2).

import { printable } from './printable.ts';

export interface ErrorPlace { readonly step?: number; readonly field?: string }

export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(readonly file: string, readonly place: ErrorPlace, readonly detail: string) {
    super(oneLine([shownName(file), place.step !== undefined ? `step ${place.step}` : '', place.field !== undefined ? `field "${place.field}"` : '', detail]));
  }
}

/** A file name as the message shows it: quoted when blank or padded with spaces, so it cannot vanish. */
const shownName = (file: string): string => (/^\S(.*\S)?$/s.test(file) ? file : JSON.stringify(file));

/** Longest message: a value quoted from the file (a 200 kB "profile") is cut, not echoed whole. */
const MAX_MESSAGE = 400;

/** Join the non-empty parts with ": ", on one line whatever the detail holds, control bytes escaped, long echoes cut. */
function oneLine(parts: readonly string[]): string {
  const text = printable(parts.filter((p) => p !== '').join(': ').replace(/\s*\n\s*/g, ' '));
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 40)}… (${text.length - (MAX_MESSAGE - 40)} more characters)`;
}
