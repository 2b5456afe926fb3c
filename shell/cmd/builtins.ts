// Shell builtins and utilities that need no model op, or only a sysctl: output (echo,
// printf), variables and scope (export, local, readonly, unset, read, let), options
// (set), cd and umask, traps, `.`/source, exec and eval, wrappers that run their command
// in the same process (env, sudo, nice, setarch, linux64, …), command -v, sysctl, and
// the commands known to have no effect on devpts.

import { ArithError, ArithUnknown, evalArith } from '../arith.ts';
import { getVar, makeLocal, scalar, setOption, setUnknown, setVar, unsetVar } from '../shell-state.ts';
import {
  abs, assumeStatus, basename, errnoOf, failed, getopt, has, info, noEffect, normalize, op, unknown, valueOf,
  type CommandCtx, type Handler,
} from './context.ts';

/** reason 'fatal': an expansion error ended the shell (Bad substitution, ${x?}, set -u). */
export class ExitSignal {
  /** The statement it came from (set by the innermost one it passes). */
  where?: { readonly line: number; readonly file?: string };
  constructor(readonly status: number, readonly reason: 'exit' | 'exec' | 'errexit' | 'fatal', readonly message = '') {}
}
export class ReturnSignal { constructor(readonly status: number) {} }
export class LoopSignal { constructor(readonly kind: 'break' | 'continue', readonly levels: number) {} }

const count = (s: string | undefined, dflt: number): number => (s !== undefined && /^[0-9]+$/.test(s) ? Number(s) : dflt);

export const colon: Handler = () => 0;
export const falseCmd: Handler = () => 1;

export const exit: Handler = (ctx) => { throw new ExitSignal(count(ctx.argv[1], ctx.sh.status) & 255, 'exit'); };
export const ret: Handler = (ctx) => { throw new ReturnSignal(count(ctx.argv[1], ctx.sh.status) & 255); };
export const brk: Handler = (ctx) => { throw new LoopSignal('break', Math.max(1, count(ctx.argv[1], 1))); };
export const cont: Handler = (ctx) => { throw new LoopSignal('continue', Math.max(1, count(ctx.argv[1], 1))); };

// ---- output -----------------------------------------------------------------------

const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Backslash escapes of echo (XSI) and printf %b: `stop` set at \c. */
function escapes(s: string, octalNeedsZero: boolean): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 >= s.length) { text += s[i]; continue; }
    const c = s[i + 1]!;
    if (c === 'c') return { text, stop: true };
    if (c in ESCAPES) { text += ESCAPES[c]; i++; continue; }
    const oct = octalNeedsZero ? /^0([0-7]{0,3})/.exec(s.slice(i + 1)) : /^0?([0-7]{1,3})/.exec(s.slice(i + 1));
    if (oct) { text += String.fromCharCode(parseInt(oct[1] || '0', 8) & 0xff); i += oct[0].length; continue; }
    const hex = /^x([0-9a-fA-F]{1,2})/.exec(s.slice(i + 1));
    if (hex) { text += String.fromCharCode(parseInt(hex[1]!, 16)); i += hex[0].length; continue; }
    text += '\\' + c;
    i++;
  }
  return { text, stop: false };
}

/** echo as each shell's builtin does it (checked on Debian 12): dash interprets escapes and knows only -n. */
export const echo: Handler = (ctx) => {
  let args = ctx.argv.slice(1);
  const name = ctx.sh.name;
  let newline = true;
  let interpret = name === 'sh' || name === 'dash' || name === 'mksh';
  if (name === 'sh' || name === 'dash') {
    if (args[0] === '-n') { newline = false; args = args.slice(1); }
  } else {
    while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
      for (const f of args[0]!.slice(1)) { if (f === 'n') newline = false; else interpret = f === 'e'; }
      args = args.slice(1);
    }
  }
  let text = args.join(' ');
  if (interpret) {
    // dash reads \NNN as octal with or without a leading 0 (`echo '\1'` prints ^A); bash -e only \0NNN
    const e = escapes(text, name !== 'sh' && name !== 'dash');
    text = e.text;
    if (e.stop) newline = false;
  }
  ctx.io.out.write(text + (newline ? '\n' : ''));
  return 0;
};

