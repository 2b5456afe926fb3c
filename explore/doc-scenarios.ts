// The document's scenarios (../shared/spec/devpts.txt) as op sequences, and a check
// that a scope contains a sequence: every step is an action the scope offers in the
// state it is issued in, no step leaves the scope (pty and handle bounds), and the
// sequence fits the depth bound. The `doc` scope must contain every one of them
// (test/explore/scope.test.ts), on every profile.
//
// pid 1 is the host's init; pid 2 a container (a child in a new mount namespace, as
// `ns_exec -cm` makes) or a plain child; pid 3 a further process (a daemon, or the
// unprivileged user). Handles are the model's own names (fd1, fd2, ...).

import { bootWith, profileOf, stepWith, type BootConfig, type Op, type ProfileId } from '../model/index.ts';
import { Alphabet } from './actions.ts';
import { scopeBoots, type Scope } from './scope.ts';
import { handleOrder, ptyCount, tooManyMounts } from './system.ts';

export interface DocScenario {
  name: string;
  /** Where the document says it. */
  source: string;
  boot?: BootConfig;
  ops: Op[];
}

const chmodPtmx: Op = { op: 'chmod', pid: 1, path: '/dev/pts/ptmx', mode: '0666' };
const rmPtmx = (pid: number): Op => ({ op: 'unlink', pid, path: '/dev/ptmx' });
const lnPtmx = (pid: number): Op => ({ op: 'symlink', pid, target: 'pts/ptmx', path: '/dev/ptmx' });
const container: Op = { op: 'spawn', pid: 1, child: 2, newns: true };
const umountPts = (pid: number): Op => ({ op: 'umount', pid, target: '/dev/pts' });
const mountPts = (pid: number, options?: string): Op => (options === undefined
  ? { op: 'mount', pid, fstype: 'devpts', target: '/dev/pts' }
  : { op: 'mount', pid, fstype: 'devpts', target: '/dev/pts', options });
const open = (pid: number, path: string): Op => ({ op: 'open', pid, path });
const ls = (pid: number): Op => ({ op: 'readdir', pid, path: '/dev/pts' });

