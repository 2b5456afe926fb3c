// New processes, roots and mount namespaces: unshare(1) with all its flags, chroot(1),
// nsenter(1), ns_exec (the document's example), lxc-unshare; pivot_root(8) and
// switch_root/run-init (the end of an initramfs); shells started from the script; and
// the pty consumers (sshd, getty, …) that the verdicts are about.
//
// `unshare -m` with no command, or with a shell and no -c, starts a shell in a new
// mount namespace: the rest of the script runs there (that is how the document's
// `ns_exec -cm /bin/bash` example reads). With a command, that command runs there (a
// new process: the script's functions are not there) and the script goes on in the old
// process; when the command is done, the verdicts of the container are probed. The
// model keeps every such process alive.
//
// The ops come from the contract (operations.md): spawn, unshare with user and
// propagation, chroot, chdir, pivotRoot, move, propagate. Where the model does not take
// one yet, the command is "effect unknown" and what it would have run is not run (it
// would run in the wrong place).

import { INITIAL_NS } from '../../model/index.ts';
import { ExitSignal } from './builtins.ts';
import { applyOptionWords, childShell, getVar, scalar, subshellOf, type Shell } from '../shell-state.ts';
import { capabilities, type AnyOp } from '../world.ts';
import {
  abs, basename, errnoOf, failed, getopt, has, info, normalize, oneLine, op, under, unknown, valueOf,
  type CommandCtx, type Handler,
} from './context.ts';
import { canonical } from './guards.ts';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'mksh', 'posh', 'busybox-sh']);

/** `options`: the option words of the command line (`-e`, `-o errexit`, …), for the new shell. */
export type Invocation =
  | { readonly kind: 'text'; readonly text: string; readonly name: string | null; readonly args: readonly string[]; readonly options: readonly string[] }
  | { readonly kind: 'file'; readonly file: string; readonly args: readonly string[]; readonly options: readonly string[] }
  | { readonly kind: 'stdin'; readonly args: readonly string[]; readonly options: readonly string[] };

/** A shell command line: -c TEXT [NAME ARGS…], FILE [ARGS…], or commands from its input (-s, or nothing). */
export function shellInvocation(argv: readonly string[]): Invocation {
  let i = 1;
  let command = false;
  let stdin = false;
  const options: string[] = [];
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--' || a === '-') { i++; break; }
    if (a === '-c') { command = true; continue; }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      if (a.startsWith('-') && a.includes('c')) command = true;
      if (a.startsWith('-') && a.includes('s')) stdin = true;
      // -o NAME and -O NAME take the next word, in a cluster too (`bash -euo pipefail -c …`)
      const taken = (a.slice(1).match(/[oO]/g) ?? []).length;
      options.push(...argv.slice(i, i + 1 + taken));
      i += taken;
      continue;
    }
    if (a.startsWith('--')) { if (a === '--rcfile' || a === '--init-file') i++; continue; }
    break;
  }
  if (command) {
    const text = argv[i];
    if (text === undefined) return { kind: 'stdin', args: [], options };
    return { kind: 'text', text, name: argv[i + 1] ?? null, args: argv.slice(i + 2), options };
  }
  if (stdin || i >= argv.length) return { kind: 'stdin', args: argv.slice(i), options };
  return { kind: 'file', file: argv[i]!, args: argv.slice(i + 1), options };
}

export const isShell = (name: string): boolean => SHELLS.has(basename(name)) || basename(name) === 'busybox';

