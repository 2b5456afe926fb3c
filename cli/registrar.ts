import type { Command } from 'commander';
/** A command module registers its subcommand and reports its exit code through `done`. */
export type Registrar = (program: Command, done: (code: number) => void) => void;

/**
 * Parse only: every command checks its arguments and input, then stops before the run
 * (the fuzzing test drives the whole option parsing in-process this way).
 */
export const cliMode = { dryRun: false };
