// devtmpfs: one kernel-wide instance (like the =n devpts), whatever mounts it. It holds
// ptmx (c 5:2, 0666), tty (c 5:0, 0666), console (c 5:1, 0600), null (c 1:3, 0666),
// zero (c 1:5, 0666) and the pts directory init made (live 6.18: the host's devtmpfs,
// mounted afresh in a private namespace, shows exactly these with these modes, all 0:0).
// Mounting devtmpfs inside a container therefore shows the host's /dev: the live
// harness never writes into it.

import type { MountFlag } from './ops.ts';
import type { Ctx } from './outcome.ts';
import { busyForReadonly } from './readonly.ts';
import { put } from './records.ts';
import { capableInInit } from './userns.ts';
import type { KernelState, PlainFs } from './state.ts';

export const DEVTMPFS_ID = 'devtmpfs';

/** The kernel's devtmpfs at boot (devtmpfs_setup + what init adds: the pts directory). */
export function devtmpfsAtBoot(ptmxMode: number): PlainFs {
  const chr = (mode: number, major: number, minor: number) => ({ type: 'chr' as const, mode, uid: 0, gid: 0, parent: 1, major, minor });
  return {
    kind: 'plain', id: DEVTMPFS_ID, fstype: 'devtmpfs', nextIno: 8,
    inodes: {
      1: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: { ptmx: 2, tty: 3, console: 4, null: 5, zero: 6, pts: 7 } },
      2: chr(ptmxMode, 5, 2), 3: chr(0o666, 5, 0), 4: chr(0o600, 5, 1), 5: chr(0o666, 1, 3), 6: chr(0o666, 1, 5),
      7: { type: 'dir', mode: 0o755, uid: 0, gid: 0, parent: 1, entries: {} },
    },
  };
}

export type DevtmpfsMount = { readonly ok: true; readonly state: KernelState } | { readonly ok: false; readonly errno: 'EINVAL' | 'EPERM' | 'EBUSY'; readonly state?: KernelState };

/**
 * What `mount -t devtmpfs` does to the one superblock before it is attached.
 * 6.x (devtmpfs_get_tree): the data is parsed by shmem (a bad option is EINVAL, live
 * 6.18), the type has no FS_USERNS_MOUNT (EPERM outside the initial user namespace, live
 * 6.18), then the existing superblock is attached as it is: options and MS_RDONLY do not
 * touch it (code reading; not tried live, as it would be the host's /dev).
 * 2.6.39 / 3.4 (dev_mount → mount_single): the superblock is remounted with the mount's
 * flags and data, and the result of that is ignored: the mount succeeds even with bad
 * options, and a read-only mount makes every mount of devtmpfs read-only (code reading,
 * to confirm on QEMU). 5.x to 6.1 (public_dev_mount → reconfigure_single): the same
 * remount after the capability check (do_new_mount's mount_capable), but its error fails
 * the mount (code reading, to confirm on QEMU).
 */
export function mountDevtmpfs(ctx: Ctx, data: string | undefined, flags: readonly MountFlag[]): DevtmpfsMount {
  const { state, proc, profile } = ctx;
  const fs = state.fss[state.devtmpfs] as PlainFs;
  if (profile.devtmpfsMount === 'attach') {
    if (!profile.parseTmpfs(data, 'mount').ok) return { ok: false, errno: 'EINVAL' };
    if (!capableInInit(proc)) return { ok: false, errno: 'EPERM' };
    return { ok: true, state };
  }
  if (!capableInInit(proc)) return { ok: false, errno: 'EPERM' };
  const checked = profile.devtmpfsMount === 'reconfigure';
  // do_remount_sb(sb, flags, data): shmem_remount_fs parses the data first; a failure leaves the sb as it is
  if (!profile.parseTmpfs(data, 'remount').ok) return checked ? { ok: false, errno: 'EINVAL' } : { ok: true, state };
  const readonly = flags.includes('ro');
  if (readonly === (fs.readonly ?? false)) return { ok: true, state };
  if (readonly && busyForReadonly(state, fs, profile.removeCount)) return checked ? { ok: false, errno: 'EBUSY' } : { ok: true, state }; // EBUSY, ignored by mount_single
  const { readonly: _was, ...rest } = fs;
  return { ok: true, state: { ...state, fss: put(state.fss, fs.id, readonly ? { ...rest, readonly } : rest) } };
}
