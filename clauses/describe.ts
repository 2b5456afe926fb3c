// Ops and results in a few words, for the messages of violations.

import type { Op, StepResult } from '../model/index.ts';

/** A short human description of one op, for messages: "pid 2: mount devpts /dev/pts "newinstance"". */
export function describeOp(op: Op): string {
  const pid = `pid ${op.pid ?? 1}`;
  switch (op.op) {
    case 'spawn': return `${pid}: spawn ${op.child}${op.newns ? ' (new mount namespace)' : ''}`;
    case 'setuid': return `${pid}: setuid ${op.uid}${op.gid !== undefined ? `/${op.gid}` : ''}`;
    case 'mount': return `${pid}: mount ${op.fstype} ${op.target} "${op.options ?? ''}"${op.flags?.length ? ` [${op.flags.join(',')}]` : ''}`;
    case 'remount': return `${pid}: remount ${op.target} "${op.options ?? ''}"`;
    case 'bind': return `${pid}: bind${op.recursive ? ' -r' : ''} ${op.source} ${op.target}`;
    case 'umount': return `${pid}: umount${op.lazy ? ' -l' : ''} ${op.target}`;
    case 'mknod': return `${pid}: mknod ${op.path} c ${op.major} ${op.minor}`;
    case 'symlink': return `${pid}: symlink ${op.target} ${op.path}`;
    case 'chmod': return `${pid}: chmod ${op.mode} ${op.path}`;
    case 'chown': return `${pid}: chown ${op.uid}:${op.gid} ${op.path}`;
    case 'open': return `${pid}: open ${op.path}${op.as ? ` as ${op.as}` : ''}`;
    case 'peer': return `${pid}: peer ${op.fd}${op.as ? ` as ${op.as}` : ''}`;
    case 'unlockpt': case 'close': return `${pid}: ${op.op} ${op.fd}`;
    case 'sysctl': return `${pid}: sysctl ${op.name}=${op.value}`;
    case 'mkdir': case 'touch': case 'unlink': case 'readdir': return `${pid}: ${op.op} ${op.path}`;
    case 'stat': return `${pid}: ${op.nofollow ? 'lstat' : 'stat'} ${op.path}`;
    default: return `${pid}: ${op.op}`;
  }
}

/** A result as one short string: "ok index=0", "EACCES". */
export function describeResult(r: StepResult): string {
  if ('errno' in r) return r.errno;
  if ('error' in r) return `tool error: ${r.error}`;
  const { ok: _ok, log: _log, ...values } = r;
  const parts = Object.entries(values).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`);
  return ['ok', ...parts].join(' ');
}
