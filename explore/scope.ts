// Scopes of the bounded exhaustive search: a finite action alphabet (which process may
// issue which op with which arguments), a bound on open ptys and a depth bound.
//
// A scope is plain JSON (so `--scope '{...}'` works): `ops` are op templates without a
// pid; every existing process of the scope may issue each of them (or only the pids a
// template names). Three kinds of template are expanded per state:
//   { "op": "spawn", "newns"?: bool }  the child is the lowest pid of 2..processes not alive
//   { "op": "close" | "unlockpt" | "peer" }  one action per open handle of the process
// Everything else is issued as written (paths, option strings, modes are fixed strings).
// `maxProcs` offers a template only while at most that many processes are alive (the
// `doc` scope uses it for the host's set-up, which the document does before it starts
// containers). Both guards depend only on the canonical state, so action numbers stay
// canonical.

import { validateBoot, validateOp, type BootConfig, type Op } from '../model/index.ts';
import { UsageError } from '../traces/errors.ts';

type WithoutPid<T> = T extends unknown ? Omit<T, 'pid'> : never;
type HandleOpName = 'close' | 'unlockpt' | 'peer';
type FixedOp = WithoutPid<Exclude<Op, { op: 'spawn' | HandleOpName }>>;

/** Which processes may issue a template (default: all), and while how many processes live at most (default: any). */
interface Guard { pids?: number[]; maxProcs?: number }

export type OpTemplate =
  | ({ op: 'spawn'; newns?: boolean } & Guard)
  | ({ op: HandleOpName } & Guard)
  | (FixedOp & Guard);

export interface Scope {
  name: string;
  description?: string;
  /** Boot configurations (operations.md "The world at boot"), each an initial state; default: [{}]. */
  boots?: BootConfig[];
  /** Default depth bound d (number of steps from boot); `--depth` overrides it. */
  depth: number;
  /** p: pids 1..p may exist (1 is init, root, never exits unless the scope says so). */
  processes: number;
  /** k: a transition that would allocate a pty while k ptys are allocated is outside the scope. */
  maxPtys: number;
  /** Open handles (masters, slaves, files) at most; open/peer beyond it are outside the scope. Default: 2·k. */
  maxHandles?: number;
  /** Mounts per namespace at most: a mount or bind beyond it leaves the scope. Default: no bound. */
  maxMounts?: number;
  ops: OpTemplate[];
}

// ---- helpers to write scopes compactly ---------------------------------------------

const devptsMounts = (target: string, options: (string | undefined)[]): OpTemplate[] =>
  options.map((o) => (o === undefined
    ? { op: 'mount', fstype: 'devpts', target }
    : { op: 'mount', fstype: 'devpts', target, options: o }) as OpTemplate);
const remounts = (target: string, options: (string | undefined)[]): OpTemplate[] =>
  options.map((o) => (o === undefined ? { op: 'remount', target } : { op: 'remount', target, options: o }) as OpTemplate);

/**
 * `small`: one child (own namespace or not), one unprivileged identity, the two
 * redirects, plain, newinstance and legacy-era mounts (a valid option after newinstance,
 * a bogus one after a valid one), remounts, a ptmx node made with mknod outside /dev,
 * slave opens; depth 4. Finishes in a few seconds per profile; its exact state counts
 * are asserted in test/explore/counts.test.ts.
 */
