// devpts-check script FILE [--profile P...] [--boot-options OPTS] [--json] [--trace-out FILE]
//   [--cwd DIR] [--env NAME=VALUE]... [--call FUNC] [--rootfs DIR]... [--role container|host]
//   [--boot devpts|devtmpfs|none] [--shell sh|bash|dash|mksh|busybox] [--source-path DIR]... [-- ARG...]:
// check a container start-up (or boot) script. Parse it, run it in the model under each
// profile with those inputs, and say whether the container's ptys are reachable,
// isolated, harmless to the host and usable by non-root users (role host: whether the
// host's are). Exit 0 when every verdict that applies is yes, 1 otherwise, 2 on a parse
// error (line and column), an unreadable or binary file, or bad options; with --json,
// errors are a JSON object too.

import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BootError, PROFILE_IDS, type BootConfig, type KernelResult, type ProfileId } from '../../model/index.ts';
import { SHELL_NAMES, type ShellName } from '../../shell/ast.ts';
import { bootConfigFor, checkScript, DEFAULT_BOOT_OPTIONS, type BootKind, type ProfileReport, type Report, type Role } from '../../shell/check.ts';
import type { SourceFile } from '../../shell/interp.ts';
import { ScriptSyntaxError, ScriptTooDeep } from '../../shell/parse.ts';
import { renderJson, renderText } from '../../shell/render.ts';
import type { Expectation, Trace, TraceStep } from '../../traces/types.ts';
import { EXIT } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { quietOnClosedPipe } from '../closed-pipe.ts';

export interface ScriptFlags {
  readonly profile?: readonly string[];
  readonly bootOptions?: string;
  readonly json?: boolean;
  readonly traceOut?: string;
  readonly verbose?: boolean;
  readonly cwd?: string;
  readonly env?: readonly string[];
  readonly call?: string;
  readonly rootfs?: readonly string[];
  readonly role?: string;
  readonly boot?: string;
  readonly shell?: string;
  readonly sourcePath?: readonly string[];
  /** Positional arguments of the script (after --). */
  readonly args?: readonly string[];
}

const ROLES: readonly Role[] = ['container', 'host'];
const BOOTS: readonly BootKind[] = ['devpts', 'devtmpfs', 'none'];

/** The inputs of the run from the flags; a Refusal names the flag. */
function inputsOf(flags: ScriptFlags): { env: Map<string, string>; role: Role; boot: BootKind; shell?: ShellName; cwd?: string; rootfs: string[] } {
  const env = new Map<string, string>();
  for (const a of flags.env ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(a);
    if (!m) throw new Refusal(`--env "${a}": expected NAME=VALUE`);
    env.set(m[1]!, m[2]!);
  }
  const choice = <T extends string>(flag: string, v: string | undefined, all: readonly T[], dflt: T | undefined): T | undefined => {
    if (v === undefined) return dflt;
    if (!(all as readonly string[]).includes(v)) throw new Refusal(`${flag} "${v}": one of ${all.join(', ')}`);
    return v as T;
  };
  const absolute = (flag: string, v: string): string => {
    if (!v.startsWith('/')) throw new Refusal(`${flag} "${v}": an absolute path in the checked system`);
    return v.replace(/\/+$/, '') || '/';
  };
  const shell = choice('--shell', flags.shell, SHELL_NAMES, undefined);
  return {
    env, role: choice('--role', flags.role, ROLES, 'container')!, boot: choice('--boot', flags.boot, BOOTS, 'devpts')!,
    ...(shell !== undefined ? { shell } : {}),
    ...(flags.cwd !== undefined ? { cwd: absolute('--cwd', flags.cwd) } : {}),
    rootfs: (flags.rootfs ?? []).map((r) => absolute('--rootfs', r)),
  };
}

/**
 * Files the script sources or runs, looked up under each --source-path directory: the
 * path as the script names it below the directory, then its base name there.
 */
export function sourceLookup(dirs: readonly string[]): (path: string, cwd: string) => SourceFile | null {
  return (path, cwd) => {
    const rel = path.startsWith('/') ? path : `${cwd === '/' ? '' : cwd}/${path}`;
    for (const dir of dirs) {
      for (const candidate of [join(dir, rel), join(dir, path), join(dir, basename(path))]) {
        try {
          if (!statSync(candidate).isFile()) continue;
          return { file: candidate, text: readFileSync(candidate, 'utf8') };
        } catch {
          continue;
        }
      }
    }
    return null;
  };
}

/** Where the command writes: `out` gets the report, `err` one message per call (no prefix added). */
export interface ScriptOutput { out(text: string): void; err(line: string): void }