export const DOC_SCENARIOS: readonly DocScenario[] = [
  {
    name: 'container example (chmod, rm, ln -s, ns_exec -cm, umount, newinstance mount, sshd opens a pty; the host lists /dev/pts)',
    source: 'body, "Eg: A container startup script could do the following" (D8)',
    ops: [chmodPtmx, rmPtmx(1), lnPtmx(1), container, umountPts(2), mountPts(2, 'newinstance'), open(2, '/dev/ptmx')],
  },
  {
    name: 'redirect by bind mount in a container',
    source: 'note 2, "mount -o bind /dev/pts/ptmx /dev/ptmx" (U2)',
    ops: [container, umountPts(2), mountPts(2, 'newinstance'), { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/dev/ptmx' }, open(2, '/dev/ptmx'), ls(2)],
  },
  {
    name: 'redirect by symlink after a newinstance mount, then chmod 666',
    source: 'note 2, "rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx; chmod 666 /dev/pts/ptmx" (U2)',
    ops: [mountPts(1, 'newinstance'), rmPtmx(1), lnPtmx(1), chmodPtmx, open(1, '/dev/ptmx'), ls(1)],
  },
  {
    name: 'fstab entry with ptmxmode (no newinstance), symlink redirect, a non-root user opens /dev/ptmx',
    source: 'note 3, "adding ptmxmode mount option to devpts entry in /etc/fstab" (U3)',
    ops: [umountPts(1), mountPts(1, 'ptmxmode=0666'), rmPtmx(1), lnPtmx(1), { op: 'spawn', pid: 1, child: 2 }, { op: 'setuid', pid: 2, uid: 1000 }, open(2, '/dev/ptmx')],
  },
  {
    name: 'chmod 0666 /dev/pts/ptmx, symlink redirect, a non-root user opens /dev/ptmx',
    source: 'note 3, "using chmod 0666 /dev/pts/ptmx" (U3)',
    ops: [chmodPtmx, rmPtmx(1), lnPtmx(1), { op: 'spawn', pid: 1, child: 2 }, { op: 'setuid', pid: 2, uid: 1000 }, open(2, '/dev/ptmx')],
  },
  {
    name: 'recommended container script (newinstance, ptmxmode=0666, bind if /dev/ptmx is not a symlink); the host still opens ptys',
    source: 'note 4, "container-startup scripts should use" (U4)',
    ops: [container, mountPts(2, 'newinstance,ptmxmode=0666'), { op: 'stat', pid: 2, path: '/dev/ptmx', nofollow: true },
      { op: 'bind', pid: 2, source: '/dev/pts/ptmx', target: '/dev/ptmx' }, open(2, '/dev/ptmx'), open(1, '/dev/ptmx'), ls(1)],
  },
  {
    name: 'newinstance mount immediately followed by open("/dev/ptmx"): the pty is invisible in the new mount',
    source: 'note 5 (U5)',
    ops: [mountPts(1, 'newinstance'), open(1, '/dev/ptmx'), ls(1)],
  },
  {
    name: 'ptmxmode=0644 at mount, chmod 666 later, then a remount',
    source: 'note 6, "mount -t devpts -o newinstance -o ptmxmode=0644 devpts /dev/pts ... chmod 666 /dev/pts/ptmx" (U6; the remount is K4)',
    ops: [container, mountPts(2, 'newinstance,ptmxmode=0644'), { op: 'chmod', pid: 2, path: '/dev/pts/ptmx', mode: '0666' }, { op: 'remount', pid: 2, target: '/dev/pts' }],
  },
  {
    name: 'a container mounting without newinstance sees the host\'s ptys',
    source: 'note 7, "a container could get visibility into the host\'s devpts" (U7, D4)',
    ops: [open(1, '/dev/ptmx'), container, umountPts(2), mountPts(2), ls(2)],
  },
  {
    name: 'every devpts mount with newinstance, the host\'s included: strict isolation',
    source: 'note 7, "all mounts of devpts, including the mount in the root container, should use the newinstance option" (U7)',
    ops: [umountPts(1), mountPts(1, 'newinstance'), container, umountPts(2), mountPts(2, 'newinstance'), open(2, '/dev/pts/ptmx'), open(1, '/dev/pts/ptmx')],
  },
  {
    name: 'single-instance mode: ptys are common across the system',
    source: 'body, "PTYs are common across the system" (D2, D4)',
    ops: [container, open(2, '/dev/ptmx'), ls(1)],
  },
  {
    name: 'legacy mode: newinstance and ptmxmode are bogus options (a valid option after newinstance; a bogus one after a valid one)',
    source: 'body, "the new mount options (-o newinstance and -o ptmxmode) will be ignored with a \'bogus option\' message" (D3, K1)',
    ops: [mountPts(1, 'newinstance,gid=5'), mountPts(1, 'gid=5,bogus')],
  },
  {
    name: 'newinstance never used: /dev/pts/ptmx can be ignored',
    source: 'note 1 (U1)',
    ops: [open(1, '/dev/ptmx'), ls(1)],
  },
  {
    name: 'an unprivileged process and the mode-0000 ptmx node',
    source: 'body, "/dev/pts/ptmx node with permissions 0000" (K7)',
    ops: [{ op: 'spawn', pid: 1, child: 2 }, { op: 'setuid', pid: 2, uid: 1000 }, open(2, '/dev/pts/ptmx'), open(2, '/dev/ptmx')],
  },
  {
    name: 'a process that unshares its mount namespace and mounts its own instance',
    source: 'body, "calls clone() with CLONE_NEWNS" (unshare is the same namespace copy)',
    ops: [{ op: 'spawn', pid: 1, child: 2 }, { op: 'unshare', pid: 2 }, umountPts(2), mountPts(2, 'newinstance'), open(2, '/dev/pts/ptmx'), ls(1)],
  },
];

/** Same op, whatever the key order. */
export function sameOp(a: Op, b: Op): boolean {
  const ka = Object.keys(a).filter((k) => (a as unknown as Record<string, unknown>)[k] !== undefined).sort();
  const kb = Object.keys(b).filter((k) => (b as unknown as Record<string, unknown>)[k] !== undefined).sort();
  if (ka.join() !== kb.join()) return false;
  return ka.every((k) => JSON.stringify((a as unknown as Record<string, unknown>)[k]) === JSON.stringify((b as unknown as Record<string, unknown>)[k]));
}

/** Why `ops` is not a path of `scope` on `profile` (null: it is one). */
export function outsideScope(scope: Scope, profile: ProfileId, ops: readonly Op[], boot: BootConfig = {}): string | null {
  if (!scopeBoots(scope).some((b) => JSON.stringify(b) === JSON.stringify(boot))) return `its boot ${JSON.stringify(boot)} is not one of the scope's`;
  if (ops.length > scope.depth) return `${ops.length} steps, more than the scope's depth ${scope.depth}`;
  const p = profileOf(profile);
  const alphabet = new Alphabet(scope);
  let state = bootWith(p, boot);
  for (const [i, raw] of ops.entries()) {
    const op = { pid: 1, ...raw } as Op;
    const actions = alphabet.actions(state, handleOrder(state));
    // the scope's open and peer actions leave the handle's name to the model: compare without `as`
    const { as: _as, ...unnamed } = op as Op & { as?: string };
    if (!actions.some((a) => sameOp(a, unnamed as Op))) return `step ${i + 1} ${JSON.stringify(op)} is not an action of the scope in that state`;
    const out = stepWith(p, state, op);
    if ('error' in out.result) return `step ${i + 1}: ${out.result.error}`;
    if (ptyCount(state) >= scope.maxPtys && 'index' in out.result && out.result.index !== undefined) return `step ${i + 1} allocates more than ${scope.maxPtys} ptys`;
    if (scope.maxMounts !== undefined && tooManyMounts(out.state, scope.maxMounts)) return `step ${i + 1} makes a namespace hold more than ${scope.maxMounts} mounts`;
    state = out.state;
  }
  return null;
}
