// What every command handler gets, and the helpers they share: paths, ops, findings,
// input and output, and a getopt_long-style argument parser.

import { formatMode, type KernelResult } from '../../model/index.ts';
import type { Shell } from '../shell-state.ts';
import type { Run, Where } from '../run.ts';
import type { AnyOp } from '../world.ts';

/** Input being read: its text and how far it was read. null where it is: unknown (the terminal, an unknown command's output). */
export interface Input { readonly text: string; pos: number }

/** Where a command's standard output goes. */
export interface Sink {
  write(text: string): void;
  /** The command's output cannot be known. */
  unknown(why: string): void;
}

/** Output nobody reads (the terminal, /dev/null, stderr). */
export const DISCARD: Sink = { write: () => {}, unknown: () => {} };

/** Output captured for $(…) or the next command of a pipeline. */
export class Capture implements Sink {
  text = '';
  why: string | null = null;
  write(text: string): void { this.text += text; }
  unknown(why: string): void { this.why ??= why; }
}

export interface IO { readonly stdin: Input | null; readonly out: Sink }

/** How the interpreter runs what a command hands back to it (cmd/ does not import the interpreter). */
export interface Runner {
  /** Run an expanded command line in shell `sh`. */
  command(argv: readonly string[], sh: Shell, where: Where, cond: boolean, io: IO): number;
  /** eval: parse and run text in this shell. */
  evalText(text: string, sh: Shell, where: Where, cond: boolean, io: IO): number;
  /** A new shell process running text (`sh -c`): `exit` ends only it; EXIT traps run at its end. */
  shellText(text: string, sh: Shell, where: Where, cond: boolean, io: IO): number;
  /**
   * A script file run by a new shell (`sh FILE`, `./FILE`, `exec "$0"`): null when the
   * checker has no text for it (not the script itself, not under --source-path, not
   * written by the script).
   */
  /** Run a script file in a new shell: by name (`options` undefined: its `#!` line's options apply) or by a shell with these option words. */
  scriptFile(path: string, sh: Shell, where: Where, cond: boolean, io: IO, args?: readonly string[], options?: readonly string[]): number | null;
  /** `. FILE` in this shell: null when the checker has no text for it. */
  source(path: string, sh: Shell, where: Where, cond: boolean, io: IO): number | null;
  /** A container's command finished: probe the verdicts now. */
  containerDone(pid: number): void;
}

export interface CommandCtx {
  readonly run: Run;
  readonly sh: Shell;
  readonly argv: readonly string[];
  readonly where: Where;
  /** Inside a condition (if/while/&&/||/!): `set -e` does not apply. */
  readonly cond: boolean;
  readonly io: IO;
  readonly runner: Runner;
  /** Run an expanded command line as a command of shell `sh` (same input and output). */
  command(argv: readonly string[], sh: Shell): number;
}

export type Handler = (ctx: CommandCtx) => number;

/** A path as the shell's process names it: absolute, or from its working directory. */
export function abs(sh: Shell, path: string): string {
  // an empty name is no file at all (`chmod 666 ""`: ENOENT), never the working directory
  if (path.startsWith('/') || path === '') return path;
  return (sh.cwd === '/' ? '' : sh.cwd) + '/' + path;
}

/** A path joined below another (the host's view of a chroot's path). */
export function under(root: string, path: string): string {
  if (root === '/') return path;
  return path === '/' ? root : root + path;
}

/** Lexically normalised: no `.`, `..`, or doubled slashes (for names, not for lookups). */
export function normalize(path: string): string {
  const out: string[] = [];
  for (const c of path.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop(); else out.push(c);
  }
  return '/' + out.join('/');
}

