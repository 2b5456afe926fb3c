// Opening files and ptys: ptmx opens (instance choice from the profile), slave opens,
// the memory devices and the console, unlockpt, TIOCGPTPEER, close. Index lifetime per
// tty_release / pty_unix98_remove; a slave node's lifetime per devpts_pty_kill.

import type { Op } from './ops.ts';
import { done, fail, type Ctx, type Outcome } from './outcome.ts';
import { collect } from './collect.ts';
import { addHandle, handleOf, sharedFile } from './fds.ts';
import { DEAD_SLAVE_INO, DEVPTS_ROOT_INO, R, W, mountOf, nodeAt, permits, resolve, slaveIno, type Pos } from './paths.ts';
import { siblingPts } from './instances.ts';
import { mountReadonlyAt, sbReadonlyAt } from './readonly.ts';
import { ptyNext, type PtyEventType } from './charts/pty.ts';
import { drop, put } from './records.ts';
import type { DevptsFs, Handle, KernelState, MountId, Pty } from './state.ts';

type OpOf<N extends Op['op']> = Extract<Op, { op: N }>;

function setPty(state: KernelState, fs: DevptsFs, index: number, pty: Pty | null): KernelState {
  const ptys = pty === null ? drop(fs.ptys, index) : put(fs.ptys, index, pty);
  return { ...state, fss: put(state.fss, fs.id, { ...fs, ptys }) };
}

/**
 * Devices that open without a pty behind them: the memory devices (1:3 null, 1:5 zero,
 * 1:7 full, 1:8 random, 1:9 urandom) and the console (5:1). /dev/tty (5:0) needs a
 * controlling terminal, which no process of the model has: ENXIO (tty_open_current_tty;
 * live 6.18 after setsid). Anything else has no driver here: ENXIO.
 */
const OPENABLE = new Set(['1:3', '1:5', '1:7', '1:8', '1:9', '5:1']);

/** open(path, O_RDWR|O_NOCTTY). */
export function openOp(ctx: Ctx, op: OpOf<'open'>): Outcome {
  const { state, proc, profile } = ctx;
  const r = resolve(state, proc, op.path);
  if (!r.ok) return fail(state, r.errno);
  const { pos, node } = r;
  if (node.type === 'dir') return fail(state, 'EISDIR'); // may_open: a directory for writing
  const m = mountOf(state, pos.mount);
  const fsOf = state.fss[m.fs]!;
  if (node.type === 'reg') {
    // inode_permission: a read-only superblock is EROFS before the permission check; a
    // read-only mount is EROFS after it (do_dentry_open → mnt_get_write_access). live 6.18
    if (sbReadonlyAt(state, pos)) return fail(state, 'EROFS');
    if (!permits(node.attrs, proc, R | W)) return fail(state, 'EACCES');
    if (mountReadonlyAt(state, pos)) return fail(state, 'EROFS');
    return opened(state, op.as, { pid: proc.pid, kind: 'file', fs: m.fs, mount: m.id, ino: pos.ino }, {});
  }
  // may_open: a device on a nodev mount, or on a superblock of a non-initial user namespace
  // (SB_I_NODEV, alloc_super 6.x; devpts clears it), is EACCES before the permission check
  if (node.rdev === null) return fail(state, 'ENXIO');
  if (m.flags.includes('nodev') || (fsOf.kind === 'plain' && fsOf.nodev)) return fail(state, 'EACCES');
  // may_open: read/write permission on the opened inode (root passes, K7)
  if (!permits(node.attrs, proc, R | W)) return fail(state, 'EACCES');
  const [major, minor] = node.rdev;
  if (major === 5 && minor === 2) {
    // ptmx_open: the profile decides the instance, then devpts_new_index the index [D7, K8]
    const where = profile.ptmxInstance(state, pos, node, r.dir.ino);
    if (!where.ok) return fail(state, where.errno);
    const fs = state.fss[where.fs] as DevptsFs;
    const alloc = profile.allocateIndex(state, fs);
    if (!alloc.ok) return fail(state, alloc.errno);
    // devpts_pty_new: owner from uid=/gid= or the opener's fsuid/fsgid, mode from mode= now
    const pty: Pty = {
      masterOpen: true, slaveOpens: 0, locked: true, // ptmx_open sets TTY_PTY_LOCK
      node: { mode: fs.opts.mode, uid: fs.opts.uid ?? proc.uid, gid: fs.opts.gid ?? proc.gid },
    };
    const ptys = put(fs.ptys, alloc.index, pty);
    // 2.6.39: pty_unix98_install counts kernel.pty.nr up, and nothing counts it down
    const withPty: KernelState = profile.nrCountsDown
      ? { ...state, fss: put(state.fss, fs.id, { ...fs, ptys }) }
      : { ...state, fss: put(state.fss, fs.id, { ...fs, ptys }), sysctl: { ...state.sysctl, allocated: (state.sysctl.allocated ?? 0) + 1 } };
    return opened(withPty, op.as, { pid: proc.pid, kind: 'master', fs: fs.id, index: alloc.index, mount: m.id, ino: pos.ino, dir: r.dir.ino }, { index: alloc.index });
  }
  if (major === 136 && node.devpts) {
    // a killed slave node held by a mount: its tty is gone (pty_open: EIO; live 6.18)
    if (pos.ino >= DEAD_SLAVE_INO) return fail(state, 'EIO');
    return openSlave(state, proc.pid, op.as, node.devpts, minor, m.id, pos);
  }
  if (OPENABLE.has(`${major}:${minor}`)) return opened(state, op.as, { pid: proc.pid, kind: 'file', fs: m.fs, mount: m.id, ino: pos.ino }, {});
  // a c 136:N node outside devpts has no tty (devpts_get_tty fails): EIO; other devices: ENXIO
  return fail(state, major === 136 ? 'EIO' : 'ENXIO');
}