/** Run a shell command line (argv[0] a shell) in shell state `sh` (a new shell process). */
function runShell(ctx: CommandCtx, argv: readonly string[], sh: Shell): number {
  let args = argv;
  if (basename(argv[0]!) === 'busybox') args = argv.slice(1); // busybox sh …
  const inv = shellInvocation(args);
  const where = ctx.where;
  switch (inv.kind) {
    case 'text': {
      const child = childShell(sh, { scriptName: inv.name ?? basename(args[0]!), positional: inv.args });
      applyOptionWords(child, inv.options);
      return ctx.runner.shellText(inv.text, child, where, ctx.cond, ctx.io);
    }
    case 'file': {
      const r = ctx.runner.scriptFile(inv.file, sh, where, ctx.cond, ctx.io, inv.args, inv.options);
      if (r !== null) return r;
      return unknown({ ...ctx, sh }, `\`${args.join(' ')}\` runs the script ${inv.file}, which the checker does not have (give its directory with --source-path)`);
    }
    case 'stdin': {
      const input = ctx.io.stdin;
      if (input === null) return unknown({ ...ctx, sh }, `${basename(args[0]!)} reads its commands from its input, which the checker does not have`);
      const text = input.text.slice(input.pos);
      input.pos = input.text.length;
      const child = childShell(sh, { scriptName: basename(args[0]!), positional: inv.args });
      applyOptionWords(child, inv.options);
      return ctx.runner.shellText(text, child, where, ctx.cond, { stdin: { text: '', pos: 0 }, out: ctx.io.out });
    }
  }
}

/** A shell started by the script (not through unshare/chroot): a new shell process, same namespace. */
export const shell: Handler = (ctx) => runShell(ctx, ctx.argv, ctx.sh);

interface NewProcess {
  readonly how: string;
  readonly newns: boolean;
  /** A new pid namespace (unshare -p with -f: the command is its first process). */
  readonly pidns?: boolean;
  readonly user?: boolean;
  /** util-linux unshare --propagation (default private); 'unchanged': like the raw syscall. */
  readonly propagation?: 'private' | 'slave' | 'shared' | 'unchanged';
  readonly root?: string | null;
  readonly skipChdir?: boolean;
  readonly wd?: string | null;
  readonly uid?: number | null;
  readonly gid?: number | null;
  readonly mountProc?: string | null;
  readonly command: readonly string[];
}

/** The ops, in order, that make the new process; the first the model does not take stops it. */
function startProcess(ctx: CommandCtx, child: number, p: NewProcess): { ok: true } | { ok: false; why: string; errno?: string } {
  const steps: { op: AnyOp; note: string }[] = [];
  const plainCopy = p.newns && !p.user && (p.propagation === undefined || p.propagation === 'private');
  const caps = capabilities();
  if (p.user && !caps.userNamespaces) return { ok: false, why: 'the model has no user namespaces yet' };
  if (p.propagation !== undefined && p.propagation !== 'private' && !caps.propagation) return { ok: false, why: `the model has no mount propagation yet (--propagation ${p.propagation})` };
  if (plainCopy || (!p.newns && !p.user)) steps.push({ op: { op: 'spawn', child, ...(p.newns ? { newns: true } : {}) }, note: p.how });
  else {
    steps.push({ op: { op: 'spawn', child }, note: p.how });
    steps.push({
      op: { op: 'unshare', pid: child, ...(p.newns ? {} : { mount: false }), ...(p.user ? { user: true } : {}), ...(p.propagation && p.propagation !== 'private' ? { propagation: p.propagation } : {}) },
      note: `${p.how}: unshare(${[p.user ? 'CLONE_NEWUSER' : '', p.newns ? 'CLONE_NEWNS' : ''].filter(Boolean).join('|')})${p.user ? ', uid 0 inside mapped to the caller' : ''}${p.propagation && p.propagation !== 'private' ? `, propagation ${p.propagation}` : ''}`,
    });
  }
  if (p.root) {
    steps.push({ op: { op: 'chroot', pid: child, path: abs(ctx.sh, p.root) }, note: `${p.how}: chroot ${p.root}` });
    if (!p.skipChdir) steps.push({ op: { op: 'chdir', pid: child, path: '/' }, note: `${p.how}: chdir /` });
  }
  if (p.wd) steps.push({ op: { op: 'chdir', pid: child, path: p.wd }, note: `${p.how}: chdir ${p.wd}` });
  if (p.uid !== undefined && p.uid !== null) steps.push({ op: { op: 'setuid', pid: child, uid: p.uid, ...(p.gid !== undefined && p.gid !== null ? { gid: p.gid } : {}) }, note: `${p.how}: setuid` });
  const missing = steps.find((s) => !ctx.run.takes(s.op));
  if (missing) return { ok: false, why: `the model has no \`${missing.op.op}\` op with these fields yet (${missing.note})` };
  for (const s of steps) {
    const e = errnoOf(op(ctx, s.op, s.note));
    if (e) return { ok: false, why: `${s.note}: ${s.op.op} → ${e}`, errno: e };
  }
  return { ok: true };
}

