import type { Command } from 'commander';
/** A command module registers its subcommand and reports its exit code through `done`. */
export type Registrar = (program: Command, done: (code: number) => void) => void;