export const SMALL: Scope = {
  name: 'small',
  description: 'pids 1-2 (spawn with/without newns, setuid 1000), /dev/pts mounts (plain, newinstance, newinstance,gid=5, gid=5,bogus) and umount, remounts (none, ptmxmode=0666), symlink and bind redirects of /dev/ptmx, chmod of /dev/pts/ptmx, mknod /tmp/ptmx c 5 2, opens of /dev/ptmx, /dev/pts/ptmx, /dev/pts/0, /tmp/ptmx; unlockpt, close; readdir /dev/pts; k=2, depth 4',
  depth: 4,
  processes: 2,
  maxPtys: 2,
  ops: [
    { op: 'spawn', newns: true, pids: [1] },
    { op: 'spawn', pids: [1] },
    { op: 'setuid', uid: 1000 },
    { op: 'umount', target: '/dev/pts' },
    ...devptsMounts('/dev/pts', [undefined, 'newinstance', 'newinstance,gid=5', 'gid=5,bogus']),
    ...remounts('/dev/pts', [undefined, 'ptmxmode=0666']),
    { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' },
    { op: 'unlink', path: '/dev/ptmx', pids: [1] },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx', pids: [1] },
    { op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' },
    { op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2, mode: '0666', pids: [1] },
    { op: 'open', path: '/dev/ptmx' },
    { op: 'open', path: '/dev/pts/ptmx' },
    { op: 'open', path: '/dev/pts/0' },
    { op: 'open', path: '/tmp/ptmx', pids: [1] },
    { op: 'unlockpt' },
    { op: 'close' },
    { op: 'readdir', path: '/dev/pts' },
  ],
};

/**
 * `doc`: every scenario of the document (spec/devpts.txt) is a path of it
 * (explore/doc-scenarios.ts; test/explore/scope.test.ts checks each on every profile).
 * Roles keep it small enough to finish: pid 1 is the host's init, whose set-up (mounts,
 * chmod, the /dev/ptmx redirect, a remount, a mknod'ed ptmx) happens while it is the
 * only process, as in the document's scripts; pid 2 is a container (a child in a new
 * namespace) or a plain child that may unshare and may drop to uid 1000. Two
 * namespaces, an unprivileged process, symlink and bind redirects, remounts; valid,
 * legacy-era and bogus options. k = 2 ptys, at most 4 mounts per namespace, depth 7
 * (the longest scenario).
 */
export const DOC: Scope = {
  name: 'doc',
  description: 'pid 1 host init (set-up while alone: umount, mounts at /dev/pts with newinstance, ptmxmode=0666, newinstance,gid=5, gid=5,bogus; remount; chmod 0666 /dev/pts/ptmx; rm and ln -s pts/ptmx of /dev/ptmx; mknod /tmp/ptmx c 5 2 (and opens of it)), pid 2 a container (spawn with newns) or a plain child (may unshare, may drop to uid 1000): umount, mounts at /dev/pts (plain, newinstance, newinstance,ptmxmode=0666/0644), remount, chmod, bind /dev/pts/ptmx on /dev/ptmx, lstat /dev/ptmx; everyone: open /dev/ptmx and /dev/pts/ptmx, close, readdir /dev/pts; k=2, depth 7',
  depth: 7,
  processes: 2,
  maxPtys: 2,
  maxMounts: 4,
  ops: [
    // the host's set-up, done (as in the document) before containers start
    { op: 'umount', target: '/dev/pts', pids: [1], maxProcs: 1 },
    ...devptsMounts('/dev/pts', ['newinstance', 'ptmxmode=0666', 'newinstance,gid=5', 'gid=5,bogus']).map((t) => ({ ...t, pids: [1], maxProcs: 1 }) as OpTemplate),
    { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666', pids: [1], maxProcs: 1 },
    { op: 'unlink', path: '/dev/ptmx', pids: [1], maxProcs: 1 },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx', pids: [1], maxProcs: 1 },
    { op: 'remount', target: '/dev/pts', pids: [1], maxProcs: 1 },
    // a ptmx node outside /dev, with no sibling `pts` (where 2.6.39 and 6.x part ways, K8)
    { op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2, mode: '0666', pids: [1], maxProcs: 1 },
    { op: 'open', path: '/tmp/ptmx', pids: [1] },
    { op: 'spawn', newns: true, pids: [1] },
    { op: 'spawn', pids: [1] },
    // the container (or plain child)
    { op: 'unshare', pids: [2] },
    { op: 'setuid', uid: 1000, pids: [2] },
    { op: 'umount', target: '/dev/pts', pids: [2] },
    ...devptsMounts('/dev/pts', [undefined, 'newinstance', 'newinstance,ptmxmode=0666', 'newinstance,ptmxmode=0644']).map((t) => ({ ...t, pids: [2] }) as OpTemplate),
    { op: 'remount', target: '/dev/pts', pids: [2] },
    { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666', pids: [2] },
    { op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx', pids: [2] },
    { op: 'stat', path: '/dev/ptmx', nofollow: true, pids: [2] },
    // everyone
    { op: 'open', path: '/dev/ptmx' },
    { op: 'open', path: '/dev/pts/ptmx' },
    { op: 'close' },
    { op: 'readdir', path: '/dev/pts' },
  ],
};

/** The scope's boot configurations ([{}] when it names none). */
export const scopeBoots = (scope: Scope): BootConfig[] => (scope.boots && scope.boots.length > 0 ? scope.boots : [{}]);

export const SCOPES: Readonly<Record<string, Scope>> = { small: SMALL, doc: DOC };

// ---- parsing and validation ----------------------------------------------------------

const HANDLE_OPS = new Set(['close', 'unlockpt', 'peer']);

/** The first problem of a scope (as one line), or null. */
export function scopeProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'a scope must be a JSON object';
  const s = raw as Record<string, unknown>;
  if (typeof s.name !== 'string' || s.name === '') return 'scope: "name" must be a non-empty string';
  for (const key of ['depth', 'processes', 'maxPtys'] as const) {
    if (!Number.isInteger(s[key]) || (s[key] as number) < 0) return `scope: "${key}" must be a non-negative integer`;
  }
  if ((s.processes as number) < 1 || (s.processes as number) > 64) return 'scope: "processes" must be 1..64';
  if (s.maxHandles !== undefined && !(Number.isInteger(s.maxHandles) && (s.maxHandles as number) >= 0)) return 'scope: "maxHandles" must be a non-negative integer';
  if (s.maxMounts !== undefined && !(Number.isInteger(s.maxMounts) && (s.maxMounts as number) >= 1)) return 'scope: "maxMounts" must be a positive integer';
  if (s.boots !== undefined) {
    if (!Array.isArray(s.boots)) return 'scope: "boots" must be a list of boot configurations';
    for (const [i, b] of (s.boots as unknown[]).entries()) {
      if (typeof b !== 'object' || b === null || Array.isArray(b)) return `scope: boots[${i}] must be an object`;
      const p = validateBoot(b);
      if (p) return `scope: boots[${i}].${p.field.replace(/^boot\.?/, '')}: ${p.message}`;
    }
  }
  if (!Array.isArray(s.ops)) return 'scope: "ops" must be a list of op templates';
  for (const [i, t] of (s.ops as unknown[]).entries()) {
    if (typeof t !== 'object' || t === null) return `scope: ops[${i}] must be an object`;
    const { pids, maxProcs, ...rest } = t as Record<string, unknown>;
    if (pids !== undefined && !(Array.isArray(pids) && pids.every((p) => Number.isInteger(p) && p >= 1))) return `scope: ops[${i}].pids must be a list of pids`;
    if (maxProcs !== undefined && !(Number.isInteger(maxProcs) && (maxProcs as number) >= 1)) return `scope: ops[${i}].maxProcs must be a positive integer`;
    const name = rest.op;
    if (name === 'spawn') {
      if (rest.child !== undefined) return `scope: ops[${i}]: spawn takes no "child" (the explorer picks the lowest free pid)`;
      const p = validateOp({ ...rest, child: 2 });
      if (p) return `scope: ops[${i}].${p.field}: ${p.message}`;
    } else if (typeof name === 'string' && HANDLE_OPS.has(name)) {
      if (Object.keys(rest).length !== 1) return `scope: ops[${i}]: ${name} takes no fields (one action per open handle)`;
    } else {
      if ('as' in rest) return `scope: ops[${i}]: "as" is not allowed (handle names are the model's own)`;
      const p = validateOp(rest);
      if (p) return `scope: ops[${i}].${p.field}: ${p.message}`;
    }
  }
  return null;
}

/** A named scope or a JSON scope; UsageError otherwise. */
export function resolveScope(spec: string): Scope {
  const named = SCOPES[spec];
  if (named) return named;
  if (!spec.trim().startsWith('{')) throw new UsageError(`unknown scope "${spec}" (named scopes: ${Object.keys(SCOPES).join(', ')}; or a JSON object)`);
  let raw: unknown;
  try { raw = JSON.parse(spec); } catch (e) { throw new UsageError(`--scope is not valid JSON: ${(e as Error).message}`); }
  const problem = scopeProblem(raw);
  if (problem) throw new UsageError(problem);
  return raw as Scope;
}

/** A one-line description used in the final summary ("scope small (k=2, p=2, 17 op templates)"). */
export function describeScope(scope: Scope): string {
  return `${scope.name} (p=${scope.processes}, k=${scope.maxPtys}, ${scope.ops.length} op templates)`;
}
