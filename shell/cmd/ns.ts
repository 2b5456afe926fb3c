// New processes and mount namespaces: unshare(1), ns_exec (the document's example),
// lxc-unshare; shells started from the script; and the pty consumers (sshd, getty, …)
// that the verdicts are about.
//
// `unshare -m` with no command, or with a shell and no -c, starts a shell in a new
// mount namespace: the rest of the script runs there (that is how the document's
// `ns_exec -cm /bin/bash` example reads). With a command, that command runs there and
// the script goes on in the old process. The model keeps every such process alive.

import { INITIAL_NS } from '../../model/index.ts';
import { cloneShell, type Shell } from '../expand.ts';
import { basename, errnoOf, failed, getopt, has, info, noEffect, op, unknown, valueOf, type CommandCtx, type Handler } from './context.ts';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'mksh', 'posh', 'busybox-sh']);

/** A shell command line: the -c text and its $0…, or "interactive" (reads the rest), or null (a script file). */
export function shellInvocation(argv: readonly string[]): { text: string; args: string[] } | 'interactive' | null {
  let i = 1;
  let command = false;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (a === '-c') { command = true; continue; }
    if (/^[-+][a-zA-Z]+$/.test(a)) { if (a.startsWith('-') && a.includes('c')) command = true; if (a === '-o' || a === '+o') i++; continue; }
    if (a.startsWith('--')) continue; // --login, --norc, …
    break;
  }
  if (command) {
    const text = argv[i];
    if (text === undefined) return null;
    return { text, args: argv.slice(i + 1) };
  }
  return i >= argv.length ? 'interactive' : null;
}

export const isShell = (name: string): boolean => SHELLS.has(basename(name));

/**
 * Start a new process (in a new mount namespace when `newns`) and run `command` in it;
 * no command, or an interactive shell, means the rest of the script runs there.
 */
function runInNewProcess(ctx: CommandCtx, newns: boolean, command: readonly string[], how: string): number {
  const child = ctx.run.newPid();
  const r = op(ctx, { op: 'spawn', child, ...(newns ? { newns: true } : {}) }, how);
  const e = errnoOf(r);
  if (e) return failed(ctx, `${how}: cannot start a process${newns ? ' in a new mount namespace' : ''}: ${e}`);
  ctx.run.containers.push({ pid: child, line: ctx.where.line, command: ctx.where.text, newns });
  const where = newns ? 'a new mount namespace (a private copy of its parent\'s)' : 'its parent\'s mount namespace';
  const shell = command.length > 0 && isShell(command[0]!) ? shellInvocation(command) : null;
  if (command.length === 0 || shell === 'interactive') {
    info(ctx, `pid ${child} starts in ${where}; the rest of the script runs there`);
    ctx.sh.pid = child;
    return 0;
  }
  info(ctx, `pid ${child} starts in ${where} and runs ${shell !== null ? 'the shell text given with -c' : `\`${command.join(' ')}\``}; the model keeps it running`);
  const sub: Shell = cloneShell(ctx.sh);
  sub.pid = child;
  if (shell !== null) {
    sub.positional = shell.args.slice(1);
    return ctx.inline(shell.text, sub);
  }
  return ctx.command(command, sub);
}

export const unshare: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 'mUpfnuiCTrcS:G:R:w:', stopAtOperand: true,
    long: {
      mount: 'optional', user: 'optional', pid: 'optional', fork: 'none', net: 'optional', uts: 'optional', ipc: 'optional',
      cgroup: 'optional', time: 'optional', 'map-root-user': 'none', 'map-current-user': 'none', propagation: 'required',
      'mount-proc': 'optional', 'kill-child': 'optional', root: 'required', wd: 'required', setuid: 'required', setgid: 'required',
      'keep-caps': 'none', 'map-user': 'required', 'map-group': 'required', 'map-auto': 'none', 'map-users': 'required',
      'map-groups': 'required', setgroups: 'required', monotonic: 'required', boottime: 'required', 'load-interp': 'required', 'mount-binfmt': 'optional',
    },
  });
  if (a.bad.length > 0) return unknown(ctx, `unshare: option ${a.bad.join(' ')} is not understood`);
  const newns = has(a, 'm', 'mount');
  if (has(a, 'U', 'user', 'r', 'map-root-user', 'c', 'map-current-user')) {
    unknown(ctx, 'unshare -U (a user namespace) is not modelled: the process stays the host\'s root');
  }
  const propagation = valueOf(a, 'propagation');
  if (propagation !== null && propagation !== 'private') {
    unknown(ctx, `unshare --propagation ${propagation} is not modelled: the model's namespace copies are private`);
  }
  if (has(a, 'R', 'root', 'w', 'wd')) return unknown(ctx, 'unshare --root/--wd changes the root or cwd; not modelled');
  if (has(a, 'S', 'setuid', 'G', 'setgid')) return unknown(ctx, 'unshare --setuid/--setgid is not modelled');
  if (has(a, 'mount-proc')) info(ctx, 'unshare --mount-proc mounts proc in the new namespace (no devpts effect)');
  return runInNewProcess(ctx, newns, a.operands, 'unshare');
};