/** printf FORMAT [ARG…]: the format is reused while arguments remain. */
export const printf: Handler = (ctx) => {
  let args = ctx.argv.slice(1);
  if (args[0] === '--') args = args.slice(1);
  if (args[0] === '-v') return unknown(ctx, 'printf -v assigns a variable; not modelled');
  const format = args[0];
  if (format === undefined) return failed(ctx, 'printf: usage: printf format [arguments]', 2);
  let rest = args.slice(1);
  let out = '';
  let status = 0;
  for (let round = 0; round === 0 || rest.length > 0; round++) {
    let used = 0;
    let stop = false;
    const next = (): string | undefined => { const v = rest[used]; if (v !== undefined) used++; return v; };
    for (let i = 0; i < format.length && !stop; i++) {
      const c = format[i]!;
      if (c === '\\') {
        const e = /^\\([0-7]{1,3}|x[0-9a-fA-F]{1,2}|.)/.exec(format.slice(i))!;
        const body = e[1]!;
        if (/^[0-7]/.test(body)) out += String.fromCharCode(parseInt(body, 8) & 0xff);
        else if (body[0] === 'x' && body.length > 1) out += String.fromCharCode(parseInt(body.slice(1), 16));
        else if (body === '"') out += '"';
        else if (body === 'c') { stop = true; break; }
        else out += ESCAPES[body] ?? '\\' + body;
        i += e[0].length - 1;
        continue;
      }
      if (c !== '%') { out += c; continue; }
      const m = /^%([-+ #0]*)([0-9]*)(?:\.([0-9]*))?([sbcdiouxXeEfgG%])/.exec(format.slice(i));
      if (!m) { out += c; continue; }
      i += m[0].length - 1;
      const [, flags, width, precision, conv] = m;
      if (conv === '%') { out += '%'; continue; }
      let v = next() ?? '';
      let s: string;
      switch (conv) {
        case 's': s = precision !== undefined ? v.slice(0, Number(precision || 0)) : v; break;
        case 'b': { const e = escapes(v, true); s = e.text; if (e.stop) stop = true; break; }
        case 'c': s = v.slice(0, 1); break;
        default: {
          if (/^['"]/.test(v)) v = String(v.codePointAt(1) ?? 0);
          if (v === '') v = '0';
          let n: bigint;
          try { n = BigInt(/^[-+]?0[xX]/.test(v) ? Number(v) : /^[-+]?0[0-7]+$/.test(v) ? parseInt(v, 8) : v.trim()); }
          catch { status = 1; ctx.run.find(ctx.where, 'failed', `printf: ${v}: invalid number`); n = 0n; }
          s = conv === 'o' ? n.toString(8) : conv === 'x' ? n.toString(16) : conv === 'X' ? n.toString(16).toUpperCase() : n.toString();
          if (conv === 'u' && n < 0n) s = BigInt.asUintN(64, n).toString();
          if (/[+]/.test(flags!) && n >= 0n && /[di]/.test(conv!)) s = '+' + s;
          if (/[eEfgG]/.test(conv!)) s = Number(n).toFixed(conv === 'f' ? Number(precision ?? 6) : 6);
        }
      }
      const w = Number(width || 0);
      if (s.length < w) s = flags!.includes('-') ? s.padEnd(w) : flags!.includes('0') && conv !== 's' ? s.padStart(w, '0') : s.padStart(w);
      out += s;
    }
    if (stop || used === 0) break;
    rest = rest.slice(used);
  }
  ctx.io.out.write(out);
  return status;
};

export const pwd: Handler = (ctx) => { ctx.io.out.write(ctx.sh.cwd + '\n'); return 0; };

// ---- variables ----------------------------------------------------------------------

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** export/readonly/local/declare/typeset [-…] NAME[=value]…: values set, export and local scope kept. */
export const declare: Handler = (ctx) => {
  const cmd = basename(ctx.argv[0]!);
  const sh = ctx.sh;
  const args = ctx.argv.slice(1);
  const flags = args.filter((a) => /^[-+][a-zA-Z]+$/.test(a)).join('');
  const local = cmd === 'local' || ((cmd === 'declare' || cmd === 'typeset') && sh.frames.length > 0 && !flags.includes('g'));
  const exporting = cmd === 'export' || /-[a-zA-Z]*x/.test(flags);
  if ((cmd === 'export' || cmd === 'readonly') && args.includes('-p')) return noEffect(ctx, `${cmd} -p prints the variables`);
  if (args.includes('-f') || args.includes('-F')) return noEffect(ctx, `${cmd} -f: functions`);
  for (const a of args) {
    if (/^[-+][a-zA-Z]+$/.test(a)) continue;
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq).replace(/\+$/, '');
    if (!NAME.test(name)) { if (eq < 0) continue; return failed(ctx, `${cmd}: \`${a}': not a valid identifier`); }
    if (local) makeLocal(sh, name);
    if (eq >= 0) {
      const value = a.slice(eq + 1);
      const old = getVar(sh, name);
      setVar(sh, name, a[eq - 1] === '+' && old.kind === 'set' ? scalar(old.value) + value : value);
    }
    if (exporting) sh.exported.add(name);
    if (cmd === 'export' && a.startsWith('-n')) sh.exported.delete(name);
  }
  return 0;
};

export const unset: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  const functions = args.includes('-f');
  for (const a of args) {
    if (a.startsWith('-')) continue;
    if (functions) ctx.sh.funcs.delete(a);
    else unsetVar(ctx.sh, a);
  }
  return 0;
};

/** read [-r] [-p PROMPT] NAME…: one line of the input, split on IFS; unknown input makes the names unknown. */
export const read: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'rsp:t:n:N:d:u:a:e' });
  const names = a.operands.length > 0 ? [...a.operands] : ['REPLY'];
  const raw = has(a, 'r');
  const array = valueOf(a, 'a');
  const input = ctx.io.stdin;
  if (input === null || has(a, 'u', 'd', 'n', 'N')) {
    for (const n of array !== null ? [array] : names) if (NAME.test(n)) setUnknown(ctx.sh, n);
    return assumeStatus(ctx, 0, 'read takes input the checker does not have (its variables become unknown)');
  }
  if (input.pos >= input.text.length) {
    for (const n of names) if (NAME.test(n)) setVar(ctx.sh, n, '');
    return 1;
  }
  let end = input.text.indexOf('\n', input.pos);
  let line = input.text.slice(input.pos, end < 0 ? undefined : end);
  while (!raw && line.endsWith('\\') && end >= 0) {
    const next = input.text.indexOf('\n', end + 1);
    line = line.slice(0, -1) + input.text.slice(end + 1, next < 0 ? undefined : next);
    end = next;
  }
  input.pos = end < 0 ? input.text.length : end + 1;
  if (!raw) line = line.replace(/\\(.)/g, '$1');
  const ifsVar = getVar(ctx.sh, 'IFS');
  const ifs = ifsVar.kind === 'set' ? scalar(ifsVar.value) : ' \t\n';
  const ws = [...ifs].filter((c) => ' \t\n'.includes(c)).join('');
  const fields = splitRead(line, ifs, ws, array !== null ? Number.MAX_SAFE_INTEGER : names.length);
  if (array !== null) { setVar(ctx.sh, array, fields); return end < 0 ? 1 : 0; }
  names.forEach((n, k) => { if (NAME.test(n)) setVar(ctx.sh, n, fields[k] ?? ''); });
  return end < 0 ? 1 : 0;
};

