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

// ---- errors of bad input and of the machine, and the exit codes -----------------------
// They live here, below every layer that throws them (explore/ scopes, report/ options,
// kernel/ availability, cli/): the trace tools are the lowest layer that meets bad input.

/** One set of exit codes for every devpts-check command (DEVELOPERS.md). */
export const EXIT = {
  ok: 0,
  failed: 1,        // an expectation or kernel comparison failed; a script verdict is "no"
  usage: 2,         // bad input or usage
  violated: 12,     // a property was violated
  budget: 75,       // a time or memory budget ran out
  unavailable: 77,  // cannot run on this machine
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown for bad input or usage: printed as one line, exit 2. */
export class UsageError extends Error {}
/** Thrown when the machine cannot run the command: printed as one line, exit 77. */
export class UnavailableError extends Error {}
