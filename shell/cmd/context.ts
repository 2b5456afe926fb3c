// What every command handler gets, and the helpers they share: paths, ops, findings,
// and a getopt_long-style argument parser.

import { formatMode, type KernelResult, type Op } from '../../model/index.ts';
import type { Shell } from '../expand.ts';
import type { Run, Where } from '../run.ts';

export interface CommandCtx {
  readonly run: Run;
  readonly sh: Shell;
  readonly argv: readonly string[];
  readonly where: Where;
  /** Inside a condition (if/while/&&/||/!): `set -e` does not apply. */
  readonly cond: boolean;
  /** Run an expanded command line as a command of shell `sh`. */
  command(argv: readonly string[], sh: Shell): number;
  /** Parse and run shell text (`sh -c`, `eval`) in shell `sh`. */
  inline(text: string, sh: Shell): number;
}

export type Handler = (ctx: CommandCtx) => number;

/** An absolute path for the model: relative paths are taken from the shell's cwd. */
export function abs(sh: Shell, path: string): string {
  if (path.startsWith('/')) return path;
  return (sh.cwd === '/' ? '' : sh.cwd) + '/' + path;
}

export const basename = (p: string): string => {
  const trimmed = p.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || '/';
};

/** One model op by the shell's process (unless the op names another), recorded at this line. */
export function op(ctx: CommandCtx, o: Op, note = ''): KernelResult {
  return ctx.run.exec({ ...o, pid: o.pid ?? ctx.sh.pid } as Op, ctx.where, note);
}

export const errnoOf = (r: KernelResult): string | null => ('errno' in r ? r.errno : null);

/** The command's effect is not modelled: a warning, status assumed 0. */
export function unknown(ctx: CommandCtx, why: string): number {
  ctx.run.find(ctx.where, 'unknown', `${why}; effect unknown (assumed to succeed)`);
  ctx.run.lastUnknown = true;
  return 0;
}

/** Understood, and nothing to do with devpts. `statusKnown` false: its exit status is assumed 0. */
export function noEffect(ctx: CommandCtx, why: string, statusKnown = true): number {
  ctx.run.find(ctx.where, 'noeffect', statusKnown ? why : `${why}; its exit status is assumed 0`);
  if (!statusKnown) ctx.run.lastUnknown = true;
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
  /** Short options: letters; a letter followed by ':' takes an argument. */
  readonly short: string;
  /** Long options: name → 'none' | 'required' | 'optional'. Unique prefixes are accepted. */
  readonly long?: Readonly<Record<string, 'none' | 'required' | 'optional'>>;
  /** Stop at the first operand (POSIX "+"), as unshare(1) and ns_exec do. */
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
  const takesArg = (c: string): boolean | null => {
    const k = spec.short.indexOf(c);
    if (k < 0 || c === ':') return null;
    return spec.short[k + 1] === ':';
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
        if (!t) { opts.push([c, null]); continue; }
        const rest = a.slice(k + 1);
        if (rest !== '') opts.push([c, rest]);
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
