// step(state, op) → { state, result }: the whole semantics, pure. Dispatches each op
// to its handler with the profile record; the profile holds every kernel difference.
// Tool errors (operations.md "Errors of the tool itself") are answered here: an unknown
// pid or handle, a name already in use.

import type { Op } from './ops.ts';
import type { Ctx, Outcome } from './outcome.ts';
import { bindOp, mountOp, moveOp, remountOp, umountOp } from './mounts.ts';
import { chmodOp, chownOp, mkdirOp, mknodOp, readdirOp, statOp, symlinkOp, touchOp, unlinkOp } from './files.ts';
import { linkOp, renameOp } from './files-links.ts';
import { dupOp, fstatOp, handleOf, inheritedName } from './fds.ts';
import { mountsOp } from './mountinfo.ts';
import { closeOp, openOp, peerOp, unlockptOp } from './ptys.ts';
import { exitOp, setuidOp, spawnOp, sysctlOp, unshareOp } from './procs.ts';
import { propagateOp } from './propagation.ts';
import { chdirOp, chrootOp, pivotRootOp } from './roots.ts';
import { profileOf, type Profile } from './profiles.ts';
import { own } from './records.ts';
import type { Handle, KernelState } from './state.ts';

export type { Outcome } from './outcome.ts';

const toolError = (state: KernelState, field: string, error: string): Outcome => ({ state, result: { error, field } });

/** The process's open handle `fd`, or null (a handle of another process is not its to use). */
function ownHandle(state: KernelState, pid: number, fd: string): Handle | null {
  const h = handleOf(state, fd);
  return h && h.pid === pid ? h : null;
}

const noHandle = (state: KernelState, pid: number, fd: string): Outcome => toolError(state, 'fd', `process ${pid} has no open handle ${JSON.stringify(fd)}`);
const nameInUse = (state: KernelState, as: string | undefined): boolean => as !== undefined && handleOf(state, as) !== undefined;
const inUse = (state: KernelState, as: string): Outcome => toolError(state, 'as', `handle ${JSON.stringify(as)} is already open`);

/** One step under the profile named in the state. */
export function step(state: KernelState, op: Op): Outcome {
  return stepWith(profileOf(state.profile), state, op);
}

/** One step under an explicit profile record (tests use this for mutants). */
export function stepWith(profile: Profile, state: KernelState, op: Op): Outcome {
  const pid = op.pid ?? 1;
  const proc = own(state.procs, pid);
  if (!proc) return toolError(state, 'pid', `process ${pid} does not exist`);
  const ctx: Ctx = { profile, state, proc };
  switch (op.op) {
    case 'spawn': {
      if (own(state.procs, op.child)) return toolError(state, 'child', `process ${op.child} already exists`);
      if (op.inherit) {
        for (const name in state.handles) {
          if (state.handles[name]!.pid === pid && handleOf(state, inheritedName(name, op.child))) {
            return toolError(state, 'inherit', `the child's copy of ${JSON.stringify(name)} would be ${JSON.stringify(inheritedName(name, op.child))}, which is already open`);
          }
        }
      }
      return spawnOp(ctx, op);
    }
    case 'unshare': return unshareOp(ctx, op);
    case 'chroot': return chrootOp(ctx, op);
    case 'pivotRoot': return pivotRootOp(ctx, op);
    case 'chdir': return chdirOp(ctx, op);
    case 'setuid': return setuidOp(ctx, op);
    case 'exit': return exitOp(ctx);
    case 'mount': return mountOp(ctx, op);
    case 'remount': return remountOp(ctx, op);
    case 'bind': return bindOp(ctx, op);
    case 'move': return moveOp(ctx, op);
    case 'propagate': return propagateOp(ctx, op);
    case 'umount': return umountOp(ctx, op);
    case 'mkdir': return mkdirOp(ctx, op);
    case 'mknod': return mknodOp(ctx, op);
    case 'touch': return touchOp(ctx, op);
    case 'symlink': return symlinkOp(ctx, op);
    case 'unlink': return unlinkOp(ctx, op);
    case 'rename': return renameOp(ctx, op);
    case 'link': return linkOp(ctx, op);
    case 'chmod': return chmodOp(ctx, op);
    case 'chown': return chownOp(ctx, op);
    case 'stat': return statOp(ctx, op);
    case 'readdir': return readdirOp(ctx, op);
    case 'mounts': return mountsOp(ctx, op);
    case 'open':
      if (nameInUse(state, op.as)) return inUse(state, op.as!);
      return openOp(ctx, op);
    case 'peer': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return noHandle(state, pid, op.fd);
      if (nameInUse(state, op.as)) return inUse(state, op.as!);
      return peerOp(ctx, op, h);
    }
    case 'dup': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return noHandle(state, pid, op.fd);
      if (nameInUse(state, op.as)) return inUse(state, op.as!);
      return dupOp(ctx, op, h);
    }
    case 'fstat': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return noHandle(state, pid, op.fd);
      return fstatOp(ctx, op, h);
    }
    case 'unlockpt': {
      const h = ownHandle(state, pid, op.fd);
      if (!h) return noHandle(state, pid, op.fd);
      return unlockptOp(ctx, op, h);
    }
    case 'close':
      if (!ownHandle(state, pid, op.fd)) return noHandle(state, pid, op.fd);
      return closeOp(ctx, op);
    case 'sysctl': return sysctlOp(ctx, op);
  }
}
