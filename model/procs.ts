// Processes: spawn (fork / clone with CLONE_NEWNS), unshare, setuid, exit; and sysctl.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect, copyNamespace } from './mounts.ts';
import { closeHandle } from './ptys.ts';
import { NR_UNIX98_PTY_MAX } from './options.ts';
import { totalPtys } from './limits.ts';
import { drop, put } from './records.ts';
import type { KernelState } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** fork, or clone(CLONE_NEWNS): the child inherits uid/gid and the (copied) namespace, no handles. */
export function spawnOp(ctx: Ctx, op: OpOf<'spawn'>): Outcome {
  const { state, proc } = ctx;
  if (op.newns && proc.uid !== 0) return fail(state, 'EPERM'); // CLONE_NEWNS needs CAP_SYS_ADMIN
  let s = state;
  let ns = proc.ns;
  if (op.newns) ({ state: s, ns } = copyNamespace(state, proc.ns));
  return done({ ...s, procs: put(s.procs, op.child, { pid: op.child, uid: proc.uid, gid: proc.gid, ns }) });
}

/** unshare(CLONE_NEWNS): the caller moves to a private copy; its open files stay where they are. */
export function unshareOp(ctx: Ctx): Outcome {
  const { state, proc } = ctx;
  if (proc.uid !== 0) return fail(state, 'EPERM');
  const copy = copyNamespace(state, proc.ns);
  return done(collect({ ...copy.state, procs: put(copy.state.procs, proc.pid, { ...proc, ns: copy.ns }) }));
}

/** setresuid/setresgid: only root may change identity; a non-root uid has no capabilities. */
export function setuidOp(ctx: Ctx, op: OpOf<'setuid'>): Outcome {
  const { state, proc } = ctx;
  const gid = op.gid ?? op.uid;
  if (proc.uid !== 0 && (op.uid !== proc.uid || gid !== proc.gid)) return fail(state, 'EPERM');
  return done({ ...state, procs: put(state.procs, proc.pid, { ...proc, uid: op.uid, gid }) });
}

/** exit: every handle closed, the process gone, its namespace gone when it was the last one in it. */
export function exitOp(ctx: Ctx): Outcome {
  let s: KernelState = ctx.state;
  for (const fd in ctx.state.handles) if (ctx.state.handles[fd]!.pid === ctx.proc.pid) s = closeHandle(s, fd);
  return done(collect({ ...s, procs: drop(s.procs, ctx.proc.pid) }));
}

/**
 * /proc/sys/kernel/pty/{max,reserve,nr}: max and reserve are 0644 (writing: EACCES for
 * non-root, range 0..NR_UNIX98_PTY_MAX), nr is 0444 (writing: EACCES even for root, whose
 * DAC override does not add a write bit: proc_sys_permission test_perm). Reading nr gives
 * the ptys allocated in every instance (pty_count; 2.6.39 counts up only).
 */
export function sysctlOp(ctx: Ctx, op: OpOf<'sysctl'>): Outcome {
  const { state, proc, profile } = ctx;
  const known = op.name === 'kernel.pty.max' || op.name === 'kernel.pty.nr' || (op.name === 'kernel.pty.reserve' && profile.reserveSysctl);
  if (!known) return fail(state, 'ENOENT'); // no such sysctl in this kernel
  if (op.value === undefined) {
    const nr = profile.nrCountsDown ? totalPtys(state) : state.sysctl.allocated ?? 0; // 2.6.39: counts up only
    const value = op.name === 'kernel.pty.max' ? state.sysctl.max : op.name === 'kernel.pty.reserve' ? state.sysctl.reserve : nr;
    return done(state, { value });
  }
  if (op.name === 'kernel.pty.nr' || proc.uid !== 0) return fail(state, 'EACCES');
  const key = op.name === 'kernel.pty.max' ? 'max' : 'reserve';
  if (!Number.isInteger(op.value) || op.value < 0 || op.value > NR_UNIX98_PTY_MAX) return fail(state, 'EINVAL');
  return done({ ...state, sysctl: { ...state.sysctl, [key]: op.value } });
}
