// Shell builtins and utilities that need no model op, or only a sysctl: cd, umask,
// set, variables, wrappers (env, nohup, …), sysctl, and the commands known to have no
// effect on devpts.

import { abs, errnoOf, failed, getopt, has, noEffect, op, unknown, type CommandCtx, type Handler } from './context.ts';

export class ExitSignal { constructor(readonly status: number, readonly reason: 'exit' | 'exec' | 'errexit') {} }
export class ReturnSignal { constructor(readonly status: number) {} }
export class LoopSignal { constructor(readonly kind: 'break' | 'continue', readonly levels: number) {} }

const count = (s: string | undefined, dflt: number): number => (s !== undefined && /^[0-9]+$/.test(s) ? Number(s) : dflt);

export const colon: Handler = () => 0;
export const falseCmd: Handler = () => 1;

export const exit: Handler = (ctx) => { throw new ExitSignal(count(ctx.argv[1], ctx.sh.status) & 255, 'exit'); };
export const ret: Handler = (ctx) => { throw new ReturnSignal(count(ctx.argv[1], ctx.sh.status) & 255); };
export const brk: Handler = (ctx) => { throw new LoopSignal('break', Math.max(1, count(ctx.argv[1], 1))); };
export const cont: Handler = (ctx) => { throw new LoopSignal('continue', Math.max(1, count(ctx.argv[1], 1))); };

export const cd: Handler = (ctx) => {
  const sh = ctx.sh;
  let target = ctx.argv.slice(1).find((x) => !x.startsWith('-') || x === '-') ?? sh.vars.get('HOME') ?? '/';
  if (target === '-') target = sh.vars.get('OLDPWD') ?? sh.cwd;
  const path = abs(sh, target);
  const r = op(ctx, { op: 'stat', path }, 'cd');
  const e = errnoOf(r);
  if (e) return failed(ctx, `cd: ${path}: ${e}`);
  if ('type' in r && r.type !== 'dir') return failed(ctx, `cd: ${path}: not a directory`);
  sh.vars.set('OLDPWD', sh.cwd);
  sh.cwd = path.replace(/\/+$/, '') || '/';
  sh.vars.set('PWD', sh.cwd);
  return 0;
};

export const umask: Handler = (ctx) => {
  const a = ctx.argv.slice(1).filter((x) => x !== '-S');
  if (a.length === 0) return noEffect(ctx, 'umask prints the mask');
  if (!/^[0-7]{1,4}$/.test(a[0]!)) return unknown(ctx, `umask ${a[0]}: symbolic masks are not modelled`);
  ctx.sh.umask = parseInt(a[0]!, 8) & 0o777;
  return 0;
};

/** set -e / +e (errexit) and `set -- args`; the other options change nothing here. */
export const set: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) return noEffect(ctx, 'set prints the variables');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') { ctx.sh.positional = args.slice(i + 1); return 0; }
    if ((a === '-o' || a === '+o') && args[i + 1] !== undefined) {
      if (args[i + 1] === 'errexit') ctx.sh.errexit = a === '-o';
      i++;
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(a)) { if (a.includes('e')) ctx.sh.errexit = a.startsWith('-'); continue; }
    ctx.sh.positional = args.slice(i);
    return 0;
  }
  return 0;
};

/** export/readonly/local/declare/typeset NAME=value…: the values are set, attributes ignored. */
export const declare: Handler = (ctx) => {
  for (const a of ctx.argv.slice(1)) {
    if (a.startsWith('-') || a.startsWith('+')) continue;
    const eq = a.indexOf('=');
    if (eq <= 0) continue;
    ctx.sh.vars.set(a.slice(0, eq), a.slice(eq + 1));
    ctx.sh.unset.delete(a.slice(0, eq));
  }
  return 0;
};

export const unset: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  const functions = args.includes('-f');
  for (const a of args) {
    if (a.startsWith('-')) continue;
    if (functions) ctx.sh.funcs.delete(a);
    else { ctx.sh.vars.delete(a); ctx.sh.unset.add(a); }
  }
  return 0;
};

export const shift: Handler = (ctx) => {
  const n = count(ctx.argv[1], 1);
  if (n > ctx.sh.positional.length) return failed(ctx, 'shift: shift count out of range');
  ctx.sh.positional = ctx.sh.positional.slice(n);
  return 0;
};

export const evalCmd: Handler = (ctx) => ctx.inline(ctx.argv.slice(1).join(' '), ctx.sh);