type WithoutFile<T> = T extends unknown ? Omit<T, 'file'> : never;

function opened(state: KernelState, as: string | undefined, handle: WithoutFile<Handle>, values: { index?: number }): Outcome {
  const made = addHandle(state, as, { ...handle, file: state.next.file } as Handle, true);
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
  const h = handleOf(state, op.fd)!;
  if (h.kind !== 'master') return fail(state, 'ENOTTY');
  return done(ptyEvent(state, state.fss[h.fs] as DevptsFs, h.index, 'unlockpt')!);
}

/** ioctl(TIOCGPTPEER) (4.13+; older kernels: the mode chart answers EINVAL): the slave, through the mount devpts_mntget finds. [K9] */
export function peerOp(ctx: Ctx, op: OpOf<'peer'>): Outcome {
  const { state, proc } = ctx;
  const h = handleOf(state, op.fd)!;
  if (h.kind === 'file') return fail(state, 'ENOTTY');
  if (h.kind === 'slave') return fail(state, 'EIO'); // ptm_open_peer: tty->driver != ptm_driver
  const found = devptsMntget(state, h.mount, h.ino, h.dir, h.fs);
  if (!found.ok) return fail(state, found.errno);
  const fs = state.fss[h.fs] as DevptsFs;
  return openSlave(state, proc.pid, op.as, fs, h.index, found.mount, { mount: found.mount, ino: slaveIno(h.index) });
}

/**
 * devpts_mntget (K6): walk up while the start is the root of a mount (a bind of one
 * file); if that is not the master's instance, look at the sibling `pts` of the opened
 * name (dget_parent); anything but the master's own instance is ENODEV (live 6.x S2f,
 * S5a, S5f, S8).
 */