/**
 * Start a new process (new namespaces, root, user as asked) and run `command` in it; no
 * command, or an interactive shell, means the rest of the script runs there.
 */
function runInNewProcess(ctx: CommandCtx, p: NewProcess): number {
  const child = ctx.run.newPid();
  const started = startProcess(ctx, child, p);
  if (!started.ok && started.errno) {
    // the kernel said no: the command fails (unshare(1), chroot(1) exit 1 or 125), nothing runs
    return failed(ctx, `${started.why}: ${p.how} fails${p.command.length > 0 ? `; \`${oneLine(p.command.join(' '))}\` does not run` : ''}`, p.how === 'chroot' ? 125 : 1);
  }
  if (!started.ok) {
    ctx.run.find(ctx.where, 'unknown', `${p.how}: ${started.why}; ${p.command.length > 0 ? `\`${oneLine(p.command.join(' '))}\` is not run` : 'what follows runs where the script is'}; effect unknown`);
    return 0;
  }
  ctx.run.containers.push({ pid: child, line: ctx.where.line, command: ctx.where.text, newns: p.newns, how: p.how, done: false });
  const rootPath = p.root ? under(ctx.sh.root, canonical(ctx, p.root, 'm') ?? normalize(abs(ctx.sh, p.root))) : ctx.sh.root;
  const cwd = p.wd ?? (p.root && !p.skipChdir ? '/' : ctx.sh.cwd);
  if (p.mountProc !== null && p.mountProc !== undefined) {
    ctx.run.pseudoMounts.push({ target: under(rootPath, p.mountProc), fstype: 'proc', source: 'proc', ns: ctx.run.state.procs[child]?.ns ?? INITIAL_NS });
  }
  const where = p.newns ? `a new mount namespace (${p.user ? 'owned by a new user namespace, ' : ''}${p.propagation === 'unchanged' ? 'mounts as they were' : p.propagation && p.propagation !== 'private' ? `${p.propagation} mounts` : 'a private copy of its parent\'s'})` : 'its parent\'s mount namespace';
  const rooted = p.root ? ` with its root at ${rootPath}` : '';
  const cmd = p.command;
  const shellCmd = cmd.length > 0 && isShell(cmd[0]!) ? shellInvocation(basename(cmd[0]!) === 'busybox' ? cmd.slice(1) : cmd) : null;
  const interactive = cmd.length === 0 || (shellCmd?.kind === 'stdin' && ctx.io.stdin === null && p.how !== 'chroot');
  if (interactive && p.how !== 'chroot') {
    info(ctx, `pid ${child} starts in ${where}${rooted}; the rest of the script runs there`);
    ctx.sh.pid = child;
    ctx.sh.root = rootPath;
    ctx.sh.cwd = cwd;
    if (p.pidns) ctx.sh.pidns = true;
    return 0;
  }
  // chroot DIR with no command runs $SHELL -i
  const command = cmd.length > 0 ? cmd : [shellOf(ctx.sh), '-i'];
  info(ctx, `pid ${child} starts in ${where}${rooted} and runs \`${oneLine(command.join(' '))}\`; the model keeps it running`);
  const sub: Shell = childShell(ctx.sh, { scriptName: ctx.sh.scriptName, positional: [], pid: child });
  sub.root = rootPath;
  sub.cwd = cwd;
  if (p.pidns || ctx.sh.pidns) sub.pidns = true;
  let status: number;
  try {
    status = isShell(command[0]!) ? runShell(ctx, command, sub) : ctx.command(command, sub);
  } finally {
    // its command is done: the verdicts are probed now, and the process is gone (its root
    // and working directory no longer keep a mount busy)
    ctx.runner.containerDone(child);
    if (ctx.run.state.procs[child]) op(ctx, { op: 'exit', pid: child }, `${p.how}: the command is done, the process exits`);
  }
  return status;
}