const PROCESS_OUTPUT: ScriptOutput = {
  out: (text) => process.stdout.write(text),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Scripts larger than this are refused (a start-up script is kilobytes). */
export const MAX_SCRIPT_BYTES = 8 * 1024 * 1024;

class Refusal extends Error {}

function profilesOf(given: readonly string[] | undefined): ProfileId[] {
  if (!given || given.length === 0) return [...PROFILE_IDS];
  const out: ProfileId[] = [];
  for (const p of given.flatMap((g) => g.split(',')).filter((p) => p !== '')) {
    if (!(PROFILE_IDS as readonly string[]).includes(p)) {
      const hint = p.includes('/') || p.includes('.sh') ? ' (put the script before --profile, or end the list with --)' : '';
      throw new Refusal(`--profile: unknown profile "${p}" (one of ${PROFILE_IDS.join(', ')})${hint}`);
    }
    if (!out.includes(p as ProfileId)) out.push(p as ProfileId);
  }
  return PROFILE_IDS.filter((p) => out.includes(p)); // the table's usual order
}

async function readScript(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : code ?? (err as Error).message;
    throw new Refusal(`${file}: cannot read the script: ${why}`);
  }
  if (bytes.length > MAX_SCRIPT_BYTES) throw new Refusal(`${file}: ${bytes.length} bytes is too large for a start-up script (limit ${MAX_SCRIPT_BYTES})`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Refusal(`${file}: a binary file (NUL byte at offset ${nul}), not a shell script`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refusal(`${file}: not UTF-8 text, not a shell script`);
  }
}

/** "FILE:3:7: parse error: …", then the line and a caret under the column. */
function parseErrorLines(file: string, text: string, e: ScriptSyntaxError): string[] {
  const source = text.split('\n')[e.line - 1];
  const lines = [`devpts-check: ${file}:${e.line}:${e.col}: parse error: ${e.reason}`];
  if (source !== undefined && source.length <= 200) {
    lines.push(`  ${e.line} | ${source.replace(/\t/g, ' ')}`);
    lines.push(`  ${' '.repeat(String(e.line).length)} | ${' '.repeat(Math.max(0, e.col - 1))}^`);
  }
  return lines;
}

/** The trace file of one profile: `out.json` for one profile, `out.<profile>.json` for several. */
export function tracePath(base: string, profile: ProfileId, several: boolean): string {
  if (!several) return base;
  const ext = extname(base);
  return ext ? `${base.slice(0, -ext.length)}.${profile}${ext}` : `${base}.${profile}`;
}

/** The partial result a replay must reproduce: everything but the console log. */
function expectationOf(r: KernelResult): Expectation {
  const { log: _log, ...rest } = r as KernelResult & { log?: unknown };
  return rest as Expectation;
}

/**
 * A profile's run as a devpts-trace/1: the set-up step, the script's ops and the
 * probes', each expecting what the model returned (a replay checks the same
 * outcome), with a note naming the script line or the probe.
 */
export function traceOf(report: Report, p: ProfileReport, boot: BootConfig): Trace {
  const steps: TraceStep[] = p.steps.map((s) => {
    const note = s.line !== null ? `line ${s.line}: ${s.command}${s.note ? ` (${s.note})` : ''}` : s.note;
    return { ...s.op, expect: expectationOf(s.result), ...(note ? { note } : {}) } as TraceStep;
  });
  return {
    format: 'devpts-trace/1',
    profile: p.profile,
    title: `devpts-check script ${report.script}`,
    boot,
    source: report.script,
    notes: `container: ${p.container.description}`,
    verdicts: Object.fromEntries(p.verdicts.map((v) => [v.name, { value: v.value, why: v.why }])),
    steps,
  };
}

/** With --json, an error is a JSON object on stdout too: `{ "format", "error": { "kind", "message", … } }`. */
function jsonError(kind: 'usage' | 'parse', message: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ format: 'devpts-check-script/1', error: { kind, message, ...extra } }, null, 2) + '\n';
}

