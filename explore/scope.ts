// Scopes of the bounded exhaustive search: a finite action alphabet (which process may
// issue which op with which arguments), a bound on open ptys and a depth bound.
//
// A scope is plain JSON (so `--scope '{...}'` works): `ops` are op templates without a
// pid; every existing process of the scope may issue each of them (or only the pids a
// template names). Three kinds of template are expanded per state:
//   { "op": "spawn", "newns"?: bool }  the child is the lowest pid of 2..processes not alive
//   { "op": "close" | "unlockpt" | "peer" }  one action per open handle of the process
// Everything else is issued as written (paths, option strings, modes are fixed strings).

import { validateOp, type BootConfig, type Op } from '../model/index.ts';
import { UsageError } from '../cli/exit-codes.ts';

type WithoutPid<T> = T extends unknown ? Omit<T, 'pid'> : never;
type HandleOpName = 'close' | 'unlockpt' | 'peer';
type FixedOp = WithoutPid<Exclude<Op, { op: 'spawn' | HandleOpName }>>;

export type OpTemplate =
  | ({ op: 'spawn'; newns?: boolean } & { pids?: number[] })
  | ({ op: HandleOpName } & { pids?: number[] })
  | (FixedOp & { pids?: number[] });

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
 * redirects, a newinstance mount and a plain one, a remount; finishes in about a
 * second per profile. Its exact state counts are asserted in test/explore/counts.test.ts.
 */
export const SMALL: Scope = {
  name: 'small',
  description: 'pids 1-2 (spawn with/without newns, setuid 1000), /dev/pts mount (plain, newinstance) and umount, remount, symlink and bind redirects of /dev/ptmx, chmod of /dev/pts/ptmx, opens of /dev/ptmx, /dev/pts/ptmx, /dev/pts/0; k=2, depth 5',
  depth: 5,
  processes: 2,
  maxPtys: 2,
  ops: [
    { op: 'spawn', newns: true, pids: [1] },
    { op: 'spawn', pids: [1] },
    { op: 'setuid', uid: 1000 },
    { op: 'umount', target: '/dev/pts' },
    ...devptsMounts('/dev/pts', [undefined, 'newinstance']),
    ...remounts('/dev/pts', ['ptmxmode=0666']),
    { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' },
    { op: 'unlink', path: '/dev/ptmx', pids: [1] },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx', pids: [1] },
    { op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' },
    { op: 'open', path: '/dev/ptmx' },
    { op: 'open', path: '/dev/pts/ptmx' },
    { op: 'open', path: '/dev/pts/0' },
    { op: 'unlockpt' },
    { op: 'close' },
    { op: 'readdir', path: '/dev/pts' },
  ],
};

/**
 * `doc`: every scenario of the document (spec/devpts.txt) fits in it; test/explore/
 * scope.test.ts replays each scenario (explore/doc-scenarios.ts) and checks that every
 * step is an action of the scope in the state it is issued in and the depth suffices.
 * Two namespaces (a child with its own namespace, or unshare), an unprivileged
 * process, symlink and bind redirects of /dev/ptmx, plain/newinstance/ptmxmode mounts
 * (options valid and bogus, in both orders), remounts, chmod of the ptmx node.
 */
export const DOC: Scope = {
  name: 'doc',
  description: 'pids 1-3 (spawn with/without newns, unshare, setuid 1000), devpts mounts at /dev/pts with plain, newinstance, newinstance+ptmxmode=0666 and bogus options in both orders, umount, remounts (ptmxmode=0666, bogus), symlink and bind redirects of /dev/ptmx, chmod 0666 of /dev/pts/ptmx, opens of /dev/ptmx, /dev/pts/ptmx, /dev/pts/0; unlockpt, close; readdir /dev/pts; k=2, depth 8',
  depth: 8,
  processes: 3,
  maxPtys: 2,
  ops: [
    { op: 'spawn', newns: true },
    { op: 'spawn' },
    { op: 'unshare' },
    { op: 'setuid', uid: 1000 },
    { op: 'exit', pids: [2, 3] },
    { op: 'umount', target: '/dev/pts' },
    ...devptsMounts('/dev/pts', [undefined, 'newinstance', 'newinstance,ptmxmode=0666', 'ptmxmode=0666,newinstance', 'gid=5,bogus', 'bogus,gid=5']),
    ...remounts('/dev/pts', ['ptmxmode=0666', 'bogus']),
    { op: 'chmod', path: '/dev/pts/ptmx', mode: '0666' },
    { op: 'unlink', path: '/dev/ptmx' },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' },
    { op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' },
    { op: 'open', path: '/dev/ptmx' },
    { op: 'open', path: '/dev/pts/ptmx' },
    { op: 'open', path: '/dev/pts/0' },
    { op: 'unlockpt' },
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
  if (s.boots !== undefined) {
    if (!Array.isArray(s.boots)) return 'scope: "boots" must be a list of boot configurations';
    for (const [i, b] of (s.boots as unknown[]).entries()) {
      if (typeof b !== 'object' || b === null || Array.isArray(b)) return `scope: boots[${i}] must be an object`;
      for (const [k, v] of Object.entries(b)) {
        if (k === 'devptsOptions' ? typeof v !== 'string' : k === 'mountDevpts' ? typeof v !== 'boolean' : k === 'ptmxMode' ? typeof v !== 'string' : true) return `scope: boots[${i}].${k} is not a boot field (devptsOptions, mountDevpts, ptmxMode)`;
      }
    }
  }
  if (!Array.isArray(s.ops)) return 'scope: "ops" must be a list of op templates';
  for (const [i, t] of (s.ops as unknown[]).entries()) {
    if (typeof t !== 'object' || t === null) return `scope: ops[${i}] must be an object`;
    const { pids, ...rest } = t as Record<string, unknown>;
    if (pids !== undefined && !(Array.isArray(pids) && pids.every((p) => Number.isInteger(p) && p >= 1))) return `scope: ops[${i}].pids must be a list of pids`;
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
