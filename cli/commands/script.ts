// devpts-check script FILE|- [--profile P,...] [--boot-options OPTS] [--json] [--trace-out DIR|FILE]
//   [--cwd DIR] [--env NAME=VALUE]... [--call FUNC] [--rootfs DIR]... [--role container|host]
//   [--boot devpts|devtmpfs|none] [--shell sh|bash|dash|mksh|busybox] [--source-path DIR]... [-- ARG...]:
// check a container start-up (or boot) script. Parse it, run it in the model under each
// profile with those inputs, and say whether the container's ptys are reachable,
// isolated, harmless to the host and usable by non-root users (role host: whether the
// host's are). Exit 0 when every verdict that applies is yes, 1 otherwise, 2 on a parse
// error (line and column), an unreadable, binary or empty script, or bad options; with
// --json, errors are a JSON object too. `-` reads the script from stdin. The shell
// parser loads only when a script is checked.

import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BootError, PROFILE_IDS, type BootConfig, type KernelResult, type ProfileId } from '../../model/index.ts';
import { SHELL_NAMES, type ShellName } from '../../shell/ast.ts';
import type { BootKind, ProfileReport, Report, Role } from '../../shell/check.ts';
import type { SourceFile } from '../../shell/interp.ts';
import { saveTrace } from '../../traces/save.ts';
import type { Expectation, Trace, TraceStep } from '../../traces/types.ts';
import { errnoWords } from '../errno-words.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { requireWritableDir } from '../out-dir.ts';
import { collect, parseProfiles, PROFILE_FLAG, PROFILE_HELP } from '../profiles.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { quietOnClosedPipe } from '../closed-pipe.ts';

/** init's devpts options at boot when --boot-options is not given (what distributions mount); shell/check.ts has the same. */
export const DEFAULT_BOOT_OPTIONS = 'gid=5,mode=620';

