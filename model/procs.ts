// Processes: spawn (fork / clone with CLONE_NEWNS), unshare (mount and user
// namespaces), setuid, exit; and sysctl.

import type { NsPropagation, Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './collect.ts';
import { inheritHandles } from './fds.ts';
import { totalPtys } from './limits.ts';
import { carried, copyNamespace } from './mount-tree.ts';
import { mountOf, nsRoot, samePos } from './paths.ts';
import { changeTypeTree } from './propagation.ts';
import { closeHandle } from './ptys.ts';
import { profileOf } from './profiles.ts';
import { drop, put } from './records.ts';
import { kernelGid, kernelUid, MAX_USERNS_LEVEL, newUserNs } from './userns.ts';
import type { KernelState, Proc } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

const withProc = (s: KernelState, p: Proc): KernelState => ({ ...s, procs: put(s.procs, p.pid, p) });

/**
 * A new mount namespace for `proc` (copy_mnt_ns: its root and working directory carried
 * to the copies), then what util-linux `unshare -m --propagation P` does to it:
 * `mount --make-rP /` (private by default; "keep"/"unchanged" leave the raw syscall's
 * copy, whose copies of shared mounts are peers of the originals). That needs "/" to be a
 * mount's root (EINVAL otherwise, and util-linux gives up: nothing happens).
 */
function newMountNs(state: KernelState, proc: Proc, propagation: NsPropagation | undefined): { ok: true; state: KernelState; proc: Proc } | { ok: false } {
  const p = propagation ?? 'private';
  const change = p === 'keep' || p === 'unchanged' ? null : p;
  if (change !== null && mountOf(state, proc.root.mount).root !== proc.root.ino) return { ok: false };
  const copy = copyNamespace(state, proc.ns, proc.userns);
  const moved: Proc = { ...proc, ns: copy.ns, root: carried(proc.root, copy.ids), cwd: carried(proc.cwd, copy.ids) };
  // a root detached from the namespace (lazy `umount /`) is not copied: `mount --make-rP /`
  // acts on a mount of no namespace, EINVAL where do_change_type checks (live 6.18)
  if (change !== null && profileOf(copy.state.profile).changeTypeChecksNs && mountOf(copy.state, moved.root.mount).ns !== copy.ns) return { ok: false };
  let s = copy.state;
  if (change !== null) s = changeTypeTree(s, moved.root.mount, change, true);
  return { ok: true, state: s, proc: moved };
}

/**
 * fork, or clone(CLONE_NEWNS): the child inherits uid/gid, user namespace, root, working
 * directory and the (copied) namespace; with `inherit` a copy of each of the parent's
 * handles (`NAME@CHILD`, the same open files), else none.
 */
export function spawnOp(ctx: Ctx, op: OpOf<'spawn'>): Outcome {
  const { state, proc } = ctx;
  // copy_namespaces: CAP_SYS_ADMIN in the task's user namespace
  if (op.newns && !proc.caps) return fail(state, 'EPERM');
  let child: Proc = { ...proc, pid: op.child };
  let s = state;
  if (op.newns) {
    const made = newMountNs(state, child, op.propagation);
    if (!made.ok) return fail(state, 'EINVAL');
    s = made.state;
    child = made.proc;
  }
  s = withProc(s, child);
  if (op.inherit) s = inheritHandles(s, proc.pid, op.child);
  return done(s);
}

/**
 * unshare: with `user` first a new user namespace in which the caller is uid 0 / gid 0
 * with every capability, mapped to its ids outside (`unshare -U -r`); then (`mount`,
 * the default) a new mount namespace owned by the caller's user namespace — copied from
 * a more privileged one, its mounts are locked and shared ones become slaves.
 * EINVAL where the kernel has no CLONE_NEWUSER for unshare (2.6.39, 3.4: QEMU); EPERM
 * for a chrooted caller (create_user_ns: current_chrooted; live 6.18) or, for the mount
 * namespace, without CAP_SYS_ADMIN in its user namespace.
 */
export function unshareOp(ctx: Ctx, op: OpOf<'unshare'>): Outcome {
  const { state, profile } = ctx;
  let proc = ctx.proc;
  let s = state;
  const mount = op.mount ?? true;
  if (op.user) {
    if (!profile.userns) return fail(state, 'EINVAL'); // check_unshare_flags
    if (state.userns[proc.userns]!.level >= MAX_USERNS_LEVEL + 1) return fail(state, 'ENOSPC');
    // current_chrooted: the root differs from the namespace's root (after the mounts stacked on it)
    if (!samePos(proc.root, nsRoot(state, proc.ns))) return fail(state, 'EPERM');
    const made = newUserNs(s, proc);
    s = made.state;
    proc = { ...proc, userns: made.userns, map: made.map, caps: true };
  } else if (mount && !proc.caps) return fail(state, 'EPERM');
  if (mount) {
    const made = newMountNs(s, proc, op.propagation);
    if (!made.ok) return fail(state, 'EINVAL');
    s = made.state;
    proc = made.proc;
  }
  return done(collect(withProc(s, proc)));
}

/**
 * setresuid/setresgid: ids as the caller's user namespace names them (unmapped: EINVAL,
 * before the permission check, live 6.18); only a process with CAP_SETUID there may
 * change identity; a uid other than 0 has no capabilities.
 */
export function setuidOp(ctx: Ctx, op: OpOf<'setuid'>): Outcome {
  const { state, proc } = ctx;
  const uid = kernelUid(proc, op.uid);
  const gid = kernelGid(proc, op.gid ?? op.uid);
  if (uid === null || gid === null) return fail(state, 'EINVAL');
  if (!proc.caps && (uid !== proc.uid || gid !== proc.gid)) return fail(state, 'EPERM');
  return done(withProc(state, { ...proc, uid, gid, caps: proc.caps && op.uid === 0 }));
}

/** exit: every handle closed, the process gone, its namespace gone when it was the last one in it. */
export function exitOp(ctx: Ctx): Outcome {
  let s: KernelState = ctx.state;
  for (const fd in ctx.state.handles) if (ctx.state.handles[fd]!.pid === ctx.proc.pid) s = closeHandle(s, fd);
  return done(collect({ ...s, procs: drop(s.procs, ctx.proc.pid) }));
}

/**
 * /proc/sys/kernel/pty/{max,reserve,nr}: max and reserve are 0644 (writing: EACCES for
 * all but kernel uid 0, range 0..pty_limit_max), nr is 0444 (writing: EACCES even for
 * root, whose DAC override does not add a write bit: proc_sys_permission test_perm).
 * Reading nr gives the ptys allocated now in every instance (pty_count), on 2.6.39 the
 * ptys ever allocated (nothing counts it down).
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
  if (!Number.isInteger(op.value) || op.value < 0 || op.value > profile.sysctlMax) return fail(state, 'EINVAL');
  return done({ ...state, sysctl: { ...state.sysctl, [key]: op.value } });
}

