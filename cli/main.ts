// devpts-check <command>: one CLI, one set of conventions (--json, seeds and replay
// lines, exit codes in exit-codes.ts). Each command lives in cli/commands/<name>.ts and
// exports `register(program, done)`; `done(code)` records the command's exit code.

import { Command, CommanderError } from 'commander';
import { EXIT, UnavailableError, UsageError } from './exit-codes.ts';
import type { Registrar } from './registrar.ts';

const COMMANDS: Readonly<Record<string, () => Promise<{ register: Registrar }>>> = {
  // one line per command module, by its name; keep in alphabetical order
  bench: () => import('./commands/bench.ts'),
  check: () => import('./commands/check.ts'),
  explore: () => import('./commands/explore.ts'),
  export: () => import('./commands/export.ts'),
  kernel: () => import('./commands/kernel.ts'),
  replay: () => import('./commands/replay.ts'),
  report: () => import('./commands/report.ts'),
  script: () => import('./commands/script.ts'),
};

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('devpts-check')
    .description('An executable specification of the Linux devpts filesystem, checked.')
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`devpts-check: ${s.replace(/^error: /, '').trim()}\n`),
    });
  // a named command loads its own module only (start-up time: `script` runs within a second)
  const named = argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? [COMMANDS[argv[0]]!] : Object.values(COMMANDS);
  for (const load of named) (await load()).register(program, (c) => { code = c; });
  // no command: the main job (the conformance report)
  // no command (or only options such as --budget): the report, or the corpus replay before it existed
  const defaultCommand = program.commands.some((c) => c.name() === 'report') ? ['report'] : ['replay', '--corpus'];
  const onlyOptions = argv.length === 0 || (argv[0]!.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(argv[0]!));
  const args = onlyOptions ? [...defaultCommand, ...argv] : argv;
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) { process.stderr.write(`devpts-check: ${err.message}\n`); return EXIT.usage; }
    if (err instanceof UnavailableError) { process.stderr.write(`devpts-check: ${err.message}\n`); return EXIT.unavailable; }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`devpts-check: internal error: ${message}\n`);
    if (process.env.DEVPTS_CHECK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 70;
  }
}
