// Command name → handler. A command not listed here is "not modelled: effect unknown".

import * as b from './builtins.ts';
import type { Handler } from './context.ts';
import * as f from './files.ts';
import * as m from './mount.ts';
import * as n from './ns.ts';
import * as t from './test.ts';

const entries: [string, Handler][] = [
  ['mount', m.mount], ['umount', m.umount], ['mountpoint', m.mountpoint],
  ['ln', f.ln], ['rm', f.rm], ['chmod', f.chmod], ['chown', f.chown], ['chgrp', f.chgrp], ['mknod', f.mknod],
  ['mkdir', f.mkdir], ['touch', f.touch],
  ['rmdir', f.notModelled('rmdir is not modelled')], ['mv', f.notModelled('mv (rename) is not modelled')],
  ['cp', f.notModelled('cp is not modelled')], ['install', f.notModelled('install is not modelled')],
  ['test', t.test], ['[', t.bracket],
  ['unshare', n.unshare], ['ns_exec', n.nsExec], ['lxc-unshare', n.lxcUnshare],
  ['chroot', n.chroot], ['nsenter', n.nsenter], ['pivot_root', f.notModelled('pivot_root is not modelled')],
  ...['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'mksh', 'posh'].map((s): [string, Handler] => [s, n.shell]),
  ...n.CONSUMERS.map((c): [string, Handler] => [c, n.consumer]),
  [':', b.colon], ['true', b.colon], ['false', b.falseCmd],
  ['exit', b.exit], ['return', b.ret], ['break', b.brk], ['continue', b.cont],
  ['cd', b.cd], ['umask', b.umask], ['set', b.set], ['shift', b.shift], ['eval', b.evalCmd], ['read', b.read], ['exec', b.exec],
  ...['export', 'readonly', 'local', 'declare', 'typeset'].map((s): [string, Handler] => [s, b.declare]),
  ['unset', b.unset], ['sysctl', b.sysctl],
  ...['env', 'nice', 'ionice', 'setsid', 'nohup', 'command', 'builtin', 'busybox', 'stdbuf', 'timeout', 'sudo', 'doas', 'taskset']
    .map((s): [string, Handler] => [s, b.wrapper]),
  ['.', f.notModelled('`.` reads another file, which the checker does not read')],
  ['source', f.notModelled('source reads another file, which the checker does not read')],
];

export const COMMANDS: ReadonlyMap<string, Handler> = new Map([
  ...Object.keys(b.NO_EFFECT).map((c): [string, Handler] => [c, b.knownNoEffect]),
  ...entries,
]);
