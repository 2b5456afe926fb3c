// The op handlers, one line per op: a new op is its type in ops.ts and one line here (the
// mode chart, charts/mode.ts, accepts every op of this table in every mode unless a
// mode says otherwise). Handlers assume a well-formed step: TOOL_CHECKS come first.

import type { Op, OpName, ToolError } from './ops.ts';
import type { Ctx, Outcome } from './outcome.ts';
import { bindOp, mountOp, moveOp, remountOp, umountOp } from './mounts.ts';
import { chmodOp, chownOp, mkdirOp, mknodOp, readdirOp, statOp, symlinkOp, touchOp, unlinkOp } from './files.ts';
import { linkOp, renameOp } from './files-links.ts';
import { dupOp, fstatOp, handleOf, inheritedName } from './fds.ts';
import { mountsOp } from './mountinfo.ts';
import { closeOp, openOp, peerOp, unlockptOp } from './ptys.ts';
import { exitOp, setuidOp, spawnOp, sysctlOp, unshareOp } from './procs.ts';
import { propagateOp } from './propagation.ts';
import { own } from './records.ts';
import { chdirOp, chrootOp, pivotRootOp } from './roots.ts';
import type { KernelState } from './state.ts';

type OpOf<N extends OpName> = Extract<Op, { op: N }>;
export type Handler<N extends OpName = OpName> = (ctx: Ctx, op: OpOf<N>) => Outcome;

export const HANDLERS: { readonly [N in OpName]: Handler<N> } = {
  spawn: spawnOp,
  unshare: unshareOp,
  chroot: chrootOp,
  pivotRoot: pivotRootOp,
  chdir: chdirOp,
  setuid: setuidOp,
  exit: exitOp,
  mount: mountOp,
  remount: remountOp,
  bind: bindOp,
  move: moveOp,
  propagate: propagateOp,
  umount: umountOp,
  mkdir: mkdirOp,
  mknod: mknodOp,
  touch: touchOp,
  symlink: symlinkOp,
  unlink: unlinkOp,
  rename: renameOp,
  link: linkOp,
  chmod: chmodOp,
  chown: chownOp,
  stat: statOp,
  readdir: readdirOp,
  mounts: mountsOp,
  open: openOp,
  unlockpt: unlockptOp,
  peer: peerOp,
  close: closeOp,
  dup: (ctx, op) => dupOp(ctx, op, handleOf(ctx.state, op.fd)!),
  fstat: (ctx, op) => fstatOp(ctx, op, handleOf(ctx.state, op.fd)!),
  sysctl: sysctlOp,
};

// ---- steps that are not well-formed (operations.md, "Errors of the tool itself") ----

const problem = (field: string, error: string): ToolError => ({ error, field });
/** The process's open handle `fd`, or a problem (a handle of another process is not its to use). Any string is a name. */
const ownHandle = (s: KernelState, pid: number, fd: string): ToolError | null =>
  handleOf(s, fd)?.pid === pid ? null : problem('fd', `process ${pid} has no open handle ${JSON.stringify(fd)}`);
const freeName = (s: KernelState, as: string | undefined): ToolError | null =>
  as !== undefined && handleOf(s, as) ? problem('as', `handle ${JSON.stringify(as)} is already open`) : null;
/** spawn with inherit: the child's copies are named NAME@CHILD; none may be in use already. */
function inheritedFree(s: KernelState, pid: number, child: number): ToolError | null {
  for (const name in s.handles) {
    if (s.handles[name]!.pid === pid && handleOf(s, inheritedName(name, child))) {
      return problem('inherit', `the child's copy of ${JSON.stringify(name)} would be ${JSON.stringify(inheritedName(name, child))}, which is already open`);
    }
  }
  return null;
}

/** Names a step must (not) find, checked before any handler; one line per op that names processes or handles. */
export const TOOL_CHECKS: { readonly [N in OpName]?: (state: KernelState, pid: number, op: OpOf<N>) => ToolError | null } = {
  spawn: (s, pid, op) => (own(s.procs, op.child) ? problem('child', `process ${op.child} already exists`) : op.inherit ? inheritedFree(s, pid, op.child) : null),
  open: (s, _pid, op) => freeName(s, op.as),
  peer: (s, pid, op) => ownHandle(s, pid, op.fd) ?? freeName(s, op.as),
  dup: (s, pid, op) => ownHandle(s, pid, op.fd) ?? freeName(s, op.as),
  fstat: (s, pid, op) => ownHandle(s, pid, op.fd),
  unlockpt: (s, pid, op) => ownHandle(s, pid, op.fd),
  close: (s, pid, op) => ownHandle(s, pid, op.fd),
};

/** The tool error of a step, or null when it is well-formed for this state (no such process, or a TOOL_CHECKS problem). */
export function toolProblem(state: KernelState, op: Op): ToolError | null {
  const pid = op.pid ?? 1;
  if (!own(state.procs, pid)) return problem('pid', `process ${pid} does not exist`);
  const check = TOOL_CHECKS[op.op] as ((s: KernelState, pid: number, op: Op) => ToolError | null) | undefined;
  return check === undefined ? null : check(state, pid, op);
}
