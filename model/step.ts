// step(state, op) → { state, result }: the whole semantics, pure. Dispatches each op
// to its handler with the profile record; the profile holds every kernel difference.

import type { Op } from './ops.ts';
import type { Ctx, Outcome } from './outcome.ts';
import { bindOp, mountOp, remountOp, umountOp } from './mounts.ts';
import { chmodOp, chownOp, mkdirOp, mknodOp, readdirOp, statOp, symlinkOp, touchOp, unlinkOp } from './files.ts';
import { closeOp, openOp, peerOp, unlockptOp } from './ptys.ts';
import { exitOp, setuidOp, spawnOp, sysctlOp, unshareOp } from './procs.ts';
import { profileOf, type Profile } from './profiles.ts';
import type { Handle, KernelState } from './state.ts';

export type { Outcome } from './outcome.ts';

const toolError = (state: KernelState, field: string, error: string): Outcome => ({ state, result: { error, field } });

/** The process's open handle `fd`, or null (a handle of another process is not its to use). */
function ownHandle(state: KernelState, pid: number, fd: string): Handle | null {
  const h = state.handles[fd];
  return h && h.pid === pid ? h : null;
}

/** One step under the profile named in the state. */
export function step(state: KernelState, op: Op): Outcome {
  return stepWith(profileOf(state.profile), state, op);
}

/** One step under an explicit profile record (tests use this for mutants). */
export function stepWith(profile: Profile, state: KernelState, op: Op): Outcome {
  const pid = op.pid ?? 1;
  const proc = state.procs[pid];
  if (!proc) return toolError(state, 'pid', `process ${pid} does not exist`);
  const ctx: Ctx = { profile, state, proc };
  switch (op.op) {
    case 'spawn':
      if (state.procs[op.child]) return toolError(state, 'child', `process ${op.child} already exists`);
      return spawnOp(ctx, op);
    case 'unshare': return unshareOp(ctx);
    case 'setuid': return setuidOp(ctx, op);
    case 'exit': return exitOp(ctx);
    case 'mount': return mountOp(ctx, op);
    case 'remount': return remountOp(ctx, op);
    case 'bind': return bindOp(ctx, op);
    case 'umount': return umountOp(ctx, op);
    case 'mkdir': return mkdirOp(ctx, op);
    case 'mknod': return mknodOp(ctx, op);
    case 'touch': return touchOp(ctx, op);
    case 'symlink': return symlinkOp(ctx, op);
    case 'unlink': return unlinkOp(ctx, op);
    case 'chmod': return chmodOp(ctx, op);
    case 'chown': return chownOp(ctx, op);
    case 'stat': return statOp(ctx, op);
    case 'readdir': return readdirOp(ctx, op);
    case 'open':
      if (op.as !== undefined && state.handles[op.as]) return toolError(state, 'as', `handle "${op.as}" is already open`);
      return openOp(ctx, op);
    case 'peer': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return toolError(state, 'fd', `process ${pid} has no open handle "${op.fd}"`);
      if (op.as !== undefined && state.handles[op.as]) return toolError(state, 'as', `handle "${op.as}" is already open`);
      return peerOp(ctx, op, h);
    }
    case 'unlockpt': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return toolError(state, 'fd', `process ${pid} has no open handle "${op.fd}"`);
      return unlockptOp(ctx, op, h);
    }
    case 'close':
      if (!ownHandle(state, pid, op.fd)) return toolError(state, 'fd', `process ${pid} has no open handle "${op.fd}"`);
      return closeOp(ctx, op);
    case 'sysctl': return sysctlOp(ctx, op);
    default: return toolError(state, 'op', `op "${op.op}" is in the vocabulary but not modelled yet`);
  }
}
