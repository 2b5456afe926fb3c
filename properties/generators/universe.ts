// The paths, modes and identities the generator names: a small universe around /dev and
// /tmp where the document's layouts (redirects, sibling `pts`, binds) can happen.

import type { MountFlag } from '../../model/index.ts';

export const PTMX_PATHS = ['/dev/ptmx', '/dev/pts/ptmx', '/dev/ptmx', '/tmp/a/ptmx', '/tmp/a/pts/ptmx', '/tmp/b/ptmx', '/dev/pts/ptmx', '/tmp/a/myptmx'];
export const DEVPTS_TARGETS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/tmp/b/pts', '/tmp/a', '/dev/pts'];
export const TMPFS_TARGETS = ['/dev/pts', '/tmp/a', '/tmp/a/pts', '/tmp/b'];
export const REMOUNT_TARGETS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/dev/ptmx', '/tmp/a/ptmx', '/tmp/a'];
export const UMOUNT_TARGETS = ['/dev/pts', '/dev/ptmx', '/tmp/a/pts', '/dev/pts', '/tmp/a', '/tmp/a/ptmx', '/tmp/b/pts', '/tmp/b'];
export const DIRS = ['/tmp/a', '/tmp/a/pts', '/tmp/b', '/tmp/b/pts'];
export const NODE_PATHS = ['/tmp/a/ptmx', '/dev/ptmx', '/tmp/b/ptmx', '/tmp/a/myptmx'];
export const TOUCH_PATHS = ['/tmp/a/ptmx', '/tmp/a/pts', '/tmp/x', '/dev/ptmx'];
export const BINDS: readonly (readonly [string, string])[] = [
  ['/dev/pts/ptmx', '/dev/ptmx'], ['/dev/pts', '/tmp/a/pts'], ['/dev/pts/ptmx', '/tmp/a/ptmx'], ['/tmp/a/pts/ptmx', '/dev/ptmx'],
  ['/dev', '/tmp/b'], ['/tmp/a/pts', '/dev/pts'], ['/dev/pts/ptmx', '/dev/ptmx'],
];
export const SYMLINKS: readonly (readonly [string, string])[] = [
  ['pts/ptmx', '/dev/ptmx'], ['/dev/pts', '/tmp/a/pts'], ['pts/ptmx', '/tmp/a/ptmx'], ['/dev/pts/ptmx', '/tmp/a/ptmx'],
  ['/tmp/a/pts/ptmx', '/dev/ptmx'], ['pts/ptmx', '/dev/ptmx'],
];
export const UNLINKS = ['/dev/ptmx', '/tmp/a/ptmx', '/tmp/a/pts', '/dev/pts/ptmx', '/dev/pts/0', '/dev/ptmx'];
export const CHMOD_PATHS = ['/dev/pts/ptmx', '/dev/ptmx', '/dev/pts/ptmx', '/tmp/a/pts/ptmx', '/tmp/a/ptmx', '/dev/pts'];
export const MODES = ['0666', '0000', '0600', '0620', '0644', '0606'];
export const STAT_PATHS = ['/dev/ptmx', '/dev/pts/ptmx', '/dev/pts', '/tmp/a/ptmx', '/tmp/a/pts/ptmx', '/tmp/a/pts'];
export const READDIRS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/dev', '/tmp/b/pts'];
export const USERS: readonly (readonly [number, number])[] = [[1000, 1000], [1000, 5], [1001, 1001], [5, 5]];
export const CHOWNS: readonly (readonly [number, number])[] = [[1000, 5], [0, 5], [1000, 1000]];
export const SYSCTLS: readonly (readonly [string, number])[] = [
  ['kernel.pty.max', 2], ['kernel.pty.max', 1], ['kernel.pty.reserve', 0], ['kernel.pty.max', 3],
  ['kernel.pty.max', 0], ['kernel.pty.reserve', 1], ['kernel.pty.max', 4096], ['kernel.pty.reserve', 2],
];

/** The `n`-th of `items`, wrapping around (every choice is a number; this names which of a list). */
export const pick = <T>(n: number, items: readonly T[]): T => items[n % items.length]!;

/** A die with `sides` faces read from the bits of `n` above `shift`: a named choice among `sides` outcomes. */
export const roll = (n: number, sides: number, shift = 0): number => (n >> shift) % sides;
/** One time in `sides`: the last face of the die. */
export const oneIn = (sides: number, n: number, shift = 0): boolean => roll(n, sides, shift) === sides - 1;

/** Mount flags, mostly none. */
export function flagsFrom(n: number): MountFlag[] | undefined {
  switch (n % 12) {
    case 0: return ['nodev'];
    case 1: return ['ro'];
    case 2: return ['nosuid', 'noexec'];
    default: return undefined;
  }
}
