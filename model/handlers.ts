// The op handlers, one line per op: a new op is its type in ops.ts and one line here (the
// mode chart, charts/mode.ts, accepts every op of this table in every mode unless a
// mode says otherwise). Handlers assume a well-formed step: TOOL_CHECKS come first.

import type { Op, OpName, ToolError } from './ops.ts';
import type { Ctx, Outcome } from './outcome.ts';
import { bindOp, mountOp, remountOp, umountOp } from './mounts.ts';
import { chmodOp, chownOp, mkdirOp, mknodOp, readdirOp, statOp, symlinkOp, touchOp, unlinkOp } from './files.ts';
import { closeOp, openOp, peerOp, unlockptOp } from './ptys.ts';
import { exitOp, setuidOp, spawnOp, sysctlOp, unshareOp } from './procs.ts';
import type { KernelState } from './state.ts';

type OpOf<N extends OpName> = Extract<Op, { op: N }>;
export type Handler<N extends OpName = OpName> = (ctx: Ctx, op: OpOf<N>) => Outcome;

/** An op of the vocabulary the model does not implement yet: a tool error, never a kernel result. */
function notModelled(ctx: Ctx, op: Op): Outcome {
  return { state: ctx.state, result: { error: `op "${op.op}" is in the vocabulary but not modelled yet`, field: 'op' } };
}

export const HANDLERS: { readonly [N in OpName]: Handler<N> } = {
  spawn: spawnOp,
  unshare: unshareOp,
  setuid: setuidOp,
  exit: exitOp,
  mount: mountOp,
  remount: remountOp,
  bind: bindOp,
  umount: umountOp,
  mkdir: mkdirOp,
  mknod: mknodOp,
  touch: touchOp,
  symlink: symlinkOp,
  unlink: unlinkOp,
  chmod: chmodOp,
  chown: chownOp,
  stat: statOp,
  readdir: readdirOp,
  open: openOp,
  unlockpt: unlockptOp,
  peer: peerOp,
  close: closeOp,
  sysctl: sysctlOp,
  // in the vocabulary (operations.md), modelled by issue 13's work: until then a tool error
  chroot: notModelled, pivotRoot: notModelled, chdir: notModelled, move: notModelled, propagate: notModelled,
  rename: notModelled, link: notModelled, mounts: notModelled, dup: notModelled, fstat: notModelled,
};

// ---- steps that are not well-formed (operations.md, "Errors of the tool itself") ----

const problem = (field: string, error: string): ToolError => ({ error, field });
/** The process's open handle `fd`, or a problem (a handle of another process is not its to use). */
const ownHandle = (s: KernelState, pid: number, fd: string): ToolError | null =>
  s.handles[fd]?.pid === pid ? null : problem('fd', `process ${pid} has no open handle "${fd}"`);
const freeName = (s: KernelState, as: string | undefined): ToolError | null =>
  as !== undefined && s.handles[as] ? problem('as', `handle "${as}" is already open`) : null;

/** Names a step must (not) find, checked before any handler; one line per op that names processes or handles. */
export const TOOL_CHECKS: { readonly [N in OpName]?: (state: KernelState, pid: number, op: OpOf<N>) => ToolError | null } = {
  spawn: (s, _pid, op) => (s.procs[op.child] ? problem('child', `process ${op.child} already exists`) : null),
  open: (s, _pid, op) => freeName(s, op.as),
  peer: (s, pid, op) => ownHandle(s, pid, op.fd) ?? freeName(s, op.as),
  unlockpt: (s, pid, op) => ownHandle(s, pid, op.fd),
  close: (s, pid, op) => ownHandle(s, pid, op.fd),
};

/** The tool error of a step, or null when it is well-formed for this state (no such process, or a TOOL_CHECKS problem). */
export function toolProblem(state: KernelState, op: Op): ToolError | null {
  const pid = op.pid ?? 1;
  if (!state.procs[pid]) return problem('pid', `process ${pid} does not exist`);
  const check = TOOL_CHECKS[op.op] as ((s: KernelState, pid: number, op: Op) => ToolError | null) | undefined;
  return check === undefined ? null : check(state, pid, op);
}
