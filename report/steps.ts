// Steps and results in words a kernel or container engineer reads without the JSON:
// ops as the shell commands or syscalls they stand for, results as ok/errno.

import type { BootConfig, Op, StepResult } from '../model/index.ts';

const q = (s: string): string => (/^[A-Za-z0-9_./=,:+-]+$/.test(s) ? s : JSON.stringify(s));

/** "mount -t devpts -o newinstance devpts /dev/pts" (without the pid). */
export function opCommand(op: Op): string {
  switch (op.op) {
    case 'spawn': {
      const how = op.newns ? `clone(CLONE_NEWNS${op.propagation && op.propagation !== 'private' ? `, propagation ${op.propagation}` : ''})` : 'fork';
      return `${how} → pid ${op.child}${op.inherit ? ' (inheriting the open files)' : ''}`;
    }
    case 'unshare': {
      const flags = [...(op.user ? ['-U -r'] : []), ...(op.mount !== false ? ['-m'] : [])].join(' ');
      return `unshare ${flags}${op.propagation && op.propagation !== 'private' ? ` --propagation ${op.propagation === 'keep' ? 'unchanged' : op.propagation}` : ''}`;
    }
    case 'chroot': return `chroot ${q(op.path)}`;
    case 'pivotRoot': return `pivot_root ${q(op.newRoot)} ${q(op.putOld)}`;
    case 'chdir': return `cd ${q(op.path)}`;
    case 'setuid': return `setuid(${op.uid})${op.gid !== undefined && op.gid !== op.uid ? ` setgid(${op.gid})` : ''}`;
    case 'exit': return 'exit';
    case 'mount': {
      const opts = [...(op.flags ?? []), ...(op.options !== undefined && op.options !== '' ? [op.options] : [])].join(',');
      return `mount -t ${op.fstype}${opts ? ` -o ${q(opts)}` : ''} ${op.fstype} ${q(op.target)}`;
    }
    case 'remount': {
      const flags = (op.flags ?? []).join(',');
      return `mount -o remount${op.bind ? ',bind' : ''}${flags ? `,${flags}` : ''} ${q(op.target)}  (data: ${op.options === undefined ? 'none' : JSON.stringify(op.options)})`;
    }
    case 'bind': return `mount ${op.recursive ? '--rbind' : '--bind'} ${q(op.source)} ${q(op.target)}`;
    case 'move': return `mount --move ${q(op.source)} ${q(op.target)}`;
    case 'propagate': return `mount --make-${op.recursive ? 'r' : ''}${op.type} ${q(op.target)}`;
    case 'umount': return `umount${op.lazy ? ' -l' : ''} ${q(op.target)}`;
    case 'mkdir': return `mkdir${op.mode ? ` -m ${op.mode}` : ''} ${q(op.path)}`;
    case 'mknod': return `mknod${op.mode ? ` -m ${op.mode}` : ''} ${q(op.path)} c ${op.major} ${op.minor}`;
    case 'touch': return `touch ${q(op.path)}`;
    case 'symlink': return `ln -s ${q(op.target)} ${q(op.path)}`;
    case 'unlink': return `rm ${q(op.path)}`;
    case 'rename': return `mv ${q(op.from)} ${q(op.to)}`;
    case 'link': return `ln ${q(op.target)} ${q(op.path)}`;
    case 'chmod': return `chmod ${op.mode} ${q(op.path)}`;
    case 'chown': return `chown ${op.uid}:${op.gid} ${q(op.path)}`;
    case 'stat': return `${op.nofollow ? 'lstat' : 'stat'} ${q(op.path)}`;
    case 'readdir': return `ls ${q(op.path)}`;
    case 'mounts': return 'cat /proc/self/mountinfo';
    case 'open': return `open(${JSON.stringify(op.path)}, O_RDWR|O_NOCTTY)${op.as ? ` as ${op.as}` : ''}`;
    case 'unlockpt': return `unlockpt(${op.fd})`;
    case 'peer': return `ioctl(${op.fd}, TIOCGPTPEER)${op.as ? ` as ${op.as}` : ''}`;
    case 'close': return `close(${op.fd})`;
    case 'dup': return `dup(${op.fd})${op.as ? ` as ${op.as}` : ''}`;
    case 'fstat': return `fstat(${op.fd})`;
    case 'sysctl': return op.value === undefined ? `sysctl ${op.name}` : `sysctl ${op.name}=${op.value}`;
  }
}

/** "pid 2: mount -t devpts …" */
export function opText(op: Op): string {
  return `pid ${op.pid ?? 1}: ${opCommand(op)}`;
}

/** "ok, fd fd1, pty 0" / "EINVAL" / "ok: [0, ptmx]", plus console lines. */
export function resultText(r: StepResult): string {
  if ('error' in r) return `not a kernel result: ${r.error} (${r.field})`;
  const log = r.log && r.log.length > 0 ? ` — console: ${r.log.map((l) => JSON.stringify(l)).join(', ')}` : '';
  if ('errno' in r) return `${r.errno}${log}`;
  const parts: string[] = [];
  if (r.fd !== undefined) parts.push(`fd ${r.fd}`);
  if (r.index !== undefined) parts.push(`pty ${r.index}`);
  if (r.type !== undefined) {
    parts.push(`${r.type} ${r.mode ?? ''} ${r.uid ?? '?'}:${r.gid ?? '?'}${r.rdev ? ` rdev ${r.rdev}` : ''}${r.fs ? ` on ${r.fs}` : ''}`.replace(/\s+/g, ' ').trim());
  } else if (r.fs !== undefined) parts.push(`on ${r.fs}`);
  if (r.entries !== undefined) parts.push(`[${r.entries.join(', ')}]`);
  if (r.mounts !== undefined) parts.push(r.mounts.map((m) => `${m.target} ${m.fstype}${m.fs !== 'other' ? ` ${m.fs}` : ''}${m.options ? ` ${m.options}` : ''}`).join('; '));
  if (r.value !== undefined) parts.push(String(r.value));
  return `${parts.length ? `ok: ${parts.join(', ')}` : 'ok'}${log}`;
}

/** A non-default boot in words, or null for the default world (operations.md "The world at boot"). */
export function bootText(boot: BootConfig | undefined): string | null {
  if (!boot) return null;
  const parts: string[] = [];
  if (boot.mountDevpts === false) parts.push('init does not mount devpts');
  else if (boot.devptsOptions !== undefined && boot.devptsOptions !== '') parts.push(`init mounts devpts at /dev/pts with -o ${boot.devptsOptions}`);
  if (boot.ptmxMode !== undefined) parts.push(`/dev/ptmx has mode ${boot.ptmxMode}`);
  if (boot.dev === 'devtmpfs') parts.push('/dev is the kernel\'s devtmpfs');
  if (boot.rootPropagation === 'shared') parts.push('every boot mount is shared (as systemd leaves it)');
  return parts.length ? parts.join('; ') : null;
}