export interface ScriptFlags {
  readonly profile?: string | readonly string[];
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

/** The name `-` reads the script from standard input. */
export const STDIN = '-';

class Refusal extends Error {}

function profilesOf(given: string | readonly string[] | undefined): ProfileId[] {
  try {
    return parseProfiles(given, 'script') ?? [...PROFILE_IDS];
  } catch (err) {
    if (err instanceof UsageError) throw new Refusal(`--profile: ${err.message.replace(/^script: (--profile needs)?/, (_, needs) => (needs ? 'needs' : ''))}`);
    throw err;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_SCRIPT_BYTES) throw new Refusal(`standard input: more than ${MAX_SCRIPT_BYTES} bytes is too large for a start-up script`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The script's bytes: a file, or standard input for `-`. */
async function readBytes(file: string, stdin: NodeJS.ReadableStream): Promise<Buffer> {
  if (file === STDIN) return readAll(stdin);
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new Refusal(`${file}: cannot read the script: it is a directory`);
    if (st.size > MAX_SCRIPT_BYTES) throw new Refusal(`${file}: ${st.size} bytes is too large for a start-up script (limit ${MAX_SCRIPT_BYTES})`);
    return await readFile(file);
  } catch (err) {
    if (err instanceof Refusal) throw err;
    throw new Refusal(`${file}: cannot read the script: ${errnoWords(err)}`);
  }
}

async function readScript(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const bytes = await readBytes(file, stdin);
  const name = file === STDIN ? 'standard input' : file;
  if (bytes.length > MAX_SCRIPT_BYTES) throw new Refusal(`${name}: ${bytes.length} bytes is too large for a start-up script (limit ${MAX_SCRIPT_BYTES})`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new Refusal(`${name}: a binary file (NUL byte at offset ${nul}), not a shell script`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Refusal(`${name}: not UTF-8 text, not a shell script`);
  }
}

/** Nothing but blank lines and comments (a shebang is one): there is nothing to check. */
export const isEmptyScript = (text: string): boolean => text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));

/** "FILE:3:7: parse error: …", then the line and a caret under the column. */
function parseErrorLines(file: string, text: string, e: { line: number; col: number; reason: string }): string[] {
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

/**
 * Where --trace-out puts a profile's trace. A directory (an existing one, or a path
 * ending in "/") gets `<script>.<profile>.json` inside it; anything else is a file name
 * (`FILE` for one profile, `FILE.<profile>.json` beside it for several).
 */
export function traceOutPath(traceOut: string, isDir: boolean, script: string, profile: ProfileId, several: boolean): string {
  if (!isDir) return tracePath(traceOut, profile, several);
  const stem = script === STDIN ? 'stdin' : basename(script, extname(script)) || 'script';
  return join(traceOut, `${stem}.${profile}.json`);
}

/** Check --trace-out before the run: a directory must be writable; a file's folder must exist and be writable. */
async function traceOutTarget(traceOut: string): Promise<{ isDir: boolean }> {
  if (traceOut.trim() === '') throw new Refusal('--trace-out: an empty path');
  const st = await stat(traceOut).catch(() => null);
  const isDir = st?.isDirectory() === true || /\/$/.test(traceOut);
  const dir = isDir ? traceOut : join(traceOut, '..');
  const parent = await stat(dir).catch(() => null);
  if (parent === null) throw new Refusal(`--trace-out ${traceOut}: the folder ${isDir ? traceOut.replace(/\/+$/, '') : dir} does not exist`);
  if (!parent.isDirectory()) throw new Refusal(`--trace-out ${traceOut}: ${dir} is not a directory`);
  try {
    await requireWritableDir(dir, '--trace-out ', traceOut);
  } catch (err) {
    throw new Refusal((err as Error).message);
  }
  return { isDir };
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

export async function scriptCommand(file: string, flags: ScriptFlags, output: ScriptOutput = PROCESS_OUTPUT, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let report: Report;
  let text = '';
  let boot: BootConfig;
  const bootOptions = flags.bootOptions ?? DEFAULT_BOOT_OPTIONS;
  let traceOut: { isDir: boolean } | null = null;
  const name = file === STDIN ? 'standard input' : file;
  try {
    const profiles = profilesOf(flags.profile);
    const inputs = inputsOf(flags);
    const { bootConfigFor, checkScript } = await import('../../shell/check.ts');
    const { ScriptSyntaxError, ScriptTooDeep } = await import('../../shell/parse.ts');
    try {
      boot = bootConfigFor(bootOptions, profiles, inputs.boot);
    } catch (err) {
      if (err instanceof BootError) throw new Refusal(`${inputs.boot === 'devtmpfs' && /devtmpfs/.test(err.message) ? '' : `--boot-options "${bootOptions}": `}${err.message}`);
      throw err;
    }
    if (flags.traceOut !== undefined) traceOut = await traceOutTarget(flags.traceOut);
    text = await readScript(file, stdin);
    if (isEmptyScript(text)) throw new Refusal(`${name}: the script is empty (no commands): nothing to check`);
    try {
      report = await checkScript(text, {
        profiles, bootOptions, scriptName: file === STDIN ? '-' : file, boot: inputs.boot, role: inputs.role, env: inputs.env, rootfs: inputs.rootfs,
        ...(inputs.shell ? { shell: inputs.shell } : {}), ...(inputs.cwd ? { cwd: inputs.cwd } : {}),
        ...(flags.call !== undefined ? { call: flags.call } : {}), args: flags.args ?? [],
        sourceText: sourceLookup(flags.sourcePath ?? []),
      });
    } catch (err) {
      if (err instanceof ScriptSyntaxError) {
        for (const l of parseErrorLines(name, text, err)) output.err(l);
        if (flags.json) output.out(jsonError('parse', err.reason, { file: name, line: err.line, column: err.col }));
        return EXIT.usage;
      }
      if (err instanceof ScriptTooDeep) {
        output.err(`devpts-check: ${name}: ${err.message}`);
        if (flags.json) output.out(jsonError('parse', err.message, { file: name }));
        return EXIT.usage;
      }
      throw err;
    }
  } catch (err) {
    if (err instanceof Refusal) {
      output.err(`devpts-check: ${err.message}`);
      if (flags.json) output.out(jsonError('usage', err.message));
      return EXIT.usage;
    }
    throw err;
  }
  if (cliMode.dryRun) return EXIT.ok;
  const { renderJson, renderText } = await import('../../shell/render.ts');
  output.out(flags.json ? renderJson(report) : renderText(report, { verbose: flags.verbose ?? false }));
  if (flags.traceOut !== undefined && traceOut !== null) {
    const several = report.profiles.length > 1;
    for (const p of report.profiles) {
      const path = traceOutPath(flags.traceOut, traceOut.isDir, file, p.profile, several || traceOut.isDir);
      try {
        await saveTrace(path, traceOf(report, p, boot));
      } catch (err) {
        output.err(`devpts-check: cannot write the trace ${path}: ${errnoWords(err)}`);
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
    .argument('[file]', 'the shell script (- reads it from standard input)')
    .argument('[args...]', 'the script\'s positional arguments (after --)')
    .option(PROFILE_FLAG, `${PROFILE_HELP}; default all`, collect)
    .option('--boot-options <options>', `options of init's devpts mount at boot (default "${DEFAULT_BOOT_OPTIONS}"; '' for none)`)
    .option('--json', 'print the report as JSON')
    .option('--trace-out <dir|file>', 'write a devpts-trace/1 file of the script\'s ops and the probes per profile: into DIR as <script>.<profile>.json, or as FILE (FILE.<profile>.json beside it when several)')
    .option('-v, --verbose', 'show the trace of every verdict, not only of each "no"')
    .option('--cwd <dir>', 'the working directory the script starts in (default /)')
    .option('--env <NAME=VALUE>', 'an environment variable (repeatable); every other variable is unset', collectValues, [])
    .option('--call <func>', 'after the top level, call this function of the script (with the arguments after --)')
    .option('--rootfs <dir>', 'build a root filesystem tree at DIR first (bin, dev with ptmx/null/zero/tty/console and an empty pts, etc, lib, proc, root, run, sbin, sys, tmp, usr, var), as debootstrap leaves one (repeatable)', collectValues, [])
    .option('--role <role>', 'container: a container or chroot start-up script; host: a boot or init script that prepares the machine itself', 'container')
    .option('--boot <kind>', 'devpts: /dev a directory with devpts on /dev/pts; devtmpfs: /dev is devtmpfs with devpts on /dev/pts (systemd); none: nothing mounted but / (an initramfs)', 'devpts')
    .option('--shell <shell>', `the shell that runs the script: ${SHELL_NAMES.join(', ')} (default: from the #! line; /system/bin/sh is mksh)`)
    .option('--source-path <dir>', 'where files the script sources (. FILE) or runs are found (repeatable)', collectValues, [])
    .addHelpText('after', `
The container is the last process unshare/ns_exec starts (the rest of the script runs
there when no command is given, or the command is a shell); without one it is the
script's own process, in the host's namespace.
${helpAfter(
    [
      'devpts-check script examples/lxc-style.sh',
      'devpts-check script examples/doc-note4.sh --profile 2.6.39-y,6.x --trace-out /tmp/traces/',
      'devpts-check script examples/chroot-helper.sh --rootfs /srv/chroot -- /srv/chroot apt-get update',
      'devpts-check script init --role host --boot none --source-path /usr/share/initramfs-tools',
      'cat start.sh | devpts-check script -',
    ],
    [[EXIT.ok, 'every verdict that applies is yes'], [EXIT.failed, 'some verdict is no'], [EXIT.usage, 'parse error (line and column), an unreadable, binary or empty script, or bad options']],
  )}`)
    .action(async (first: string | undefined, rest: string[], flags: ScriptFlags, command: { parent: { rawArgs?: string[] } | null }) => {
      quietOnClosedPipe(process.stdout);
      // operands after `--` are the script's arguments; before it, only the script
      const operands = first === undefined ? [] : [first, ...rest];
      const raw = command.parent?.rawArgs ?? [];
      const dashdash = raw.indexOf('--');
      const afterDashDash = dashdash < 0 ? 0 : Math.min(operands.length, raw.length - dashdash - 1);
      const before = operands.slice(0, operands.length - afterDashDash);
      const file = before[0] ?? operands[0];
      const args = before.length === 0 ? operands.slice(1) : operands.slice(before.length);
      if (before.length > 1) {
        const more = before.slice(1);
        const profiles = before.some((m) => m.split(',').every((p) => (PROFILE_IDS as readonly string[]).includes(p)));
        throw new UsageError(`script: one script at a time (got ${before.join(' ')})${profiles ? '; to name several profiles write --profile 6.x,3.4-y' : `; the script's own arguments go after --: devpts-check script ${before[0]} -- ${more.join(' ')}`}`);
      }
      if (file === undefined) throw new UsageError('script: missing the script to check (devpts-check script FILE, or - for standard input)');
      done(await scriptCommand(file, { ...flags, args }));
    });
};