const shellOf = (sh: Shell): string => {
  const v = getVar(sh, 'SHELL');
  return v.kind === 'set' ? scalar(v.value) : '/bin/sh';
};

const UNSHARE_SPEC = {
  short: 'm::U::p::fn::u::i::C::T::rcS:G:R:w:', stopAtOperand: true,
  long: {
    mount: 'optional', user: 'optional', pid: 'optional', fork: 'none', net: 'optional', uts: 'optional', ipc: 'optional',
    cgroup: 'optional', time: 'optional', 'map-root-user': 'none', 'map-current-user': 'none', propagation: 'required',
    'mount-proc': 'optional', 'kill-child': 'optional', root: 'required', wd: 'required', setuid: 'required', setgid: 'required',
    'keep-caps': 'none', 'map-user': 'required', 'map-group': 'required', 'map-auto': 'none', 'map-users': 'required',
    'map-groups': 'required', setgroups: 'required', monotonic: 'required', boottime: 'required', 'load-interp': 'required', 'mount-binfmt': 'optional',
  },
} as const;

/** unshare(1): -m, -U/-r/--map-*, -p -f (pid namespaces change nothing for ptys), --propagation, --mount-proc, --root, --wd, -S/-G. */
export const unshare: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), UNSHARE_SPEC);
  if (a.bad.length > 0) return unknown(ctx, `unshare: option ${a.bad.join(' ')} is not understood`);
  const mapped = has(a, 'r', 'map-root-user', 'c', 'map-current-user', 'map-user', 'map-group', 'map-auto', 'map-users', 'map-groups');
  const user = has(a, 'U', 'user') || mapped;
  if (user && !has(a, 'r', 'map-root-user')) {
    return unknown(ctx, 'unshare -U without -r (no root mapping, or another mapping) is not modelled; the model\'s user namespace maps root to the caller');
  }
  const prop = valueOf(a, 'propagation');
  if (prop !== null && !['private', 'slave', 'shared', 'unchanged'].includes(prop)) return failed(ctx, `unshare: unsupported propagation mode: ${prop}`);
  const newns = has(a, 'm', 'mount') || has(a, 'mount-proc');
  if (has(a, 'p', 'pid') && !has(a, 'f', 'fork') && a.operands.length > 0) info(ctx, 'unshare -p without -f: the first child becomes pid 1 of the new pid namespace (no effect on ptys)');
  const setuid = valueOf(a, 'S', 'setuid');
  const setgid = valueOf(a, 'G', 'setgid');
  const mountProc = has(a, 'mount-proc') ? valueOf(a, 'mount-proc') ?? '/proc' : null;
  return runInNewProcess(ctx, {
    how: 'unshare', newns, user, pidns: has(a, 'p', 'pid') && has(a, 'f', 'fork'), ...(prop !== null ? { propagation: prop as NewProcess['propagation'] } : {}),
    root: valueOf(a, 'R', 'root'), wd: valueOf(a, 'w', 'wd'),
    uid: setuid !== null && /^[0-9]+$/.test(setuid) ? Number(setuid) : null, gid: setgid !== null && /^[0-9]+$/.test(setgid) ? Number(setgid) : null,
    mountProc, command: a.operands,
  });
};

