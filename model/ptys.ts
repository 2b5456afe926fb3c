// Opening files and ptys: ptmx opens (instance choice from the profile), slave opens,
// unlockpt, TIOCGPTPEER, close. Index lifetime per tty_release / pty_unix98_remove.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './mounts.ts';
import { DEVPTS_ROOT_INO, R, W, mountOf, nodeAt, permits, resolve, slaveIno, type Pos } from './paths.ts';
import { siblingPts } from './instances.ts';
import { ptyNext, type PtyEventType } from './charts/pty.ts';
import { drop, put } from './records.ts';
import type { DevptsFs, Handle, KernelState, MountId, Pty } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

function addHandle(state: KernelState, as: string | undefined, handle: Handle): { state: KernelState; fd: string } {
  const fd = as ?? `fd${state.next.fd}`;
  return { fd, state: { ...state, handles: put(state.handles, fd, handle), next: { ...state.next, fd: state.next.fd + 1 } } };
}

function setPty(state: KernelState, fs: DevptsFs, index: number, pty: Pty | null): KernelState {
  const ptys = pty === null ? drop(fs.ptys, index) : put(fs.ptys, index, pty);
  return { ...state, fss: put(state.fss, fs.id, { ...fs, ptys }) };
}

/** open(path, O_RDWR|O_NOCTTY). */
export function openOp(ctx: Ctx, op: OpOf<'open'>): Outcome {
  const { state, proc, profile } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  const { pos, node } = r;
  if (node.type === 'dir') return fail(state, 'EISDIR');
  // may_open: read/write permission on the opened inode (root passes, K7); nodev mounts: EACCES
  if (!permits(node.attrs, proc, R | W)) return fail(state, 'EACCES');
  const m = mountOf(state, pos.mount);
  if (node.type === 'reg') {
    return opened(state, op.as, { pid: proc.pid, kind: 'file', fs: m.fs, mount: m.id, ino: pos.ino }, {});
  }
  if (m.flags.includes('nodev')) return fail(state, 'EACCES');
  const [major, minor] = node.rdev!;
  if (major === 5 && minor === 2) {
    // ptmx_open: the profile decides the instance, then devpts_new_index the index [D7, K8]
    const where = profile.ptmxInstance(state, pos, node);
    if (!where.ok) return fail(state, where.errno);
    const fs = state.fss[where.fs] as DevptsFs;
    const alloc = profile.allocateIndex(state, fs);
    if (!alloc.ok) return fail(state, alloc.errno);
    // devpts_pty_new: owner from uid=/gid= or the opener's fsuid/fsgid, mode from mode= now
    const pty: Pty = {
      masterOpen: true, slaveOpens: 0, locked: true, // ptmx_open sets TTY_PTY_LOCK
      node: { mode: fs.opts.mode, uid: fs.opts.uid ?? proc.uid, gid: fs.opts.gid ?? proc.gid },
    };
    const counted = profile.nrCountsDown ? state : { ...state, sysctl: { ...state.sysctl, allocated: (state.sysctl.allocated ?? 0) + 1 } };
    const withPty = setPty(counted, fs, alloc.index, pty);
    return opened(withPty, op.as, { pid: proc.pid, kind: 'master', fs: fs.id, index: alloc.index, mount: m.id, ino: pos.ino }, { index: alloc.index });
  }
  if (major === 136 && node.devpts) {
    const index = minor;
    return openSlave(state, proc.pid, op.as, node.devpts, index, m.id, pos);
  }
  // a c 136:N node outside devpts has no tty (devpts_get_tty fails): EIO; other devices: ENXIO
  return fail(state, major === 136 ? 'EIO' : 'ENXIO');
}

function opened(state: KernelState, as: string | undefined, handle: Handle, values: { index?: number }): Outcome {
  const made = addHandle(state, as, handle);
  return done(made.state, { fd: made.fd, ...values });
}

/** The pty chart (charts/pty.ts) applied to pty `index` of `fs`: the new state, or null when the chart refuses the event. */
function ptyEvent(state: KernelState, fs: DevptsFs, index: number, event: PtyEventType): KernelState | null {
  const next = ptyNext(fs.ptys[index]!, event);
  return next === undefined ? null : setPty(state, fs, index, next);
}

