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
 * - Issue 13 (roots and working directories, user namespaces, propagation, devtmpfs, shared
 *   open files, killed slave inodes, the root filesystem mounted on rootfs): unchanged. The
 *   scope has none of the new ops, and the new state each process and mount carries is the
 *   same in all of its states (root = cwd = /, the initial user namespace, private mounts),
 *   so the canonical key merges exactly what it merged before; mountinfo order is left out of
 *   the key because the scope has no `mounts` (explore/canon.ts CanonOptions).
 */
export const SMALL_COUNTS: Readonly<Record<ProfileId, { distinct: number; transitions: number; levels: number[] }>> = {
  '2.6.39-n': { distinct: 797, transitions: 5876, levels: [1, 8, 40, 161, 587] },
  '2.6.39-y': { distinct: 7138, transitions: 25817, levels: [1, 13, 112, 853, 6159] },
  '3.4-y': { distinct: 7138, transitions: 25817, levels: [1, 13, 112, 853, 6159] },
  '6.x': { distinct: 6698, transitions: 24563, levels: [1, 13, 107, 800, 5777] },
};

/**
 * distinct states and transitions of scope `world` (explore/scope.ts WORLD: issue 13's new
 * ops in a small alphabet) at its depth bound, exact keys, invariants on. New with issue 13.
 */
export const WORLD_COUNTS: Readonly<Record<ProfileId, { distinct: number; transitions: number; levels: number[] }>> = {
  '2.6.39-n': { distinct: 1626, transitions: 5223, levels: [1, 8, 48, 261, 1308] },
  '2.6.39-y': { distinct: 1800, transitions: 5520, levels: [1, 8, 50, 282, 1459] },
  '3.4-y': { distinct: 1800, transitions: 5520, levels: [1, 8, 50, 282, 1459] },
  '6.x': { distinct: 2090, transitions: 5910, levels: [1, 8, 50, 299, 1732] },
};
