// THE ONE PLACE FOR THE STATE COUNTS of the scopes `small` and `world` (asserted by
// counts.test.ts, used by the bench test). When the model changes on purpose, say why below.

import type { ProfileId } from '../../model/index.ts';

/**
 * distinct states and transitions of scope `small` at its depth bound (exact keys).
 * History of deliberate changes:
 * - K11 (do_add_mount refuses the same superblock on the same mount point): on 2.6.39/3.4 a
 *   devpts mount onto a mount point of the instance it attaches no longer stacks a second
 *   mount, it answers EBUSY: 2.6.39-n 1,302 → 797, 2.6.39-y and 3.4-y 8,955 → 7,138 states.
 *   6.x is unchanged (every mount is a new superblock).
 * - QEMU 2.6.39.4 =y (issue 11): before 3.18, unlink of a name another namespace has mounted
 *   on is EBUSY (vfs_unlink d_mountpoint) instead of detaching that mount: 2.6.39-y and 3.4-y
 *   7,138 → 7,137 states. The 4.4 profiles (3.18's rule) keep 3.4's and 2.6.39-n's spaces.
 * - Issue 13 (roots and working directories, user namespaces, propagation, devtmpfs, shared
 *   open files, killed slave inodes, the root filesystem mounted on rootfs): unchanged. The
 *   scope has none of the new ops, and the new state each process and mount carries is the
 *   same in all of its states (root = cwd = /, the initial user namespace, private mounts),
 *   so the canonical key merges exactly what it merged before; mountinfo order is left out of
 *   the key because the scope has no `mounts` (explore/canon.ts CanonOptions).
 */
export const SMALL_COUNTS: Readonly<Record<ProfileId, { distinct: number; transitions: number; levels: number[] }>> = {
  '2.6.39-n': { distinct: 797, transitions: 5876, levels: [1, 8, 40, 161, 587] },
  '2.6.39-y': { distinct: 7137, transitions: 25817, levels: [1, 13, 112, 853, 6158] },
  '3.4-y': { distinct: 7137, transitions: 25817, levels: [1, 13, 112, 853, 6158] },
  '4.4-n': { distinct: 797, transitions: 5876, levels: [1, 8, 40, 161, 587] },
  '4.4-y': { distinct: 7138, transitions: 25817, levels: [1, 13, 112, 853, 6159] },
  '6.1': { distinct: 6698, transitions: 24563, levels: [1, 13, 107, 800, 5777] },
  '6.x': { distinct: 6698, transitions: 24563, levels: [1, 13, 107, 800, 5777] },
};

/**
 * distinct states and transitions of scope `world` (explore/scope.ts WORLD: issue 13's new
 * ops in a small alphabet) at its depth bound, exact keys, invariants on. New with issue 13.
 * 4.4 has user namespaces (`unshare -U -r -m` succeeds, a tmpfs mounted there is nodev with
 * the flag locked) where 2.6.39 and 3.4 answer EINVAL; 6.1 differs from 6.x in nothing this
 * scope reaches. The kernels' answers on the harness (live 6.18, QEMU 2.6.39.4, 3.4.113,
 * 4.4.178) changed the model in ways this scope sees: a non-owner's chown that would drop
 * setuid is EPERM, 2.6.39 may go read-only while only a mount holds an unlinked inode,
 * mounting devtmpfs onto a devtmpfs mount is EBUSY, and peers keep their ring order
 * (together: 2.6.39-n 1,626 → 1,486, 2.6.39-y and 3.4-y 1,800 → 1,659, 6.x 2,090 → 1,966 states).
 */
export const WORLD_COUNTS: Readonly<Record<ProfileId, { distinct: number; transitions: number; levels: number[] }>> = {
  '2.6.39-n': { distinct: 1486, transitions: 5045, levels: [1, 8, 47, 248, 1182] },
  '2.6.39-y': { distinct: 1659, transitions: 5342, levels: [1, 8, 49, 269, 1332] },
  '3.4-y': { distinct: 1659, transitions: 5342, levels: [1, 8, 49, 269, 1332] },
  '4.4-n': { distinct: 1710, transitions: 5442, levels: [1, 8, 48, 268, 1385] },
  '4.4-y': { distinct: 1892, transitions: 5739, levels: [1, 8, 50, 289, 1544] },
  '6.1': { distinct: 1966, transitions: 5734, levels: [1, 8, 49, 287, 1621] },
  '6.x': { distinct: 1966, transitions: 5734, levels: [1, 8, 49, 287, 1621] },
};