export async function scriptCommand(file: string, flags: ScriptFlags, output: ScriptOutput = PROCESS_OUTPUT): Promise<number> {
  let report: Report;
  let text = '';
  let boot: BootConfig;
  const bootOptions = flags.bootOptions ?? DEFAULT_BOOT_OPTIONS;
  try {
    const profiles = profilesOf(flags.profile);
    const inputs = inputsOf(flags);
    try {
      boot = bootConfigFor(bootOptions, profiles, inputs.boot);
    } catch (err) {
      if (err instanceof BootError) throw new Refusal(`${inputs.boot === 'devtmpfs' && /devtmpfs/.test(err.message) ? '' : `--boot-options "${bootOptions}": `}${err.message}`);
      throw err;
    }
    text = await readScript(file);
    if (text.trim() === '') output.err(`devpts-check: ${file}: the script is empty; the verdicts are those of the boot state`);
    report = await checkScript(text, {
      profiles, bootOptions, scriptName: file, boot: inputs.boot, role: inputs.role, env: inputs.env, rootfs: inputs.rootfs,
      ...(inputs.shell ? { shell: inputs.shell } : {}), ...(inputs.cwd ? { cwd: inputs.cwd } : {}),
      ...(flags.call !== undefined ? { call: flags.call } : {}), args: flags.args ?? [],
      sourceText: sourceLookup(flags.sourcePath ?? []),
    });
  } catch (err) {
    if (err instanceof Refusal) {
      output.err(`devpts-check: ${err.message}`);
      if (flags.json) output.out(jsonError('usage', err.message));
      return EXIT.usage;
    }
    if (err instanceof ScriptSyntaxError) {
      for (const l of parseErrorLines(file, text, err)) output.err(l);
      if (flags.json) output.out(jsonError('parse', err.reason, { file, line: err.line, column: err.col }));
      return EXIT.usage;
    }
    if (err instanceof ScriptTooDeep) {
      output.err(`devpts-check: ${file}: ${err.message}`);
      if (flags.json) output.out(jsonError('parse', err.message, { file }));
      return EXIT.usage;
    }
    throw err;
  }
  output.out(flags.json ? renderJson(report) : renderText(report, { verbose: flags.verbose ?? false }));
  if (flags.traceOut !== undefined) {
    const several = report.profiles.length > 1;
    for (const p of report.profiles) {
      const path = tracePath(flags.traceOut, p.profile, several);
      try {
        // loaded only when asked for (start-up time)
        const { saveTrace } = await import('../../traces/save.ts');
        await saveTrace(path, traceOf(report, p, boot));
      } catch (err) {
        output.err(`devpts-check: ${path}: cannot write the trace: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        return EXIT.usage;
      }
      if (!flags.json) output.out(`trace (${p.profile}): ${path}\n`);
    }
  }
  return report.ok ? EXIT.ok : EXIT.failed;
}

const collectValues = (value: string, previous: string[]): string[] => [...previous, value];

export const register: Registrar = (program, done) => {
  program
    .command('script')
    .description('check a container start-up script: parse it, run it in the model, say whether its ptys work and stay isolated')
    .argument('[file]', 'the shell script')
    .option('--profile <profile...>', `kernel profiles to check (default: all of ${PROFILE_IDS.join(', ')}); commas work too`)
    .option('--boot-options <options>', "options of init's devpts mount at boot", DEFAULT_BOOT_OPTIONS)
    .option('--json', 'print the report as JSON')
    .option('--trace-out <file>', 'write a devpts-trace/1 file of the script\'s ops and the probes (FILE.<profile>.json for each profile when several)')
    .option('-v, --verbose', 'show the trace of every verdict, not only of each "no"')
    .option('--cwd <dir>', 'the working directory the script starts in (default /)')
    .option('--env <NAME=VALUE>', 'an environment variable (repeatable); every other variable is unset', collectValues, [])
    .option('--call <func>', 'after the top level, call this function of the script (with the arguments after --)')
    .option('--rootfs <dir>', 'build a root filesystem tree at DIR first (bin, dev with ptmx/null/zero/tty/console and an empty pts, etc, lib, proc, root, run, sbin, sys, tmp, usr, var), as debootstrap leaves one (repeatable)', collectValues, [])
    .option('--role <role>', 'container: a container or chroot start-up script; host: a boot or init script that prepares the machine itself', 'container')
    .option('--boot <kind>', 'devpts: /dev a directory with devpts on /dev/pts; devtmpfs: /dev is devtmpfs with devpts on /dev/pts (systemd); none: nothing mounted but / (an initramfs)', 'devpts')
    .option('--shell <shell>', `the shell that runs the script: ${SHELL_NAMES.join(', ')} (default: from the #! line; /system/bin/sh is mksh)`)
    .option('--source-path <dir>', 'where files the script sources (. FILE) or runs are found (repeatable)', collectValues, [])
    .argument('[args...]', 'the script\'s positional arguments (after --)')
    .addHelpText('after', `
The container is the last process unshare/ns_exec starts (the rest of the script runs
there when no command is given, or the command is a shell); without one it is the
script's own process, in the host's namespace.
Exit status: 0 every verdict is yes; 1 some verdict is no; 2 parse error, unreadable or
binary file, bad options.
`)
    .action(async (file: string | undefined, args: string[], flags: ScriptFlags) => {
      flags = { ...flags, args };
      quietOnClosedPipe(process.stdout);
      // `--profile 6.x FILE`: the variadic option took the file; give it back
      const given = flags.profile ?? [];
      const last = given[given.length - 1];
      if (file === undefined && last !== undefined && !last.split(',').every((p) => (PROFILE_IDS as readonly string[]).includes(p))) {
        file = last;
        flags = { ...flags, profile: given.slice(0, -1) };
      }
      if (file === undefined) {
        process.stderr.write("devpts-check: script: missing the script to check (devpts-check script FILE)\n");
        done(EXIT.usage);
        return;
      }
      done(await scriptCommand(file, flags));
    });
};