/** read: sets variables from input the checker does not have: they become unknown. */
export const read: Handler = (ctx) => {
  for (const a of ctx.argv.slice(1)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) { ctx.sh.vars.delete(a); ctx.sh.unset.delete(a); }
  return unknown(ctx, 'read takes input the checker does not have (its variables become unknown)');
};

/** exec CMD: run it, then the script ends (the shell is replaced). exec alone only redirects. */
export const exec: Handler = (ctx) => {
  const args = ctx.argv.slice(1).filter((x, i) => i > 0 || !/^-[cl]+$|^-a$/.test(x));
  if (args.length === 0) return 0;
  const status = ctx.command(args, ctx.sh);
  ctx.run.find(ctx.where, 'info', 'exec replaces the shell: the script ends here');
  throw new ExitSignal(status, 'exec');
};

/** Wrappers that run their command with the same process and namespace. */
export const wrapper: Handler = (ctx) => {
  const name = ctx.argv[0]!.slice(ctx.argv[0]!.lastIndexOf('/') + 1);
  let rest = ctx.argv.slice(1);
  switch (name) {
    case 'env':
      while (rest.length > 0 && (rest[0]!.startsWith('-') || rest[0]!.includes('='))) {
        if (rest[0] === '-u' || rest[0] === '-C' || rest[0] === '-S') rest = rest.slice(1);
        rest = rest.slice(1);
      }
      if (rest.length === 0) return noEffect(ctx, 'env prints the environment');
      break;
    case 'nice': while (rest[0]?.startsWith('-')) rest = rest.slice(rest[0] === '-n' ? 2 : 1); break;
    case 'ionice': while (rest[0]?.startsWith('-')) rest = rest.slice(/^-[cnp]$/.test(rest[0]!) ? 2 : 1); break;
    case 'setsid': case 'nohup': case 'command': case 'builtin': case 'busybox': case 'stdbuf':
      while (rest[0]?.startsWith('-')) {
        if (name === 'command' && /^-[vV]$/.test(rest[0]!)) return noEffect(ctx, 'command -v looks a command up', false);
        rest = rest.slice(1);
      }
      break;
    case 'timeout': {
      while (rest[0]?.startsWith('-')) rest = rest.slice(/^-[sk]$/.test(rest[0]!) ? 2 : 1);
      rest = rest.slice(1); // the duration
      break;
    }
    case 'sudo': case 'doas':
      if (rest[0]?.startsWith('-')) return unknown(ctx, `${name} with options is not modelled`);
      break;
    case 'taskset': rest = rest.slice(rest[0]?.startsWith('-') ? 2 : 1); break;
  }
  if (rest.length === 0) return noEffect(ctx, `${name} without a command`);
  return ctx.command(rest, ctx.sh);
};

/** sysctl -w kernel.pty.max=N / kernel.pty.reserve=N: the model's sysctl op; reads change nothing. */
export const sysctl: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 'wnNqeaAXbop:', long: { write: 'none', values: 'none', names: 'none', quiet: 'none', ignore: 'none', all: 'none', load: 'optional', system: 'none', pattern: 'required' } });
  if (has(a, 'p', 'load', 'system')) return unknown(ctx, 'sysctl -p/--system loads settings from files the checker does not read');
  let status = 0;
  for (const item of a.operands) {
    const eq = item.indexOf('=');
    if (eq < 0) { noEffect(ctx, `sysctl ${item} reads a setting`); continue; }
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

/** Commands known to have no effect on devpts; `statusKnown` false where their status depends on the system. */
export const NO_EFFECT: Readonly<Record<string, { why: string; statusKnown: boolean }>> = Object.fromEntries([
  ...['echo', 'printf', 'sleep', 'wait', 'trap', 'logger', 'hash', 'usleep'].map((c) => [c, { why: `${c}: no effect on devpts`, statusKnown: true }]),
  ...['cat', 'grep', 'egrep', 'fgrep', 'ls', 'stat', 'which', 'type', 'id', 'whoami', 'uname', 'date', 'pwd', 'dmesg', 'ps', 'pgrep', 'pidof', 'readlink', 'realpath', 'tty', 'printenv', 'head', 'tail', 'wc', 'findmnt', 'df', 'hostname', 'basename', 'dirname', 'expr', 'seq']
    .map((c) => [c, { why: `${c}: no effect on devpts`, statusKnown: false }]),
]);

export const knownNoEffect: Handler = (ctx) => {
  const name = ctx.argv[0]!.slice(ctx.argv[0]!.lastIndexOf('/') + 1);
  const entry = NO_EFFECT[name]!;
  return noEffect(ctx, entry.why, entry.statusKnown);
};
