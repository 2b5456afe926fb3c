// What the live harness (kernel/harness.c) runs on the host: no sysctl but reads of
// kernel.pty.max and .reserve, nothing written into the kernel's devtmpfs (on the host,
// the machine's /dev), no listing of its root (the machine's devices, which no model
// has), no mount of it with options or flags, no open of /dev/console. The generator
// leaves such steps out of live-kernel sequences (GenOptions.hostSafe); the harness
// refuses them anyway (a tool error). In a QEMU guest (where = 'guest') only the listing
// of devtmpfs's root is left out: the guest's devices are not the model's either.

import type { KernelState, Op } from '../../model/index.ts';
import { resolveAs } from '../../clauses/observe.ts';

/** Is `path` (or, with `parent`, the directory its last name is in) on the kernel's devtmpfs for `pid`? */
function onDevtmpfs(state: KernelState, pid: number, path: string, parent: boolean, follow: boolean): boolean {
  let p = path;
  if (parent) {
    p = p.replace(/\/+$/, '');
    const cut = p.lastIndexOf('/');
    p = cut < 0 ? '.' : cut === 0 ? '/' : p.slice(0, cut);
  }
  const r = resolveAs(state, pid, p, !follow);
  return r !== null && state.mounts[r.pos.mount]!.fs === state.devtmpfs;
}

const writes = (state: KernelState, pid: number, path: string): boolean =>
  onDevtmpfs(state, pid, path, false, false) || onDevtmpfs(state, pid, path, true, true);

/** Whether the live harness runs `op` in `state` (see above). */
export function hostSafe(state: KernelState, op: Op, where: 'host' | 'guest' = 'host'): boolean {
  const pid = op.pid ?? 1;
  if (where === 'guest') {
    if (op.op !== 'readdir') return true;
    const r = resolveAs(state, pid, op.path);
    return !(r && state.mounts[r.pos.mount]!.fs === state.devtmpfs && r.pos.ino === 1);
  }
  switch (op.op) {
    case 'sysctl': return op.value === undefined && op.name !== 'kernel.pty.nr';
    case 'mount': return op.fstype !== 'devtmpfs' || (op.options === undefined && (op.flags ?? []).length === 0);
    case 'remount': return op.bind === true || !onDevtmpfs(state, pid, op.target, false, true);
    case 'umount': {
      if (op.lazy) return true;
      const r = resolveAs(state, pid, op.target);
      const proc = state.procs[pid];
      return !(r && proc && r.pos.mount === proc.root.mount && r.pos.ino === proc.root.ino && state.mounts[r.pos.mount]!.fs === state.devtmpfs);
    }
    case 'mkdir': case 'mknod': case 'symlink': case 'unlink': return !writes(state, pid, op.path);
    case 'touch': case 'chmod': case 'chown': return !writes(state, pid, op.path) && !onDevtmpfs(state, pid, op.path, false, true);
    case 'rename': return !writes(state, pid, op.from) && !writes(state, pid, op.to);
    case 'link': return !writes(state, pid, op.path) && !onDevtmpfs(state, pid, op.target, false, false);
    case 'readdir': {
      const r = resolveAs(state, pid, op.path);
      return !(r && state.mounts[r.pos.mount]!.fs === state.devtmpfs && r.pos.ino === 1);
    }
    case 'open': {
      const r = resolveAs(state, pid, op.path);
      return !(r && r.node.rdev !== null && r.node.rdev[0] === 5 && r.node.rdev[1] === 1);
    }
    default: return true;
  }
}