/** pty_open: the pty chart refuses a slave open while locked (before unlockpt) or hung up (master closed): EIO. */
function openSlave(state: KernelState, pid: number, as: string | undefined, fs: DevptsFs, index: number, mount: MountId, pos: Pos): Outcome {
  const next = fs.ptys[index] ? ptyEvent(state, fs, index, 'openSlave') : null;
  if (next === null) return fail(state, 'EIO');
  return opened(next, as, { pid, kind: 'slave', fs: fs.id, index, mount, ino: pos.ino }, {});
}

/** ioctl(TIOCSPTLCK, 0) on a master; other files: ENOTTY. */
export function unlockptOp(ctx: Ctx, op: OpOf<'unlockpt'>): Outcome {
  const { state } = ctx;
  const h = state.handles[op.fd]!;
  if (h.kind !== 'master') return fail(state, 'ENOTTY');
  return done(ptyEvent(state, state.fss[h.fs] as DevptsFs, h.index, 'unlockpt')!);
}

/** ioctl(TIOCGPTPEER) (4.13+; older kernels: the mode chart answers EINVAL): the slave, through the mount devpts_mntget finds. [K9] */
export function peerOp(ctx: Ctx, op: OpOf<'peer'>): Outcome {
  const { state, proc } = ctx;
  const h = state.handles[op.fd]!;
  if (h.kind === 'file') return fail(state, 'ENOTTY');
  if (h.kind === 'slave') return fail(state, 'EIO'); // ptm_open_peer: tty->driver != ptm_driver
  const found = devptsMntget(state, h.mount, h.ino, h.fs);
  if (!found.ok) return fail(state, found.errno);
  const fs = state.fss[h.fs] as DevptsFs;
  return openSlave(state, proc.pid, op.as, fs, h.index, found.mount, { mount: found.mount, ino: slaveIno(h.index) });
}

/**
 * devpts_mntget (6.x): walk up while the start is the root of a mount (a bind of one
 * file); if that is not the master's instance, look at the sibling `pts`; anything but
 * the master's own instance is ENODEV (live 6.x S2f, S5a, S5f, S8).
 */
function devptsMntget(state: KernelState, mount: MountId, ino: number, fsId: string): { ok: true; mount: MountId } | { ok: false; errno: 'ENODEV' | 'ENOENT' } {
  let pos: Pos = { mount, ino };
  for (let m = mountOf(state, pos.mount); m.root === pos.ino && m.parent !== null; m = mountOf(state, pos.mount)) {
    pos = { mount: m.parent, ino: m.mountpoint }; // follow_up
  }
  if (mountOf(state, pos.mount).fs === fsId) return { ok: true, mount: pos.mount };
  const node = nodeAt(state, pos);
  const sibling = siblingPts(state, pos, node ? node.parent : DEVPTS_ROOT_INO);
  if (!sibling.ok) return { ok: false, errno: sibling.errno as 'ENODEV' | 'ENOENT' };
  if (sibling.fs !== fsId) return { ok: false, errno: 'ENODEV' };
  return { ok: true, mount: sibling.mount! };
}

/** close: by the pty chart, a master's slave node disappears at once; the index is freed when both ends are closed. [K6] */
export function closeHandle(state: KernelState, fd: string): KernelState {
  const h = state.handles[fd]!;
  let s: KernelState = { ...state, handles: drop(state.handles, fd) };
  if (h.kind !== 'file') {
    const next = ptyEvent(s, s.fss[h.fs] as DevptsFs, h.index, h.kind === 'master' ? 'closeMaster' : 'closeSlave');
    if (next === null) throw new Error(`model: the pty chart refuses closing the ${h.kind} of ${h.fs}/${h.index}`);
    s = next;
  }
  return collect(s);
}

export function closeOp(ctx: Ctx, op: OpOf<'close'>): Outcome {
  return done(closeHandle(ctx.state, op.fd));
}