/** read's splitting: the last name takes the rest of the line (less trailing IFS white space). */
function splitRead(line: string, ifs: string, ws: string, n: number): string[] {
  if (ifs === '') return [line];
  const out: string[] = [];
  let i = 0;
  while (i < line.length && ws.includes(line[i]!)) i++;
  while (i < line.length && out.length < n - 1) {
    let j = i;
    while (j < line.length && !ifs.includes(line[j]!)) j++;
    out.push(line.slice(i, j));
    i = j;
    while (i < line.length && ws.includes(line[i]!)) i++;
    if (i < line.length && ifs.includes(line[i]!) && !ws.includes(line[i]!)) { i++; while (i < line.length && ws.includes(line[i]!)) i++; }
  }
  if (i < line.length || out.length < n) {
    let rest = line.slice(i);
    while (rest.length > 0 && ws.includes(rest[rest.length - 1]!)) rest = rest.slice(0, -1);
    if (i < line.length) out.push(rest);
  }
  return out;
}

/** getopts OPTSTRING NAME [ARG…]: the next option of the positional parameters (or ARGs), by OPTIND. */
export const getopts: Handler = (ctx) => {
  const [spec = '', name = 'opt', ...given] = ctx.argv.slice(1);
  const sh = ctx.sh;
  const args = given.length > 0 ? given : sh.positional;
  const ind = getVar(sh, 'OPTIND');
  let optind = ind.kind === 'set' ? Number(scalar(ind.value)) || 1 : 1;
  // where inside a cluster (-abc) the last call stopped
  const sub = getVar(sh, '__getopts_sub');
  let pos = sub.kind === 'set' ? Number(scalar(sub.value)) || 1 : 1;
  const silent = spec.startsWith(':');
  const arg = args[optind - 1];
  const done = (): number => { setVar(sh, name, '?'); unsetVar(sh, 'OPTARG'); unsetVar(sh, '__getopts_sub'); return 1; };
  if (arg === undefined || arg === '-' || !arg.startsWith('-')) return done();
  if (arg === '--') { setVar(sh, 'OPTIND', String(optind + 1)); return done(); }
  const c = arg[pos]!;
  const k = spec.indexOf(c);
  const next = (): void => {
    if (pos + 1 < arg.length) { pos++; setVar(sh, '__getopts_sub', String(pos)); }
    else { optind++; unsetVar(sh, '__getopts_sub'); }
    setVar(sh, 'OPTIND', String(optind));
  };
  if (k < 0 || c === ':') {
    setVar(sh, name, '?');
    if (silent) setVar(sh, 'OPTARG', c); else unsetVar(sh, 'OPTARG');
    next();
    return 0;
  }
  setVar(sh, name, c);
  if (spec[k + 1] === ':') {
    if (pos + 1 < arg.length) { setVar(sh, 'OPTARG', arg.slice(pos + 1)); optind++; }
    else if (args[optind] !== undefined) { setVar(sh, 'OPTARG', args[optind]!); optind += 2; }
    else { setVar(sh, name, silent ? ':' : '?'); if (silent) setVar(sh, 'OPTARG', c); optind++; }
    unsetVar(sh, '__getopts_sub');
    setVar(sh, 'OPTIND', String(optind));
    return 0;
  }
  unsetVar(sh, 'OPTARG');
  next();
  return 0;
};

