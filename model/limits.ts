// The pty limit, as data per kernel and one rule (devpts_new_index). The profile record
// carries its limits; the allocation (instances.ts) and the clauses that judge it (K5,
// I4) read the same data through the same rule, so that a mutant of the allocation is
// told apart from the rule it should follow.

import type { Errno } from './ops.ts';
import type { DevptsFs, KernelState } from './state.ts';

export interface PtyLimits {
  /** 2.6.39: each instance's index against kernel.pty.max; 3.4+: one count of every pty. */
  readonly count: 'perInstanceIndex' | 'global';
  readonly errno: Extract<Errno, 'EIO' | 'ENOSPC'>;
  /** Who must leave kernel.pty.reserve free: nobody (2.6.39), newinstance instances (3.4), instances mounted outside the initial namespace (6.x). */
  readonly reserveFor: 'nobody' | 'newinstance' | 'outsideInitialNs';
  /** 6.x atomic_inc_return(&pty_count) counts the new pty before comparing: one fewer. */
  readonly countsNewPty: boolean;
  /** `max=`: no such option (2.6.39), an index bound (3.4: max=0 refuses every open), an index bound where 0 is none (6.x ida_alloc_max(max - 1)). */
  readonly maxOption: 'none' | 'indexBound' | 'indexBoundZeroUnlimited';
}

/** 2.6.39 devpts_new_index: per instance, an index >= kernel.pty.max fails with EIO. [K5] */
export const LIMITS_2639: PtyLimits = { count: 'perInstanceIndex', errno: 'EIO', reserveFor: 'nobody', countsNewPty: false, maxOption: 'none' };
/** 3.4 devpts_new_index: pty_count vs pty_limit (− reserve for newinstance instances), then max=. All ENOSPC. [K5] */
export const LIMITS_34: PtyLimits = { count: 'global', errno: 'ENOSPC', reserveFor: 'newinstance', countsNewPty: false, maxOption: 'indexBound' };
/**
 * 6.x devpts_new_index: atomic_inc_return(&pty_count) >= limit − (reserve unless mounted in
 * the initial namespace), so at most limit−1 ptys (live 6.x S4g: 3071); max=0 is no limit
 * (live 6.x S4e). All ENOSPC. [K5]
 */
export const LIMITS_6X: PtyLimits = { count: 'global', errno: 'ENOSPC', reserveFor: 'outsideInitialNs', countsNewPty: true, maxOption: 'indexBoundZeroUnlimited' };

/** Every pty of every instance. */
export function totalPtys(state: KernelState): number {
  let n = 0;
  for (const id in state.fss) {
    const fs = state.fss[id]!;
    if (fs.kind === 'devpts') for (const _ in fs.ptys) n++;
  }
  return n;
}

/** The lowest index not held in the instance (ida_get_new / ida_alloc). [I1] */
export function lowestFree(fs: DevptsFs): number {
  let i = 0;
  while (fs.ptys[i] !== undefined) i++;
  return i;
}

/** The errno of the limit that a new pty of index `index` in `fs` would pass, or null. The one rule. [K5, I4] */
export function ptyLimitReached(limits: PtyLimits, state: KernelState, fs: DevptsFs, index: number): PtyLimits['errno'] | null {
  const { max, reserve } = state.sysctl;
  if (limits.count === 'perInstanceIndex') return index >= max ? limits.errno : null;
  const reserved = limits.reserveFor === 'newinstance' ? fs.opts.newinstance : limits.reserveFor === 'outsideInitialNs' ? !fs.reserve : false;
  const limit = max - (reserved ? reserve : 0);
  if (totalPtys(state) + (limits.countsNewPty ? 1 : 0) >= limit) return limits.errno;
  const m = fs.opts.max;
  if (limits.maxOption === 'indexBound' && m !== null && index >= m) return limits.errno;
  if (limits.maxOption === 'indexBoundZeroUnlimited' && m !== null && m > 0 && index > m - 1) return limits.errno;
  return null;
}