/** ns_exec (lxc's old test tool): -c clone, -m new mount namespace, other letters other namespaces. */
export const nsExec: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  let i = 0;
  let letters = '';
  for (; i < args.length && args[i]!.startsWith('-') && args[i] !== '-'; i++) {
    if (args[i] === '--') { i++; break; }
    letters += args[i]!.slice(1);
  }
  return runInNewProcess(ctx, letters.includes('m'), args.slice(i), 'ns_exec');
};

/** lxc-unshare -s "MOUNT|PID|…" COMMAND. */
export const lxcUnshare: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 's:u:H:idM', stopAtOperand: true, long: { namespaces: 'required', user: 'required', hostname: 'required', 'remount-sys-proc': 'none', daemon: 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `lxc-unshare: option ${a.bad.join(' ')} is not understood`);
  const spaces = (valueOf(a, 's', 'namespaces') ?? '').toUpperCase().split('|');
  if (has(a, 'u', 'user')) return unknown(ctx, 'lxc-unshare -u (another user) is not modelled');
  return runInNewProcess(ctx, spaces.includes('MOUNT'), a.operands, 'lxc-unshare');
};

/** A shell started by the script (not through unshare): -c text runs in a subshell. */
export const shell: Handler = (ctx) => {
  const inv = shellInvocation(ctx.argv);
  if (inv === null) return unknown(ctx, `\`${ctx.argv.join(' ')}\` runs another script file, which the checker does not read`);
  if (inv === 'interactive') return unknown(ctx, 'an interactive shell reads its commands from its input');
  const sub = cloneShell(ctx.sh);
  sub.positional = inv.args.slice(1);
  return ctx.inline(inv.text, sub);
};

/** The programs that open ptys: recorded with the process and namespace they run in. */
export const CONSUMERS = ['sshd', 'dropbear', 'getty', 'agetty', 'mingetty', 'login', 'script', 'screen', 'tmux', 'lxc-console', 'telnetd', 'in.telnetd'];

export const consumer: Handler = (ctx) => {
  const name = basename(ctx.argv[0]!);
  const proc = ctx.run.state.procs[ctx.sh.pid]!;
  ctx.run.consumers.push({ name, line: ctx.where.line, command: ctx.where.text, pid: proc.pid, ns: proc.ns });
  info(ctx, `pty consumer: ${name} runs in pid ${proc.pid} (${proc.ns === INITIAL_NS ? "the host's mount namespace" : 'mount namespace ' + proc.ns})`);
  return 0;
};

export const chroot: Handler = (ctx) => unknown(ctx, 'chroot changes the root directory; not modelled');
export const nsenter: Handler = (ctx) => unknown(ctx, 'nsenter enters an existing namespace; not modelled');
export const noop = (why: string): Handler => (ctx) => noEffect(ctx, why);