/** let EXPR…: status 0 when the last value is not zero. */
export const letCmd: Handler = (ctx) => {
  if (ctx.sh.name === 'sh' || ctx.sh.name === 'dash') return failed(ctx, `${ctx.sh.name}: let: not found`, 127);
  let last = 0n;
  for (const e of ctx.argv.slice(1)) {
    try {
      last = evalArith(e, {
        get: (n) => { const v = getVar(ctx.sh, n); return v.kind === 'unknown' ? null : v.kind === 'unset' ? undefined : scalar(v.value); },
        set: (n, v) => setVar(ctx.sh, n, v),
      });
    } catch (err) {
      if (err instanceof ArithUnknown) return unknown(ctx, `let ${e}: ${err.message}`);
      if (err instanceof ArithError) return failed(ctx, `let: ${e}: ${err.message}`);
      throw err;
    }
  }
  return last !== 0n ? 0 : 1;
};

/** set -e/-u/-a/-o …, +…, and `set -- args`. */
export const set: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) return noEffect(ctx, 'set prints the variables');
  const sh = ctx.sh;
  const option = (name: string, on: boolean): void => setOption(sh, name, on);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { sh.positional = args.slice(i + 1); return 0; }
    if ((a === '-o' || a === '+o') && args[i + 1] !== undefined) { option(args[++i]!, a === '-o'); continue; }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      const on = a.startsWith('-');
      for (const f of a.slice(1)) {
        // -o NAME in a cluster: `set -euo pipefail`
        if (f === 'o') { const name = args[i + 1]; if (name !== undefined) { i++; option(name, on); } continue; }
        if (f === 'e') option('errexit', on);
        else if (f === 'u') option('nounset', on);
        else if (f === 'a') option('allexport', on);
        else if (f === 'A' && (sh.name === 'mksh' || sh.name === 'bash')) {
          // mksh: set -A NAME values…
          const name = args[i + 1];
          if (name !== undefined) setVar(sh, name, args.slice(i + 2));
          return 0;
        }
      }
      continue;
    }
    if (a === '-' ) continue;
    sh.positional = args.slice(i);
    return 0;
  }
  return 0;
};

