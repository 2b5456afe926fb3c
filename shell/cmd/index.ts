// Command name → handler. A command not listed here is "not modelled: effect unknown".

import * as b from './builtins.ts';
import type { Handler } from './context.ts';
import * as f from './files.ts';
import * as g from './guards.ts';
import * as m from './mount.ts';
import * as n from './ns.ts';
import * as t from './test.ts';
import * as x from './text.ts';

const entries: [string, Handler][] = [
  ['mount', m.mount], ['umount', m.umount], ['mountpoint', g.mountpoint], ['findmnt', g.findmnt], ['mountinfo', g.mountinfo],
  ['stat', g.stat], ['readlink', g.readlink], ['realpath', g.readlink], ['ls', g.ls],
  ['ln', f.ln], ['rm', f.rm], ['chmod', f.chmod], ['chown', f.chown], ['chgrp', f.chgrp], ['mknod', f.mknod],
  ['mkdir', f.mkdir], ['touch', f.touch], ['mv', f.mv], ['cp', f.cp], ['rmdir', f.rmdir],
  ['install', f.install],
  ['test', t.test], ['[', t.bracket],
  ['unshare', n.unshare], ['ns_exec', n.nsExec], ['lxc-unshare', n.lxcUnshare],
  ['chroot', n.chroot], ['nsenter', n.nsenter], ['pivot_root', n.pivotRoot], ['switch_root', n.switchRoot], ['run-init', n.switchRoot],
  ...['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh', 'mksh', 'posh'].map((s): [string, Handler] => [s, n.shell]),
  ...n.CONSUMERS.map((c): [string, Handler] => [c, n.consumer]),
  [':', b.colon], ['true', b.colon], ['false', b.falseCmd],
  ['echo', b.echo], ['printf', b.printf], ['pwd', b.pwd],
  ['exit', b.exit], ['return', b.ret], ['break', b.brk], ['continue', b.cont],
  ['cd', b.cd], ['umask', b.umask], ['set', b.set], ['shift', b.shift], ['eval', b.evalCmd], ['read', b.read], ['exec', b.exec],
  ['trap', b.trap], ['.', b.source], ['source', b.source], ['let', b.letCmd], ['getopts', b.getopts],
  ...['export', 'readonly', 'local', 'declare', 'typeset'].map((s): [string, Handler] => [s, b.declare]),
  ['unset', b.unset], ['sysctl', b.sysctl], ['which', b.which], ['type', b.which], ['fstabinfo', b.fstabinfo],
  ...b.MESSAGE_FUNCTIONS.map((m): [string, Handler] => [m, b.message]),
  ...['env', 'nice', 'ionice', 'setsid', 'nohup', 'command', 'builtin', 'busybox', 'stdbuf', 'timeout', 'sudo', 'doas', 'taskset',
    'setarch', 'linux64', 'linux32', 'fakeroot', 'eatmydata', 'time', 'chronic', 'xargs']
    .map((s): [string, Handler] => [s, b.wrapper]),
  ['cat', x.cat], ['grep', x.grep], ['egrep', x.grep], ['fgrep', x.grep], ['head', x.head], ['tail', x.tail], ['cut', x.cut],
  ['wc', x.wc], ['tr', x.tr], ['sort', x.sort], ['uniq', x.uniq], ['sed', x.sed], ['awk', x.awk], ['mawk', x.awk], ['gawk', x.awk],
  ['basename', x.basenameCmd], ['dirname', x.dirnameCmd], ['id', x.id], ['whoami', x.whoami], ['seq', x.seq], ['expr', x.expr],
  ['uname', x.uname], ['printenv', x.printenv],
];

export const COMMANDS: ReadonlyMap<string, Handler> = new Map([
  ...Object.keys(b.NO_EFFECT).map((c): [string, Handler] => [c, b.knownNoEffect]),
  ...entries,
]);