function devptsMntget(state: KernelState, mount: MountId, ino: number, dir: number, fsId: string): { ok: true; mount: MountId } | { ok: false; errno: 'ENODEV' | 'ENOENT' } {
  let pos: Pos = { mount, ino };
  let parent = dir;
  for (let m = mountOf(state, pos.mount); m.root === pos.ino && m.parent !== null; m = mountOf(state, pos.mount)) {
    pos = { mount: m.parent, ino: m.mountpoint }; // follow_up
    parent = nodeAt(state, pos)?.parent ?? DEVPTS_ROOT_INO;
  }
  if (mountOf(state, pos.mount).fs === fsId) return { ok: true, mount: pos.mount };
  const sibling = siblingPts(state, pos, parent);
  if (!sibling.ok) return { ok: false, errno: sibling.errno as 'ENODEV' | 'ENOENT' };
  if (sibling.fs !== fsId) return { ok: false, errno: 'ENODEV' };
  return { ok: true, mount: sibling.mount! };
}

/**
 * devpts_pty_kill when the master closes: the slave's name goes at once, its inode lives
 * on while a mount stands on it or is a bind of it, or an open slave holds it (live
 * 6.18: stat through such a bind works, opening it is EIO, a read-only remount of the
 * instance is EBUSY). It gets an inode number of its own, so a new pty that reuses the
 * index is a different node: the old bind does not open it, a mount on the old node is
 * not on the new one.
 */
function killSlaveNode(state: KernelState, fs: DevptsFs, index: number, pty: Pty): KernelState {
  const ino = slaveIno(index);
  let held = false;
  for (const id in state.mounts) {
    const m = state.mounts[id]!;
    if ((m.fs === fs.id && m.root === ino) || (m.mountpoint === ino && onFs(state, m.parent, fs.id))) { held = true; break; }
  }
  if (!held) for (const name in state.handles) { const h = state.handles[name]!; if (h.ino === ino && onFs(state, h.mount, fs.id)) { held = true; break; } }
  if (!held || pty.node === null) return state;
  let dead = DEAD_SLAVE_INO;
  if (fs.dead) for (const k in fs.dead) dead = Math.max(dead, Number(k) + 1);
  let mounts = state.mounts;
  for (const id in state.mounts) {
    const m = state.mounts[id]!;
    if (m.fs === fs.id && m.root === ino) mounts = put(mounts, id, { ...mounts[id]!, root: dead });
    if (m.mountpoint === ino && onFs(state, m.parent, fs.id)) mounts = put(mounts, id, { ...mounts[id]!, mountpoint: dead });
  }
  let handles = state.handles;
  for (const name in state.handles) {
    const h = state.handles[name]!;
    if (h.ino === ino && onFs(state, h.mount, fs.id)) handles = put(handles, name, { ...h, ino: dead });
  }
  const withDead: DevptsFs = { ...(state.fss[fs.id] as DevptsFs), dead: { ...(fs.dead ?? {}), [dead]: { index, attrs: pty.node } } };
  return { ...state, mounts, handles, fss: put(state.fss, fs.id, withDead) };
}
/** Is mount `id` (if any) a mount of filesystem `fsId`? */
const onFs = (state: KernelState, id: MountId | null, fsId: string): boolean => id !== null && state.mounts[id]?.fs === fsId;

/** close: by the pty chart, a master's slave node disappears at once; the index is freed when both ends are closed. [K6] */
export function closeHandle(state: KernelState, fd: string): KernelState {
  const h = handleOf(state, fd)!;
  let s: KernelState = { ...state, handles: drop(state.handles, fd) };
  // another descriptor of the same open file keeps it open (dup, inherited copies)
  if (sharedFile(state, fd, h)) return s;
  if (h.kind !== 'file') {
    // the killed node's inode first (its references renumbered), then the pty chart's close
    if (h.kind === 'master') s = killSlaveNode(s, s.fss[h.fs] as DevptsFs, h.index, (s.fss[h.fs] as DevptsFs).ptys[h.index]!);
    const next = ptyEvent(s, s.fss[h.fs] as DevptsFs, h.index, h.kind === 'master' ? 'closeMaster' : 'closeSlave');
    if (next === null) throw new Error(`model: the pty chart refuses closing the ${h.kind} of ${h.fs}/${h.index}`);
    s = next;
  }
  return collect(s);
}

export function closeOp(ctx: Ctx, op: OpOf<'close'>): Outcome {
  return done(closeHandle(ctx.state, op.fd));
}
