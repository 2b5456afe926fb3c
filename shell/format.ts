// One-line renderings of ops and results, for the report and its traces.

import type { KernelResult, Op } from '../model/index.ts';
import { describeStat } from './observe.ts';

export function formatOp(op: Op): string {
  const who = `[pid ${op.pid ?? 1}] `;
  switch (op.op) {
    case 'spawn': return `${who}spawn ${op.child}${op.newns ? ' in a new mount namespace' : ''}${op.inherit ? ' (inheriting open files)' : ''}`;
    case 'unshare': return `${who}unshare (${[...(op.user ? ['new user namespace'] : []), ...(op.mount !== false ? ['new mount namespace'] : [])].join(', ')})`;
    case 'chroot': return `${who}chroot ${op.path}`;
    case 'pivotRoot': return `${who}pivot_root ${op.newRoot} ${op.putOld}`;
    case 'chdir': return `${who}cd ${op.path}`;
    case 'setuid': return `${who}setuid ${op.uid}:${op.gid ?? op.uid}`;
    case 'exit': return `${who}exit`;
    case 'mount': return `${who}mount -t ${op.fstype}${op.options !== undefined ? ` -o ${op.options}` : ''}${op.flags?.length ? ` (${op.flags.join(',')})` : ''} ${op.target}`;
    case 'remount': return `${who}remount${op.bind ? ' (bind)' : ''} ${op.target}${op.options !== undefined ? ` data "${op.options}"` : ''}${op.flags?.length ? ` (${op.flags.join(',')})` : ''}`;
    case 'bind': return `${who}bind${op.recursive ? ' (recursive)' : ''} ${op.source} on ${op.target}`;
    case 'move': return `${who}move ${op.source} to ${op.target}`;
    case 'propagate': return `${who}make-${op.recursive ? 'r' : ''}${op.type} ${op.target}`;
    case 'umount': return `${who}umount${op.lazy ? ' -l' : ''} ${op.target}`;
    case 'mkdir': return `${who}mkdir ${op.path}${op.mode ? ` ${op.mode}` : ''}`;
    case 'mknod': return `${who}mknod ${op.path} c ${op.major} ${op.minor}${op.mode ? ` ${op.mode}` : ''}`;
    case 'touch': return `${who}touch ${op.path}`;
    case 'symlink': return `${who}symlink ${op.path} -> ${op.target}`;
    case 'unlink': return `${who}unlink ${op.path}`;
    case 'rename': return `${who}rename ${op.from} ${op.to}`;
    case 'link': return `${who}link ${op.target} ${op.path}`;
    case 'chmod': return `${who}chmod ${op.mode} ${op.path}`;
    case 'chown': return `${who}chown ${op.uid}:${op.gid} ${op.path}`;
    case 'stat': return `${who}${op.nofollow ? 'lstat' : 'stat'} ${op.path}`;
    case 'readdir': return `${who}readdir ${op.path}`;
    case 'mounts': return `${who}mounts`;
    case 'open': return `${who}open ${op.path}${op.as ? ` as ${op.as}` : ''}`;
    case 'unlockpt': return `${who}unlockpt ${op.fd}`;
    case 'peer': return `${who}peer ${op.fd}`;
    case 'close': return `${who}close ${op.fd}`;
    case 'dup': return `${who}dup ${op.fd}${op.as ? ` as ${op.as}` : ''}`;
    case 'fstat': return `${who}fstat ${op.fd}`;
    case 'sysctl': return op.value === undefined ? `${who}sysctl ${op.name}` : `${who}sysctl ${op.name}=${op.value}`;
  }
}

export function formatResult(op: Op, r: KernelResult): string {
  const log = r.log?.length ? ` [console: ${r.log.join(' / ')}]` : '';
  if ('errno' in r) return `${r.errno}${log}`;
  switch (op.op) {
    case 'open': return r.index !== undefined ? `pty ${r.index}${log}` : `ok${log}`;
    case 'stat': return `${describeStat(r)}${r.fs && r.fs !== 'other' ? ` on ${r.fs}` : ''}${log}`;
    case 'readdir': return `[${(r.entries ?? []).join(' ')}]${log}`;
    case 'mounts': return `${(r.mounts ?? []).map((m) => `${m.target} ${m.fstype}`).join(', ')}${log}`;
    case 'sysctl': return r.value !== undefined ? `${r.value}${log}` : `ok${log}`;
    default: return `ok${log}`;
  }
}

export const formatStep = (op: Op, r: KernelResult): string => `${formatOp(op)} → ${formatResult(op, r)}`;
