// The generator's intents, one entry each (in the spirit of fast-check's commands): a
// kind, a default weight, when it applies (otherwise another intent runs with the same
// choices, or nothing), and what it emits. fast-check draws the choices (intent = a kind
// selector and three numbers: `a`, `b`, and option item picks); `emit` reads them through
// named choices (`pick`, `roll`, `oneIn`) against the evolving state (builder.ts), so that
// every op names what exists right now and shrinking keeps sequences well-formed.
//
// Weights favour the states the document talks about: container-like prefixes, /dev/ptmx
// redirects, chmod of ptmx nodes, remounts, bogus and valid option strings in varied
// order, unprivileged processes, several instances, tmpfs and sibling-`pts` layouts.
// A new intent is one entry (appended: the selector of every other intent moves with the
// weights, so verdicts drawn from a fixed seed may change).

import type { MountFlag } from '../../model/index.ts';
import type { Builder } from './builder.ts';
import {
  BINDS, CHMOD_PATHS, CHOWNS, DEVPTS_TARGETS, DIRS, flagsFrom, MODES, NODE_PATHS, oneIn, pick, PTMX_PATHS, READDIRS,
  REMOUNT_TARGETS, roll, STAT_PATHS, SYMLINKS, SYSCTLS, TMPFS_TARGETS, TOUCH_PATHS, UMOUNT_TARGETS, UNLINKS, USERS,
} from './universe.ts';

/** What fast-check drew for one intent (besides the kind): two numbers and option item picks. */
export interface Choices { readonly a: number; readonly b: number; readonly items: readonly number[] }

export interface IntentDef {
  readonly kind: string;
  /** Relative default weight (a clause's generation hints may change it; 0 disables it). */
  readonly weight: number;
  readonly about: string;
  /** Whether it can do what it is for in this state; when not, `otherwise` runs (same choices), or nothing. */
  readonly applies?: (g: Builder) => boolean;
  readonly otherwise?: string;
  readonly emit: (g: Builder, c: Choices) => void;
}

// ---- the macros: intents that emit several ops --------------------------------------------

/** A working pty: open a ptmx, unlock it, open its slave (by path next to the ptmx, or by TIOCGPTPEER). */
function pty(g: Builder, { a, b }: Choices): void {
  const pid = pick(a, g.pids());
  const path = g.existing(b, PTMX_PATHS, pid);
  if (g.masters().length >= g.o.maxOpenPtys) return;
  const viaPeer = roll(b, 3, 3) === 2;   // one time in three the slave comes by TIOCGPTPEER
  const hangUp = oneIn(4, b, 5);         // sometimes the master closes at once while the slave stays open (K6)
  const fd = g.handleName();
  const r = g.emit({ op: 'open', pid, path, as: fd });
  if (r === null || !('index' in r) || r.index === undefined) return;
  g.emit({ op: 'unlockpt', pid, fd });
  if (viaPeer) { g.emit({ op: 'peer', pid, fd, as: g.handleName() }); return; }
  const dir = path.endsWith('/pts/ptmx') ? path.slice(0, -5) : `${path.slice(0, path.lastIndexOf('/'))}/pts`;
  g.emit({ op: 'open', pid, path: `${dir}/${r.index}`, as: g.handleName() });
  if (hangUp) g.emit({ op: 'close', pid, fd });
}

/** /dev/ptmx → pts/ptmx by symlink (with chmod 0666 of the node half the time) or by bind mount. */
function redirect(g: Builder, pid: number, b: number): void {
  const bySymlink = roll(b, 2) === 0;
  const chmodFirst = roll(b, 4) === 0;
  if (bySymlink) {
    if (chmodFirst) g.emit({ op: 'chmod', pid, path: '/dev/pts/ptmx', mode: '0666' });
    g.clear(pid, '/dev/ptmx');
    g.emit({ op: 'symlink', pid, target: 'pts/ptmx', path: '/dev/ptmx' });
  } else {
    if (!g.exists(pid, '/dev/ptmx')) g.emit({ op: 'touch', pid, path: '/dev/ptmx' });
    g.emit({ op: 'bind', pid, source: '/dev/pts/ptmx', target: '/dev/ptmx' });
  }
}

