// User namespaces: id mapping, capability checks, and `unshare` with `user: true`
// (`unshare -U -r`: the caller becomes uid 0 / gid 0 inside, mapped to its ids outside).
//
// Ids in the state are kernel ids (the initial namespace's view). A process sees an id
// through its namespace's map: unmapped ids show as the overflow id 65534
// (from_kuid_munged). Capabilities: a process whose uid is 0 in its own namespace has
// them all there, and in every namespace below it (security/commoncap.c cap_capable).

import { INITIAL_USERNS, type Attrs, type IdMap, type KernelState, type Proc, type UserNs, type UsernsId } from './state.ts';

/** overflowuid / overflowgid: what an unmapped id reads as (include/linux/highuid.h). */
export const OVERFLOW_ID = 65534;
/** create_user_ns (6.x): a parent at a level above 32 cannot have children (ENOSPC). */
export const MAX_USERNS_LEVEL = 32;

/** The id a process sees for kernel uid `k` (from_kuid_munged). */
export const shownUid = (proc: Proc, k: number): number => (proc.map === undefined ? k : k === proc.map.uid ? 0 : OVERFLOW_ID);
export const shownGid = (proc: Proc, k: number): number => (proc.map === undefined ? k : k === proc.map.gid ? 0 : OVERFLOW_ID);

/** The kernel id of an id as the process names it (make_kuid), or null when its namespace does not map it. */
export const kernelUid = (proc: Proc, id: number): number | null => (proc.map === undefined ? id : id === 0 ? proc.map.uid : null);
export const kernelGid = (proc: Proc, id: number): number | null => (proc.map === undefined ? id : id === 0 ? proc.map.gid : null);

/** Does the process's namespace map both of the inode's ids (privileged_wrt_inode_uidgid)? */
const mapsOwner = (map: IdMap | undefined, a: Attrs): boolean => map === undefined || (a.uid === map.uid && a.gid === map.gid);

/**
 * capable_wrt_inode_uidgid (CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_CHOWN, CAP_FSETID): the
 * capability in the process's own namespace, and the inode's ids mapped there.
 * (fs/inode.c 6.x; live 6.18: root of `unshare -U -r` cannot write a 0644 file of an unmapped owner.)
 */
export const privilegedOver = (proc: Proc, a: Attrs): boolean => proc.caps && mapsOwner(proc.map, a);

/** capable(): the capability in the initial user namespace (CAP_MKNOD, CAP_SYS_ADMIN for non-userns filesystems). */
export const capableInInit = (proc: Proc): boolean => proc.caps && proc.userns === INITIAL_USERNS;

/**
 * ns_capable(target): security/commoncap.c cap_capable. In the process's own namespace
 * its capabilities decide; a namespace below it is covered when the process created
 * its ancestor-at-the-next-level (owner) or has capabilities in its own; above or beside it, never.
 */
export function capableIn(state: KernelState, proc: Proc, target: UsernsId): boolean {
  if (target === proc.userns) return proc.caps; // the common case, no lookup
  const mine = state.userns[proc.userns]!;
  let ns: UserNs = state.userns[target]!;
  for (;;) {
    if (ns.id === proc.userns) return proc.caps;
    if (ns.level <= mine.level) return false;
    if (ns.parent === proc.userns && ns.owner === proc.uid) return true;
    ns = state.userns[ns.parent!]!;
  }
}

/** A new user namespace below the process's, mapping 0 to its ids (`unshare -U -r`). */
export function newUserNs(state: KernelState, proc: Proc): { state: KernelState; userns: UsernsId; map: IdMap } {
  const id = `user${state.next.userns}`;
  const parent = state.userns[proc.userns]!;
  const ns: UserNs = { id, parent: parent.id, level: parent.level + 1, owner: proc.uid, uid: proc.uid, gid: proc.gid };
  return {
    userns: id,
    map: { uid: proc.uid, gid: proc.gid },
    state: { ...state, userns: { ...state.userns, [id]: ns }, next: { ...state.next, userns: state.next.userns + 1 } },
  };
}

/** The initial user namespace record (boot). */
export const INITIAL_USERNS_RECORD: UserNs = { id: INITIAL_USERNS, parent: null, level: 0, owner: 0, uid: 0, gid: 0 };