export const shift: Handler = (ctx) => {
  const n = count(ctx.argv[1], 1);
  if (n > ctx.sh.positional.length) return failed(ctx, 'shift: shift count out of range');
  ctx.sh.positional = ctx.sh.positional.slice(n);
  return 0;
};

// ---- the process --------------------------------------------------------------------

/** cd: the model is asked whether the directory exists (and chdir'ed to, where the model tracks it). */
export const cd: Handler = (ctx) => {
  const sh = ctx.sh;
  let target = ctx.argv.slice(1).find((x) => !x.startsWith('-') || x === '-');
  if (target === undefined) {
    const home = getVar(sh, 'HOME');
    if (home.kind !== 'set') return failed(ctx, 'cd: HOME not set');
    target = scalar(home.value);
  }
  if (target === '-') { const o = getVar(sh, 'OLDPWD'); target = o.kind === 'set' ? scalar(o.value) : sh.cwd; }
  if (target === '') return 0;
  const path = normalize(abs(sh, target));
  const r = op(ctx, { op: 'stat', path }, 'cd');
  const e = errnoOf(r);
  if (e) return failed(ctx, `cd: ${path}: ${e}`);
  if ('type' in r && r.type !== 'dir') return failed(ctx, `cd: ${path}: not a directory`);
  if (ctx.run.takes({ op: 'chdir', path })) op(ctx, { op: 'chdir', path });
  setVar(sh, 'OLDPWD', sh.cwd);
  sh.cwd = path;
  setVar(sh, 'PWD', sh.cwd);
  return 0;
};

export const umask: Handler = (ctx) => {
  const a = ctx.argv.slice(1).filter((x) => x !== '-S');
  if (a.length === 0) { ctx.io.out.write(ctx.sh.umask.toString(8).padStart(4, '0') + '\n'); return 0; }
  if (!/^[0-7]{1,4}$/.test(a[0]!)) return unknown(ctx, `umask ${a[0]}: symbolic masks are not modelled`);
  ctx.sh.umask = parseInt(a[0]!, 8) & 0o777;
  return 0;
};

/** trap 'TEXT' COND…: EXIT (0) handlers run when the shell ends; `trap - COND` and `trap '' COND` remove them. */
export const trap: Handler = (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => a !== '--');
  if (args.length === 0 || args[0] === '-p') {
    // trap -p [COND…]: the handlers, as the shell prints them
    const conds = args.slice(1).map((c) => (c === '0' ? 'EXIT' : c.replace(/^SIG/, '').toUpperCase()));
    for (const [k, text] of ctx.sh.traps) if (conds.length === 0 || conds.includes(k)) ctx.io.out.write(`trap -- '${text.replace(/'/g, `'\\''`)}' ${k}\n`);
    return 0;
  }
  if (args[0] === '-l') return noEffect(ctx, 'trap -l lists the signals');
  const reset = args[0] === '-' || /^[0-9]+$/.test(args[0]!);
  const text = reset ? null : args[0]!;
  const conds = reset && args[0] !== '-' ? args : args.slice(1);
  for (const c of conds) {
    const cond = c.replace(/^SIG/, '').toUpperCase();
    const key = cond === '0' ? 'EXIT' : cond;
    if (text === null || text === '') ctx.sh.traps.delete(key);
    else ctx.sh.traps.set(key, text);
  }
  if (text && conds.some((c) => !/^(EXIT|0)$/i.test(c))) info(ctx, `trap on ${conds.filter((c) => !/^(EXIT|0)$/i.test(c)).join(' ')}: signals are not sent in the model; only EXIT handlers run`);
  return 0;
};

/** . FILE / source FILE: read from --source-path (or a file the script wrote); otherwise skipped, with a warning. */
export const source: Handler = (ctx) => {
  const [path, ...args] = ctx.argv.slice(1);
  if (path === undefined) return failed(ctx, `${ctx.argv[0]}: filename argument required`, 2);
  const saved = ctx.sh.positional;
  if (args.length > 0) ctx.sh.positional = args;
  try {
    const r = ctx.runner.source(path, ctx.sh, ctx.where, ctx.cond, ctx.io);
    if (r !== null) return r;
  } finally {
    if (args.length > 0) ctx.sh.positional = saved;
  }
  ctx.run.find(ctx.where, 'unknown', `\`${ctx.argv[0]} ${path}\` reads a file the checker does not have (give its directory with --source-path); the functions and settings in it are skipped; effect unknown`);
  return assumeStatus(ctx, 0, `${path} was not read`);
};