/** spawn a process in a new mount namespace; it umounts /dev/pts and mounts its own devpts (maybe redirecting /dev/ptmx). */
function container(g: Builder, { a, b, items }: Choices): void {
  const parent = g.rootPid(a);
  const keepHostMount = roll(b, 4) === 3;      // skip the umount of the inherited /dev/pts
  const lazyUmount = roll(b, 4) === 2;
  const addNewinstance = roll(b, 3, 2) !== 0;  // favour newinstance where the vocabulary allows it
  const redirects = roll(b, 3, 4) === 1;
  const opensAPty = roll(a, 2, 3) === 1;       // half the time something in it opens a pty right away (its sshd, its console)
  const child = g.newPid();
  if (g.emit({ op: 'spawn', pid: parent, child, newns: true }) === null) return;
  if (!keepHostMount) g.emit({ op: 'umount', pid: child, target: '/dev/pts', ...(lazyUmount ? { lazy: true } : {}) });
  let options = g.options(items, b);
  if (addNewinstance && g.o.vocabulary === 'any' && !(options ?? '').split(',').includes('newinstance')) {
    options = options === undefined ? 'newinstance' : `newinstance,${options}`;
  }
  g.emit({ op: 'mount', pid: child, fstype: 'devpts', target: '/dev/pts', ...(options !== undefined ? { options } : {}) });
  if (redirects) redirect(g, child, b >> 6);
  if (opensAPty) g.openPtmx(child, '/dev/ptmx');
}

/** Layouts away from /dev: a sibling `pts` next to a mknod'ed ptmx, tmpfs over pts, a ptmx bind in /tmp, a `pts` symlink. */
function layout(g: Builder, { a, b, items }: Choices): void {
  const pid = g.rootPid(a);
  const options = g.options(items, b);
  const withDevpts = roll(a, 2) === 0;
  const devptsAt = (target: string) => g.emit({ op: 'mount', pid, fstype: 'devpts', target, ...(options !== undefined ? { options } : {}) });
  const node = (path: string) => { g.clear(pid, path); g.emit({ op: 'mknod', pid, path, major: 5, minor: 2, mode: '0666' }); };
  const dir = (path: string) => { if (!g.exists(pid, path)) g.emit({ op: 'mkdir', pid, path }); };
  switch (roll(b, 5)) {
    case 0: dir('/tmp/a'); dir('/tmp/a/pts'); devptsAt('/tmp/a/pts'); node('/tmp/a/ptmx'); return;
    case 1: dir('/tmp/a'); g.emit({ op: 'mount', pid, fstype: 'tmpfs', target: '/tmp/a' }); dir('/tmp/a/pts'); node('/tmp/a/ptmx'); if (withDevpts) devptsAt('/tmp/a/pts'); return;
    case 2: g.emit({ op: 'mount', pid, fstype: 'tmpfs', target: '/dev/pts' }); if (withDevpts) devptsAt('/dev/pts'); return;
    case 3: dir('/tmp/a'); if (!g.exists(pid, '/tmp/a/ptmx')) g.emit({ op: 'touch', pid, path: '/tmp/a/ptmx' }); g.emit({ op: 'bind', pid, source: '/dev/pts/ptmx', target: '/tmp/a/ptmx' }); return;
    default: dir('/tmp/a'); g.clear(pid, '/tmp/a/pts'); g.emit({ op: 'symlink', pid, target: '/dev/pts', path: '/tmp/a/pts' }); node('/tmp/a/ptmx'); return;
  }
}

