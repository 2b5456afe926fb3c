// devpts-check <command>: one CLI, one set of conventions (--json, seeds and replay
// lines, exit codes in exit-codes.ts). Each command lives in cli/commands/<name>.ts and
// exports `register(program, done)`; `done(code)` records the command's exit code.
// Heavy parts (the shell parser, the benchmarks) are loaded by the command that needs
// them, so a usage error answers at once.

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { printable } from '../traces/printable.ts';
import { EXIT, UnavailableError, UsageError } from './exit-codes.ts';
import { cliMode, type Registrar } from './registrar.ts';

const COMMANDS: Readonly<Record<string, () => Promise<{ register: Registrar }>>> = {
  // one line per command module; keep in alphabetical order
  bench: () => import('./commands/bench.ts'),
  check: () => import('./commands/check.ts'),
  explore: () => import('./commands/explore.ts'),
  export: () => import('./commands/export.ts'),
  kernel: () => import('./commands/kernel.ts'),
  replay: () => import('./commands/replay.ts'),
  report: () => import('./commands/report.ts'),
  script: () => import('./commands/script.ts'),
};

/** The version of package.json. */
export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const MAIN_HELP = `
Commands print a seed and a line that runs the same again where a run is random,
and --help shows each command's examples and exit codes.

Examples:
  $ devpts-check                                   # the conformance report (= devpts-check report)
  $ devpts-check check --profile 6.x --clause U6
  $ devpts-check replay report/out/traces/U6-6.x.json
  $ devpts-check script examples/lxc-style.sh

Exit codes (every command):
   0  ok
   1  an expectation or kernel comparison failed; a script verdict is "no"
   2  bad input or usage (one line on stderr)
  12  a checked clause is violated
  75  a time, state or memory budget ran out
  77  cannot run on this machine (one line on stderr)
`;

export interface MainOptions {
  /** Parse and check the arguments and input only; run nothing (fuzzing). */
  readonly dryRun?: boolean;
}

/** One line on stderr, control bytes escaped, never a stack trace. */
const errorLine = (s: string): void => { process.stderr.write(`devpts-check: ${printable(s.replace(/\s*\n\s*/g, ' ').trim())}\n`); };

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  let code: number = EXIT.ok;
  cliMode.dryRun = options.dryRun === true;
  const program = new Command('devpts-check')
    .description('An executable specification of the Linux devpts filesystem, checked.')
    .version(`devpts-check ${toolVersion()}`, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help (every command has its own: devpts-check COMMAND --help)')
    .addHelpText('after', MAIN_HELP)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      outputError: (s) => errorLine(s.replace(/^error: /, '')),
    });
  // no command (or only options such as --budget): the report
  const onlyOptions = argv.length === 0 || (argv[0]!.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(argv[0]!));
  const args = onlyOptions ? ['report', ...argv] : argv;
  // load only the command asked for (a usage error answers at once); all of them for the overview and unknown names
  const asked = Object.hasOwn(COMMANDS, args[0] ?? '') ? [args[0]!] : Object.keys(COMMANDS);
  for (const name of asked) (await COMMANDS[name]!()).register(program, (c) => { code = c; });
  // every subcommand: the same error handling, and no help dump after a usage error
  for (const c of program.commands) c.exitOverride().showHelpAfterError(false).helpOption('-h, --help', 'show this help').configureOutput({ outputError: (s) => errorLine(s.replace(/^error: /, '')) });
  try {
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UsageError) { errorLine(err.message); return EXIT.usage; }
    if (err instanceof UnavailableError) { errorLine(err.message); return EXIT.unavailable; }
    const message = err instanceof Error ? err.message : String(err);
    errorLine(`internal error: ${message}`);
    if (process.env.DEVPTS_CHECK_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return 70;
  } finally {
    cliMode.dryRun = false;
  }
}
