// THE ONE PLACE FOR THE STATE COUNTS of scope `small` (asserted by counts.test.ts, used by
// the bench test). When the model changes on purpose, say why below.

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