export const evalCmd: Handler = (ctx) => ctx.runner.evalText(ctx.argv.slice(1).join(' '), ctx.sh, ctx.where, ctx.cond, ctx.io);

/** exec CMD: run it, then the shell is gone (the script ends). exec alone only redirects. */
export const exec: Handler = (ctx) => {
  const args = ctx.argv.slice(1).filter((x, i) => i > 0 || !/^-[cl]+$|^-a$/.test(x));
  if (args.length === 0) return 0;
  const status = ctx.command(args, ctx.sh);
  ctx.run.find(ctx.where, 'info', 'exec replaces the shell: the script ends here');
  throw new ExitSignal(status, 'exec');
};

/** Wrappers that run their command in the same process and namespace. */
export const wrapper: Handler = (ctx) => {
  const name = basename(ctx.argv[0]!);
  let rest = ctx.argv.slice(1);
  let sh = ctx.sh;
  switch (name) {
    case 'env': {
      const a = getopt(rest, { short: 'iu:C:S:0v', long: { 'ignore-environment': 'none', unset: 'required', chdir: 'required', 'split-string': 'required', null: 'none', debug: 'none' }, stopAtOperand: true });
      if (has(a, 'S', 'split-string', 'C', 'chdir')) return unknown(ctx, 'env -S/-C is not modelled');
      let ops = [...a.operands];
      const changes = new Map<string, string | null>();
      if (has(a, 'i', 'ignore-environment')) for (const k of sh.exported) changes.set(k, null);
      for (const [n, v] of a.opts) if ((n === 'u' || n === 'unset') && v !== null) changes.set(v, null);
      while (ops.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(ops[0]!)) {
        const eq = ops[0]!.indexOf('=');
        changes.set(ops[0]!.slice(0, eq), ops[0]!.slice(eq + 1));
        ops = ops.slice(1);
      }
      if (ops.length === 0) return noEffect(ctx, 'env prints the environment');
      sh = withEnvironment(ctx, changes);
      rest = ops;
      break;
    }
    case 'sudo': case 'doas': {
      const a = getopt(rest, { short: 'u:g:EHinsSkbAPC:D:h:p:r:t:U:T:V', long: { user: 'required', group: 'required', 'preserve-env': 'optional', 'set-home': 'none', login: 'none', 'non-interactive': 'none', shell: 'none', stdin: 'none', 'reset-timestamp': 'none', background: 'none', askpass: 'none', 'preserve-groups': 'none', 'chdir': 'required', prompt: 'required', host: 'required', 'close-from': 'required' }, stopAtOperand: true });
      if (a.bad.length > 0) return unknown(ctx, `${name}: option ${a.bad.join(' ')} is not understood`);
      const user = valueOf(a, 'u', 'user');
      if (user !== null && user !== 'root' && user !== '0' && user !== '#0') return unknown(ctx, `${name} -u ${user}: another user's environment is not modelled`);
      if (has(a, 'i', 'login', 's', 'shell') && a.operands.length === 0) return unknown(ctx, `${name} -i/-s starts an interactive shell`);
      // sudo resets the environment (env_reset) unless -E keeps it
      if (name === 'sudo' && !has(a, 'E', 'preserve-env')) {
        const keep = new Set(['PATH', 'TERM', 'HOME', 'LANG', 'LC_ALL', 'DISPLAY']);
        const changes = new Map<string, string | null>();
        for (const k of sh.exported) if (!keep.has(k)) changes.set(k, null);
        changes.set('HOME', '/root');
        changes.set('USER', 'root');
        changes.set('LOGNAME', 'root');
        sh = withEnvironment(ctx, changes);
      }
      rest = [...a.operands];
      break;
    }
    case 'nice': while (rest[0]?.startsWith('-') && rest[0] !== '--') rest = rest.slice(rest[0] === '-n' ? 2 : 1); if (rest[0] === '--') rest = rest.slice(1); break;
    case 'ionice': while (rest[0]?.startsWith('-')) rest = rest.slice(/^-[cnpPu]$/.test(rest[0]!) ? 2 : 1); break;
    case 'setarch': case 'linux64': case 'linux32': case 'i386': case 'x86_64': {
      if (name === 'setarch') rest = rest.slice(1); // the architecture
      while (rest[0]?.startsWith('-')) { if (rest[0] === '--') { rest = rest.slice(1); break; } rest = rest.slice(1); }
      break;
    }
    case 'setsid': case 'nohup': case 'command': case 'builtin': case 'stdbuf': case 'fakeroot': case 'eatmydata': case 'time': case 'chronic':
      while (rest[0]?.startsWith('-')) {
        if (name === 'command' && /^-[vV]$/.test(rest[0]!)) return lookupCommand(ctx, rest.slice(1));
        rest = rest.slice(name === 'stdbuf' && /^-[ioe]$/.test(rest[0]!) ? 2 : 1);
      }
      break;
    case 'busybox':
      if (rest.length === 0 || rest[0]!.startsWith('-')) return noEffect(ctx, 'busybox lists its applets');
      break;
    case 'timeout': {
      while (rest[0]?.startsWith('-')) rest = rest.slice(/^-[sk]$/.test(rest[0]!) ? 2 : 1);
      rest = rest.slice(1); // the duration
      break;
    }
    case 'taskset': rest = rest.slice(rest[0]?.startsWith('-') ? 2 : 1); break;
    case 'xargs': return unknown(ctx, 'xargs builds command lines from its input; not modelled');
  }
  if (rest.length === 0) return noEffect(ctx, `${name} without a command`);
  return ctx.command(rest, sh);
};