/** A command line for a message: one line, long ones cut. */
export function oneLine(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

export const basename = (p: string): string => {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || '/';
};

export const dirname = (p: string): string => {
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  const k = trimmed.lastIndexOf('/');
  if (k < 0) return '.';
  return trimmed.slice(0, k).replace(/\/+$/, '') || '/';
};

/** One model op by the shell's process (unless the op names another), recorded at this line. */
export function op(ctx: CommandCtx, o: AnyOp, note = ''): KernelResult {
  // the kernel refuses an empty path name with ENOENT before looking at anything
  const fields = o as unknown as Record<string, unknown>;
  if (PATH_FIELDS.some((f) => fields[f] === '')) return { errno: 'ENOENT' };
  return ctx.run.exec({ ...o, pid: o.pid ?? ctx.sh.pid } as AnyOp, ctx.where, note);
}

const PATH_FIELDS = ['path', 'target', 'source', 'newRoot', 'putOld', 'from', 'to'];

export const errnoOf = (r: KernelResult): string | null => ('errno' in r ? r.errno : null);

/** An exit status the checker could not compute: said next to the line. */
export function assumeStatus(ctx: CommandCtx, status: number, why: string): number {
  ctx.run.lastUnknown = true;
  if (ctx.cond) ctx.run.find(ctx.where, 'assumed', `${why}: exit status assumed ${status}`);
  return status;
}

/** The command's effect is not modelled: a warning, status assumed 0. */
export function unknown(ctx: CommandCtx, why: string): number {
  ctx.run.find(ctx.where, 'unknown', `${why}; effect unknown`);
  ctx.io.out.unknown(`the output of \`${ctx.argv.join(' ') || ctx.where.text}\` is not known`);
  return assumeStatus(ctx, 0, 'the command is not modelled');
}

/** Understood, and nothing to do with devpts. `statusKnown` false: its exit status is assumed 0. */
export function noEffect(ctx: CommandCtx, why: string, statusKnown = true): number {
  ctx.run.find(ctx.where, 'noeffect', why);
  if (!statusKnown) return assumeStatus(ctx, 0, `${ctx.argv[0] ?? 'the command'}'s exit status depends on the system`);
  return 0;
}

export function failed(ctx: CommandCtx, message: string, status = 1): number {
  ctx.run.find(ctx.where, 'failed', message);
  return status;
}

export function info(ctx: CommandCtx, message: string): void {
  ctx.run.find(ctx.where, 'info', message);
}

// ---- getopt_long ---------------------------------------------------------------------

export interface OptSpec {
  /** Short options: letters; a letter followed by ':' takes an argument, by '::' an optional one. */
  readonly short: string;
  /** Long options: name → 'none' | 'required' | 'optional'. Unique prefixes are accepted. */
  readonly long?: Readonly<Record<string, 'none' | 'required' | 'optional'>>;
  /** Stop at the first operand (POSIX "+"), as unshare(1) and chroot do. */
  readonly stopAtOperand?: boolean;
}

export interface ParsedArgs {
  /** In order: [name, value]; short options by their letter, long ones by their name. */
  readonly opts: readonly (readonly [string, string | null])[];
  readonly operands: readonly string[];
  readonly bad: readonly string[];
}

export function getopt(args: readonly string[], spec: OptSpec): ParsedArgs {
  const opts: [string, string | null][] = [];
  const operands: string[] = [];
  const bad: string[] = [];
  const takesArg = (c: string): 'none' | 'required' | 'optional' | null => {
    const k = spec.short.indexOf(c);
    if (k < 0 || c === ':') return null;
    if (spec.short[k + 1] !== ':') return 'none';
    return spec.short[k + 2] === ':' ? 'optional' : 'required';
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { operands.push(...args.slice(i + 1)); break; }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const given = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const names = Object.keys(spec.long ?? {});
      const name = names.includes(given) ? given : (names.filter((n) => n.startsWith(given)).length === 1 ? names.find((n) => n.startsWith(given))! : null);
      if (!name) { bad.push(a); continue; }
      const kind = spec.long![name]!;
      if (kind === 'none') { if (eq >= 0) bad.push(a); else opts.push([name, null]); }
      else if (eq >= 0) opts.push([name, a.slice(eq + 1)]);
      else if (kind === 'required') { if (i + 1 < args.length) opts.push([name, args[++i]!]); else bad.push(a); }
      else opts.push([name, null]);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k]!;
        const t = takesArg(c);
        if (t === null) { bad.push(`-${c}`); continue; }
        if (t === 'none') { opts.push([c, null]); continue; }
        const rest = a.slice(k + 1);
        if (rest !== '') opts.push([c, rest]);
        else if (t === 'optional') opts.push([c, null]);
        else if (i + 1 < args.length) opts.push([c, args[++i]!]);
        else bad.push(`-${c}`);
        break;
      }
      continue;
    }
    operands.push(a);
    if (spec.stopAtOperand) { operands.push(...args.slice(i + 1)); break; }
  }
  return { opts, operands, bad };
}

