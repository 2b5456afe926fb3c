// One set of exit codes for every devpts-check command (DEVELOPERS.md).
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