/** spawn an unprivileged process (same namespace as its parent). */
function user(g: Builder, { a, b }: Choices): void {
  const parent = pick(a, g.pids());
  const child = g.newPid();
  if (g.emit({ op: 'spawn', pid: parent, child }) === null) return;
  const [uid, gid] = pick(b, USERS);
  if (g.state.procs[child]!.uid === 0) g.emit({ op: 'setuid', pid: child, uid, gid });
}

const openPtmx = (g: Builder, { a, b }: Choices): void => {
  const pid = pick(a, g.pids());
  g.openPtmx(pid, g.existing(b, PTMX_PATHS, pid));
};

// ---- the table ------------------------------------------------------------------------------

export const INTENTS = [
  { kind: 'openPtmx', weight: 14, about: 'open a ptmx node (some process, some path that exists)', emit: openPtmx },
  {
    kind: 'openSlave', weight: 5, about: 'open a slave /dev/pts/N of a held index', otherwise: 'openPtmx',
    applies: (g) => g.slavePaths().length > 0,
    emit: (g, { a, b }) => { const pid = pick(a, g.pids()); g.emit({ op: 'open', pid, path: g.existing(b, g.slavePaths(), pid), as: g.handleName() }); },
  },
  {
    kind: 'unlockpt', weight: 5, about: 'unlock a master', otherwise: 'openPtmx',
    applies: (g) => g.masters().length > 0,
    emit: (g, { a }) => { const m = pick(a, g.masters()); g.emit({ op: 'unlockpt', pid: m.pid, fd: m.fd }); },
  },
  {
    kind: 'peer', weight: 3, about: 'TIOCGPTPEER on a master', otherwise: 'openPtmx',
    applies: (g) => g.masters().length > 0,
    emit: (g, { a }) => { const m = pick(a, g.masters()); g.emit({ op: 'peer', pid: m.pid, fd: m.fd, as: g.handleName() }); },
  },
  {
    kind: 'close', weight: 6, about: 'close an open handle',
    applies: (g) => g.handles().length > 0,
    emit: (g, { a }) => { const h = pick(a, g.handles()); g.emit({ op: 'close', pid: h.pid, fd: h.fd }); },
  },
  {
    kind: 'spawn', weight: 4, about: 'fork, or clone(CLONE_NEWNS) for a root parent half the time',
    emit: (g, { a, b }) => {
      const parent = pick(a, g.pids());
      const newns = roll(b, 2) === 0 && g.state.procs[parent]!.uid === 0;
      g.emit({ op: 'spawn', pid: parent, child: g.newPid(), ...(newns ? { newns: true } : {}) });
    },
  },
  {
    // init stays root: only spawned root processes drop privileges (else spawn a user)
    kind: 'setuid', weight: 2, about: 'a spawned root process drops privileges', otherwise: 'user',
    applies: (g) => g.pids().some((p) => p !== 1 && g.state.procs[p]!.uid === 0),
    emit: (g, { a, b }) => {
      const candidates = g.pids().filter((p) => p !== 1 && g.state.procs[p]!.uid === 0);
      const [uid, gid] = pick(b, USERS);
      g.emit({ op: 'setuid', pid: pick(a, candidates), uid, gid });
    },
  },
  {
    kind: 'exit', weight: 2, about: 'a process other than init exits',
    applies: (g) => g.pids().some((p) => p !== 1),
    emit: (g, { a }) => { g.emit({ op: 'exit', pid: pick(a, g.pids().filter((p) => p !== 1)) }); },
  },
  { kind: 'unshare', weight: 1, about: 'unshare(CLONE_NEWNS)', emit: (g, { a }) => { g.emit({ op: 'unshare', pid: g.rootPid(a) }); } },
  {
    kind: 'mountDevpts', weight: 9, about: 'mount devpts somewhere, with options from the vocabulary',
    emit: (g, { a, b, items }) => {
      const options = g.options(items, b);
      const flags = flagsFrom(a >> 3);
      const pid = g.rootPid(a);
      const target = pick(b, DEVPTS_TARGETS);
      g.ensureDir(pid, target);
      g.emit({ op: 'mount', pid, fstype: 'devpts', target, ...(options !== undefined ? { options } : {}), ...(flags ? { flags } : {}) });
    },
  },
  {
    kind: 'mountTmpfs', weight: 2, about: 'mount a tmpfs (over /dev/pts, or where a sibling pts layout wants one)',
    emit: (g, { a, b }) => {
      const pid = g.rootPid(a);
      const target = pick(b, TMPFS_TARGETS);
      g.ensureDir(pid, target);
      g.emit({ op: 'mount', pid, fstype: 'tmpfs', target });
    },
  },
  {
    kind: 'remount', weight: 5, about: 'remount a mount point, with options; read-only one time in sixteen',
    emit: (g, { a, b, items }) => {
      const options = g.options(items, b);
      const pid = g.rootPid(a);
      const readOnly = oneIn(16, a);
      g.emit({ op: 'remount', pid, target: g.existing(b, REMOUNT_TARGETS, pid), ...(options !== undefined ? { options } : {}), ...(readOnly ? { flags: ['ro'] as MountFlag[] } : {}) });
    },
  },
  {
    kind: 'bind', weight: 3, about: 'bind mount (a ptmx redirect, /dev/pts elsewhere, /dev into /tmp); recursive one time in five',
    emit: (g, { a, b }) => {
      const pid = g.rootPid(a);
      const source0 = g.existing(b, BINDS.map(([src]) => src), pid);
      const [source, target] = BINDS.find(([src], k) => src === source0 && k >= b % BINDS.length) ?? BINDS.find(([src]) => src === source0) ?? pick(b, BINDS);
      const recursive = oneIn(5, b);
      if (target.startsWith('/tmp/') && !g.exists(pid, target)) {
        g.parents(pid, target);
        g.emit(target.endsWith('ptmx') ? { op: 'touch', pid, path: target } : { op: 'mkdir', pid, path: target });
      }
      g.emit({ op: 'bind', pid, source, target, ...(recursive ? { recursive: true } : {}) });
    },
  },
  {
    kind: 'umount', weight: 4, about: 'umount a mount point; lazily one time in three',
    emit: (g, { a, b }) => {
      const pid = g.rootPid(a);
      const lazy = oneIn(3, b);
      g.emit({ op: 'umount', pid, target: g.existing(b, UMOUNT_TARGETS, pid), ...(lazy ? { lazy: true } : {}) });
    },
  },
  {
    kind: 'mkdir', weight: 2, about: 'make a directory of the layouts (the first missing one)',
    emit: (g, { a, b }) => {
      const pid = pick(a, g.pids());
      g.emit({ op: 'mkdir', pid, path: DIRS.find((d) => !g.exists(pid, d)) ?? pick(b, DIRS) });
    },
  },
  {
    kind: 'mknod', weight: 2, about: 'mknod a ptmx node (c 5 2) outside devpts',
    emit: (g, { a, b }) => {
      const pid = g.rootPid(a);
      const path = pick(b, NODE_PATHS);
      g.parents(pid, path);
      g.clear(pid, path);
      g.emit({ op: 'mknod', pid, path, major: 5, minor: 2, mode: '0666' });
    },
  },
  {
    kind: 'touch', weight: 1, about: 'touch a file (a bind target, or just a file)',
    emit: (g, { a, b }) => {
      const pid = pick(a, g.pids());
      const path = pick(b, TOUCH_PATHS);
      g.parents(pid, path);
      g.emit({ op: 'touch', pid, path });
    },
  },
  {
    kind: 'symlink', weight: 2, about: 'a symlink redirect (/dev/ptmx → pts/ptmx, and others)',
    emit: (g, { a, b }) => {
      const pid = g.rootPid(a);
      const [target, path] = pick(b, SYMLINKS);
      g.parents(pid, path);
      g.clear(pid, path);
      g.emit({ op: 'symlink', pid, target, path });
    },
  },
  { kind: 'unlink', weight: 2, about: 'unlink a node', emit: (g, { a, b }) => { const pid = g.rootPid(a); g.emit({ op: 'unlink', pid, path: g.existing(b, UNLINKS, pid) }); } },
  {
    kind: 'chmod', weight: 5, about: 'chmod a ptmx node or a slave (by root, or one time in four by anyone)',
    emit: (g, { a, b }) => {
      const byAnyone = oneIn(4, b);
      const pid = byAnyone ? pick(a, g.pids()) : g.rootPid(a);
      const slaves = g.slavePaths();
      const paths = slaves.length > 0 ? [...CHMOD_PATHS, slaves[0]!] : CHMOD_PATHS;
      g.emit({ op: 'chmod', pid, path: g.existing(b, paths, pid), mode: pick(a >> 2, MODES) });
    },
  },
  {
    kind: 'chown', weight: 1, about: 'chown a ptmx node or a slave',
    emit: (g, { a, b }) => {
      const [uid, gid] = pick(a >> 2, CHOWNS);
      const pid = g.rootPid(a);
      g.emit({ op: 'chown', pid, path: g.existing(b, ['/dev/pts/ptmx', ...g.slavePaths().slice(0, 2)], pid), uid, gid });
    },
  },
  {
    kind: 'stat', weight: 4, about: 'stat (lstat one time in three) a node',
    emit: (g, { a, b }) => {
      const pid = pick(a, g.pids());
      const slaves = g.slavePaths();
      const paths = slaves.length > 0 ? [...STAT_PATHS, slaves[0]!] : STAT_PATHS;
      const nofollow = oneIn(3, b);
      g.emit({ op: 'stat', pid, path: g.existing(b, paths, pid), ...(nofollow ? { nofollow: true } : {}) });
    },
  },
  { kind: 'readdir', weight: 4, about: 'list a directory (a devpts root, /dev)', emit: (g, { a, b }) => { const pid = pick(a, g.pids()); g.emit({ op: 'readdir', pid, path: g.existing(b, READDIRS, pid) }); } },
  {
    kind: 'sysctl', weight: 2, about: 'set kernel.pty.max or kernel.pty.reserve (small values: the limits show)',
    emit: (g, { a, b }) => { const [name, value] = pick(b, SYSCTLS); g.emit({ op: 'sysctl', pid: g.rootPid(a), name, value }); },
  },
  { kind: 'container', weight: 5, about: 'a container: new namespace, its own devpts mount, maybe a redirect and a pty', emit: container },
  { kind: 'redirect', weight: 4, about: 'redirect /dev/ptmx to /dev/pts/ptmx (symlink or bind)', emit: (g, { a, b }) => redirect(g, g.rootPid(a), b) },
  { kind: 'layout', weight: 3, about: 'a layout away from /dev (sibling pts, tmpfs, binds, symlinks)', emit: layout },
  { kind: 'user', weight: 3, about: 'an unprivileged process', emit: user },
  { kind: 'pty', weight: 4, about: 'a working pty: open, unlock, open the slave', emit: pty },
] as const satisfies readonly IntentDef[];

export type IntentKind = (typeof INTENTS)[number]['kind'];
export const INTENT_KINDS: readonly IntentKind[] = INTENTS.map((i) => i.kind);
export const DEFAULT_WEIGHTS: Readonly<Record<IntentKind, number>> = Object.fromEntries(INTENTS.map((i) => [i.kind, i.weight])) as Record<IntentKind, number>;

const byKind = new Map<string, IntentDef>(INTENTS.map((i) => [i.kind, i as IntentDef]));

/** Run one intent: its emit when it applies, else its fallback (same choices), else nothing. */
export function runIntent(g: Builder, def: IntentDef, c: Choices): void {
  if (def.applies === undefined || def.applies(g)) { def.emit(g, c); return; }
  if (def.otherwise !== undefined) runIntent(g, byKind.get(def.otherwise)!, c);
}
