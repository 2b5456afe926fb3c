// File descriptors: naming new handles, dup, fstat, and the copies a child inherits.
//
// Names (operations.md): the step's `as`, else fd1, fd2, ... counting successful opens,
// peers and dups of the whole trace and skipping names already in use. Any string is a
// name, "__proto__" and "constructor" included (records.ts `own`, `put`). A descriptor
// names an open file description (`file`); dup and inheritance share it, so a pty end
// is released only when its last descriptor closes (tty_release on the last fput).

import type { Op } from './ops.ts';
import { formatMode } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { nodeAt } from './paths.ts';
import { own, put } from './records.ts';
import { shownGid, shownUid } from './userns.ts';
import type { Handle, KernelState } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

/** The open handle called `name`, whoever holds it (never an Object.prototype member). */
export const handleOf = (state: KernelState, name: string): Handle | undefined => own(state.handles, name);

/**
 * Add a handle under `as` or the next automatic name not in use; counts it for later
 * automatic names. `newFile`: the handle's open file description is new (next.file).
 */
export function addHandle(state: KernelState, as: string | undefined, handle: Handle, newFile = false): { state: KernelState; fd: string } {
  let n = state.next.fd;
  let fd = as;
  if (fd === undefined) {
    while (own(state.handles, `fd${n}`) !== undefined) n++;
    fd = `fd${n}`;
  }
  const next = newFile ? { ...state.next, fd: n + 1, file: state.next.file + 1 } : { ...state.next, fd: n + 1 };
  return { fd, state: { ...state, handles: put(state.handles, fd, handle), next } };
}

/** A fresh open file description number. */
export function newFile(state: KernelState): { state: KernelState; file: number } {
  return { file: state.next.file, state: { ...state, next: { ...state.next, file: state.next.file + 1 } } };
}

/** Does another descriptor share this one's open file description? */
export function sharedFile(state: KernelState, name: string, h: Handle): boolean {
  for (const other in state.handles) if (other !== name && state.handles[other]!.file === h.file) return true;
  return false;
}

/** dup(2): a second descriptor on the same open file description. */
export function dupOp(ctx: Ctx, op: OpOf<'dup'>, h: Handle): Outcome {
  const made = addHandle(ctx.state, op.as, h);
  return done(made.state, { fd: made.fd });
}

/** fstat(2): the inode the descriptor was opened on (a killed slave's too), and the pty index of a pty end. */
export function fstatOp(ctx: Ctx, _op: OpOf<'fstat'>, h: Handle): Outcome {
  const { state, proc } = ctx;
  const node = nodeAt(state, { mount: h.mount, ino: h.ino });
  if (node === null) return fail(state, 'EBADF'); // cannot happen: an open file holds its inode
  return done(state, {
    type: node.type, mode: formatMode(node.attrs.mode), uid: shownUid(proc, node.attrs.uid), gid: shownGid(proc, node.attrs.gid),
    ...(node.rdev ? { rdev: `${node.rdev[0]}:${node.rdev[1]}` } : {}),
    fs: node.devpts ? node.devpts.id : 'other',
    ...(h.kind !== 'file' ? { index: h.index } : {}),
  });
}

/** The names a child gets for its copies of the parent's handles (`NAME@CHILD`). */
export const inheritedName = (name: string, child: number): string => `${name}@${child}`;

/** fork: the child holds a copy of each of the parent's descriptors, sharing the open files. */
export function inheritHandles(state: KernelState, parent: number, child: number): KernelState {
  let handles = state.handles;
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.pid === parent) handles = put(handles, inheritedName(name, child), { ...h, pid: child });
  }
  return handles === state.handles ? state : { ...state, handles };
}