/** chroot(1) [--userspec U:G] [--groups G] [--skip-chdir] NEWROOT [COMMAND…] (default $SHELL -i). */
export const chroot: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: '', stopAtOperand: true, long: { userspec: 'required', groups: 'required', 'skip-chdir': 'none', help: 'none', version: 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `chroot: option ${a.bad.join(' ')} is not understood`);
  const [root, ...command] = a.operands;
  if (root === undefined) return failed(ctx, 'chroot: missing operand', 125);
  const spec = valueOf(a, 'userspec');
  let uid: number | null = null, gid: number | null = null;
  if (spec !== null) {
    const [u, g] = spec.split(':');
    if (!/^[0-9]*$/.test(u ?? '') || !/^[0-9]*$/.test(g ?? '')) return unknown(ctx, `chroot --userspec=${spec}: user names are not known to the checker`);
    uid = u ? Number(u) : null;
    gid = g ? Number(g) : uid;
  }
  const st = op(ctx, { op: 'stat', path: abs(ctx.sh, root) }, 'chroot: the new root');
  if ('errno' in st) return failed(ctx, `chroot: cannot change root directory to '${root}': ${st.errno}`, 125);
  return runInNewProcess(ctx, { how: 'chroot', newns: false, root, skipChdir: has(a, 'skip-chdir'), uid, gid, command });
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
  return runInNewProcess(ctx, { how: 'ns_exec', newns: letters.includes('m'), command: args.slice(i) });
};

/** lxc-unshare -s "MOUNT|PID|…" COMMAND. */
export const lxcUnshare: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), { short: 's:u:H:idM', stopAtOperand: true, long: { namespaces: 'required', user: 'required', hostname: 'required', 'remount-sys-proc': 'none', daemon: 'none' } });
  if (a.bad.length > 0) return unknown(ctx, `lxc-unshare: option ${a.bad.join(' ')} is not understood`);
  const spaces = (valueOf(a, 's', 'namespaces') ?? '').toUpperCase().split('|');
  if (has(a, 'u', 'user')) return unknown(ctx, 'lxc-unshare -u (another user) is not modelled');
  return runInNewProcess(ctx, { how: 'lxc-unshare', newns: spaces.includes('MOUNT'), command: a.operands });
};

/**
 * nsenter -t PID -m [COMMAND]: the model has no setns, so only entering the namespace
 * the script is already in (init's, from the host) is followed.
 */
export const nsenter: Handler = (ctx) => {
  const a = getopt(ctx.argv.slice(1), {
    short: 't:m::u::i::n::p::U::C::T::S:G:r::w::Fa', stopAtOperand: true,
    long: { target: 'required', mount: 'optional', uts: 'optional', ipc: 'optional', net: 'optional', pid: 'optional', user: 'optional', cgroup: 'optional', time: 'optional', setuid: 'required', setgid: 'required', 'preserve-credentials': 'none', root: 'optional', wd: 'optional', 'no-fork': 'none', all: 'none', 'follow-context': 'none' },
  });
  if (a.bad.length > 0) return unknown(ctx, `nsenter: option ${a.bad.join(' ')} is not understood`);
  const target = valueOf(a, 't', 'target');
  const mountFile = valueOf(a, 'm', 'mount');
  const entersMount = has(a, 'm', 'mount', 'a', 'all');
  const proc = ctx.run.state.procs[ctx.sh.pid];
  const initNs = proc?.ns === INITIAL_NS && ctx.sh.root === '/';
  const isInit = target === '1' || mountFile === '/proc/1/ns/mnt';
  if (entersMount && !(isInit && initNs)) {
    return unknown(ctx, `nsenter into ${target !== null ? `the namespaces of pid ${target}` : mountFile ?? 'another namespace'}: the model has no setns; the command is not run`);
  }
  if (a.operands.length === 0) return unknown(ctx, 'nsenter without a command starts an interactive shell');
  info(ctx, 'nsenter into init\'s mount namespace from the host\'s: the command runs in the host\'s namespace');
  const sub = subshellOf(ctx.sh);
  return ctx.command(a.operands, sub);
};