/** A copy of the shell whose exported environment has these changes (null: removed) for a command. */
function withEnvironment(ctx: CommandCtx, changes: ReadonlyMap<string, string | null>) {
  const sh = { ...ctx.sh, vars: new Map(ctx.sh.vars), exported: new Set(ctx.sh.exported), unknown: new Set(ctx.sh.unknown) };
  for (const [k, v] of changes) {
    if (v === null) unsetVar(sh, k);
    else { setVar(sh, k, v); sh.exported.add(k); }
  }
  return sh;
}

/** command -v / type / which / hash NAME: functions and the commands the checker knows exist; others unknown. */
export function lookupCommand(ctx: CommandCtx, names: readonly string[]): number {
  let status = 0;
  for (const n of names) {
    if (ctx.sh.funcs.has(n)) { ctx.io.out.write(n + '\n'); continue; }
    if (KNOWN_PROGRAMS.has(basename(n))) { ctx.io.out.write((n.includes('/') ? n : `/usr/bin/${n}`) + '\n'); continue; }
    ctx.io.out.unknown(`whether \`${n}\` is installed is not known`);
    status = assumeStatus(ctx, 0, `whether \`${n}\` is installed is not known`) || status;
  }
  return status;
}

export const which: Handler = (ctx) => lookupCommand(ctx, ctx.argv.slice(1).filter((a) => !a.startsWith('-')));

/** Programs every system the scripts run on has (util-linux, coreutils, a shell). */
export const KNOWN_PROGRAMS = new Set([
  'mount', 'umount', 'mountpoint', 'findmnt', 'unshare', 'nsenter', 'chroot', 'pivot_root', 'switch_root', 'ln', 'rm', 'mkdir', 'mknod', 'chmod', 'chown',
  'chgrp', 'touch', 'cp', 'mv', 'cat', 'grep', 'sed', 'awk', 'cut', 'head', 'tail', 'sort', 'tr', 'wc', 'stat', 'readlink', 'realpath', 'basename', 'dirname',
  'id', 'echo', 'printf', 'test', '[', 'sh', 'bash', 'dash', 'env', 'true', 'false', 'sleep', 'setarch', 'linux64', 'nice', 'sudo', 'sysctl', 'uname',
]);