export const has = (p: ParsedArgs, ...names: string[]): boolean => p.opts.some(([n]) => names.includes(n));
export const valueOf = (p: ParsedArgs, ...names: string[]): string | null => {
  let v: string | null = null;
  for (const [n, val] of p.opts) if (names.includes(n)) v = val;
  return v;
};
export const valuesOf = (p: ParsedArgs, ...names: string[]): string[] =>
  p.opts.filter(([n]) => names.includes(n)).map(([, v]) => v ?? '');

// ---- modes -------------------------------------------------------------------------

/** An octal mode as the model takes it ("0620"), or null. */
export function octalMode(s: string): string | null {
  return /^[0-7]{1,4}$/.test(s) ? formatMode(parseInt(s, 8)) : null;
}

/**
 * chmod(1) symbolic modes: [ugoa]*[-+=][rwxXst]*|[ugo], comma-separated. Without a
 * who, bits set in the umask are left alone (coreutils). Null when not understood.
 */
export function symbolicMode(spec: string, current: number, isDir: boolean, umask: number): number | null {
  let mode = current & 0o7777;
  for (const clause of spec.split(',')) {
    const m = /^([ugoa]*)((?:[-+=](?:[rwxXst]*|[ugo]))+)$/.exec(clause);
    if (!m) return null;
    const who = m[1]!;
    const whoMask = who === '' ? 0o7777 & ~umask : [...who].reduce((acc, w) => acc | ({ u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 } as Record<string, number>)[w]!, 0);
    for (const action of m[2]!.match(/[-+=][^-+=]*/g)!) {
      const opc = action[0]!;
      const perms = action.slice(1);
      let bits = 0;
      if (perms === 'u' || perms === 'g' || perms === 'o') {
        const src = perms === 'u' ? (mode >> 6) & 7 : perms === 'g' ? (mode >> 3) & 7 : mode & 7;
        bits = (src << 6) | (src << 3) | src;
      } else {
        for (const p of perms) {
          if (p === 'r') bits |= 0o444;
          else if (p === 'w') bits |= 0o222;
          else if (p === 'x') bits |= 0o111;
          else if (p === 'X') { if (isDir || (mode & 0o111)) bits |= 0o111; }
          else if (p === 's') bits |= 0o6000;
          else if (p === 't') bits |= 0o1000;
        }
      }
      bits &= whoMask;
      if (opc === '+') mode |= bits;
      else if (opc === '-') mode &= ~bits;
      else {
        const clear = who === '' ? 0o7777 : whoMask;
        mode = (mode & ~(clear & 0o7777 & ~(isDir ? 0o6000 : 0))) | bits;
      }
    }
  }
  return mode & 0o7777;
}

/** Users and groups a start-up script names: numbers, and the names every distribution has. */
const USERS: Readonly<Record<string, number>> = { root: 0, nobody: 65534 };
const GROUPS: Readonly<Record<string, number>> = { root: 0, tty: 5, nogroup: 65534, nobody: 65534 };

export function userId(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  return USERS[s] ?? null;
}
export function groupId(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  return GROUPS[s] ?? null;
}