/** pivot_root NEW_ROOT PUT_OLD: the process's namespace gets NEW_ROOT as its root, the old root at PUT_OLD. */
export const pivotRoot: Handler = (ctx) => {
  const [newRoot, putOld] = ctx.argv.slice(1).filter((x) => !x.startsWith('-'));
  if (newRoot === undefined || putOld === undefined) return failed(ctx, 'pivot_root: bad usage');
  const n = normalize(abs(ctx.sh, newRoot));
  const o = normalize(abs(ctx.sh, putOld));
  const step = { op: 'pivotRoot' as const, newRoot: n, putOld: o };
  if (!ctx.run.takes(step)) return unknown(ctx, 'pivot_root: the model has no pivotRoot op yet; the script goes on with its old root');
  const e = errnoOf(op(ctx, step));
  if (e) return failed(ctx, `pivot_root: failed to change root from \`${newRoot}' to \`${putOld}': ${e}`);
  relocate(ctx, n, o);
  return 0;
};

/** After the root moved to `n` (the old one now at `o`): the shell's paths and the recorded mounts follow. */
function relocate(ctx: CommandCtx, n: string, o: string): void {
  const sh = ctx.sh;
  const ns = ctx.run.state.procs[sh.pid]?.ns;
  const move = (p: string): string => (p === n ? '/' : p.startsWith(n + '/') ? p.slice(n.length) : under(o === '/' ? '/' : o.slice(n.length) || '/', p));
  for (const m of ctx.run.pseudoMounts.splice(0)) ctx.run.pseudoMounts.push(m.ns === ns ? { ...m, target: move(under(sh.root, m.target)) } : m);
  if (sh.cwd === n || sh.cwd.startsWith(n + '/')) sh.cwd = sh.cwd.slice(n.length) || '/';
  sh.root = '/';
}

/**
 * switch_root / run-init NEW_ROOT INIT [ARGS]: the end of an initramfs: chdir to the new
 * root, move it onto /, chroot there; then INIT takes over (the script ends).
 */
export const switchRoot: Handler = (ctx) => {
  const args = ctx.argv.slice(1);
  let i = 0;
  while (i < args.length && args[i]!.startsWith('-')) { i += /^-[c]$/.test(args[i]!) ? 2 : 1; }
  const [newRoot, init] = args.slice(i);
  if (newRoot === undefined || init === undefined) return failed(ctx, `${basename(ctx.argv[0]!)}: bad usage`);
  const root = normalize(abs(ctx.sh, newRoot));
  const steps: AnyOp[] = [
    { op: 'chdir', path: root },
    { op: 'move', source: root, target: '/' },
    { op: 'chroot', path: '.' },
    { op: 'chdir', path: '/' },
  ];
  const missing = steps.find((s) => !ctx.run.takes({ ...s, pid: ctx.sh.pid } as AnyOp));
  if (missing) return unknown(ctx, `${basename(ctx.argv[0]!)}: the model has no \`${missing.op}\` op (with relative paths) yet`);
  for (const s of steps) {
    const e = errnoOf(op(ctx, s, basename(ctx.argv[0]!)));
    if (e) return failed(ctx, `${basename(ctx.argv[0]!)}: ${s.op} → ${e}`);
  }
  relocate(ctx, root, '/');
  info(ctx, `${basename(ctx.argv[0]!)}: ${init} takes over as init in the new root; the script ends`);
  throw new ExitSignal(0, 'exec');
};

/** The programs that open ptys: recorded with the process and namespace they run in. */
export const CONSUMERS = ['sshd', 'dropbear', 'getty', 'agetty', 'mingetty', 'login', 'script', 'screen', 'tmux', 'lxc-console', 'telnetd', 'in.telnetd', 'adbd'];

export const consumer: Handler = (ctx) => {
  const name = basename(ctx.argv[0]!);
  const proc = ctx.run.state.procs[ctx.sh.pid]!;
  ctx.run.consumers.push({ name, line: ctx.where.line, command: ctx.where.text, pid: proc.pid, ns: proc.ns });
  info(ctx, `pty consumer: ${name} runs in pid ${proc.pid} (${proc.ns === INITIAL_NS ? "the host's mount namespace" : 'mount namespace ' + proc.ns})`);
  return 0;
};