/** sysctl -w kernel.pty.max=N / kernel.pty.reserve=N: the model's sysctl op; reads print the value. */
export const sysctl: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'wnNqeaAXbop:', long: { write: 'none', values: 'none', names: 'none', quiet: 'none', ignore: 'none', all: 'none', load: 'optional', system: 'none', pattern: 'required' } });
  if (has(a, 'p', 'load', 'system')) return unknown(ctx, 'sysctl -p/--system loads settings from files the checker does not read');
  let status = 0;
  for (const item of a.operands) {
    const eq = item.indexOf('=');
    if (eq < 0) {
      const name = item.replace(/\//g, '.');
      const r = ctx.run.takes({ op: 'sysctl', name }) ? ctx.run.peek({ op: 'sysctl', name }) as { value?: number } : {};
      if (typeof r.value === 'number') ctx.io.out.write(has(a, 'n', 'values') ? `${r.value}\n` : `${name} = ${r.value}\n`);
      else if (name === 'kernel.pty.max' || name === 'kernel.pty.reserve') {
        const v = name === 'kernel.pty.max' ? ctx.run.state.sysctl.max : ctx.run.state.sysctl.reserve;
        ctx.io.out.write(has(a, 'n', 'values') ? `${v}\n` : `${name} = ${v}\n`);
      } else ctx.io.out.unknown(`sysctl ${name} is not known`);
      continue;
    }
    const name = item.slice(0, eq).replace(/\//g, '.').trim();
    const value = item.slice(eq + 1).trim();
    status = writeSysctl(ctx, name, value) || status;
  }
  return status;
};

/** One write to kernel.pty.max or kernel.pty.reserve; anything else is not modelled. */
export function writeSysctl(ctx: CommandCtx, name: string, value: string): number {
  if (name !== 'kernel.pty.max' && name !== 'kernel.pty.reserve') return unknown(ctx, `sysctl ${name} is not modelled`);
  if (!/^[0-9]+$/.test(value)) return failed(ctx, `sysctl ${name}=${value}: not a number`);
  const e = errnoOf(op(ctx, { op: 'sysctl', name, value: Number(value) }));
  return e ? failed(ctx, `sysctl ${name}=${value} fails: ${e}`) : 0;
}

/**
 * The message functions of OpenRC (ebegin, eend, …) and LSB init-functions (log_*_msg):
 * they print; eend, ewend and log_end_msg return their first argument.
 */
export const message: Handler = (ctx) => {
  const name = basename(ctx.argv[0]!);
  if (['eend', 'ewend', 'log_end_msg', 'veend', 'vewend'].includes(name)) return count(ctx.argv[1], 0) & 255;
  return 0;
};
export const MESSAGE_FUNCTIONS = ['ebegin', 'eend', 'einfo', 'einfon', 'ewarn', 'ewarnn', 'eerror', 'ewend', 'veinfo', 'vewarn', 'vebegin', 'veend', 'vewend', 'eindent', 'eoutdent',
  'log_begin_msg', 'log_end_msg', 'log_success_msg', 'log_failure_msg', 'log_warning_msg', 'log_action_msg', 'log_action_begin_msg', 'log_action_end_msg', 'log_daemon_msg'];

/**
 * OpenRC's fstabinfo [-q] [--mount|--remount|…] [MOUNTPOINT…]: the checker reads no
 * /etc/fstab (unless the script wrote one), so no mount point has an entry: status 1,
 * and the assumption is said next to the line.
 */
export const fstabinfo: Handler = (ctx) => {
  const points = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (ctx.run.files.has('/etc/fstab')) return unknown(ctx, 'fstabinfo on the /etc/fstab the script wrote is not modelled');
  ctx.run.find(ctx.where, 'assumed', `no /etc/fstab entry for ${points.join(' ') || 'anything'} (the checker's system has no /etc/fstab): exit status 1`);
  ctx.run.lastUnknown = true;
  return 1;
};

/** Commands known to have no effect on devpts; `statusKnown` false where their status depends on the system. */
export const NO_EFFECT: Readonly<Record<string, { why: string; statusKnown: boolean }>> = Object.fromEntries([
  ...['sleep', 'wait', 'logger', 'usleep', 'sync', 'hash', 'shopt', 'ulimit', 'alias', 'unalias', 'clear', 'stty', 'kill', 'times']
    .map((c) => [c, { why: `${c}: no effect on devpts`, statusKnown: true }]),
  ...['ls', 'date', 'dmesg', 'ps', 'pgrep', 'pidof', 'tty', 'printenv', 'df', 'hostname', 'du', 'free', 'lsmod', 'modprobe', 'insmod', 'depmod', 'udevadm', 'locale', 'loadkeys', 'setfont', 'hwclock']
    .map((c) => [c, { why: `${c}: no effect on devpts`, statusKnown: false }]),
]);

export const knownNoEffect: Handler = (ctx) => {
  const name = basename(ctx.argv[0]!);
  const entry = NO_EFFECT[name]!;
  ctx.io.out.unknown(`the output of ${name} is not known`);
  return noEffect(ctx, entry.why, entry.statusKnown);
};
