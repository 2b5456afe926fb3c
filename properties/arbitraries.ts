// fast-check arbitraries of op sequences that are state-aware.
//
// fast-check generates *intents*: small tuples of integers. An interpreter (Builder) reads
// them one by one against the evolving model state and turns each into concrete ops that
// name things which exist right now: an open handle of the right process, a process that
// is alive, a path that makes sense in that process's namespace. Shrinking works on the
// intents, so every shrunk candidate is re-interpreted and stays well-formed (no unknown
// handle, no dead pid): a shrunk counterexample is always a valid trace.
//
// Weights favour the states the document talks about: container-like prefixes (spawn
// with a new namespace, umount /dev/pts, newinstance mounts), /dev/ptmx redirects
// (symlink to pts/ptmx, bind of /dev/pts/ptmx), chmod of ptmx nodes, remounts, bogus and
// valid option strings in varied order, unprivileged processes, several instances, and
// tmpfs / sibling-`pts` layouts (which matter on 6.x).
//
// Used by: properties/clauses.ts (every clause), explore/ (not needed: it enumerates),
// kernel/ (the live-kernel harness: `exclude: ['sysctl']`, `maxOpenPtys: 4`).
//
//   import { runs } from './properties/arbitraries.ts';
//   fc.assert(fc.property(runs('6.x', { maxSteps: 12, exclude: ['sysctl'] }), (run) => ...));
//
// A generated value is a `Run` (properties/run.ts): boot config, ops, every state, every
// result. The ops carry explicit handle names (`as: "h3"`), so the same ops replay under
// another profile with the same names.

import fc from 'fast-check';
import { BootError, isToolError, type BootConfig, type KernelState, type MountFlag, type Op, type OpName, type StepResult } from '../model/index.ts';
import { bootState, subjectOf, type Run, type Subject, type SubjectLike } from './run.ts';
import { isDevptsPtmx, resolveAs } from './observe.ts';

// ---- options ---------------------------------------------------------------------

/**
 * Which mount data strings to generate:
 * - `any`: valid and bogus items (unknown names, malformed values, `newinstance=1`, `ro`, ...) in any order;
 * - `noNewinstance`: like `any` without `newinstance` (D5);
 * - `legacyAny`: like `any` without the CONFIG=y options `newinstance` and `ptmxmode=` (U1: what a legacy-era script may pass);
 * - `legacyValid`: only items the 2.6.39 legacy parser accepts: uid=, gid=, mode= (R1);
 * - `newinstanceValid`: always `newinstance`, plus items valid on every CONFIG=y kernel and 6.x (R2, U7).
 */
export type OptionVocabulary = 'any' | 'noNewinstance' | 'legacyAny' | 'legacyValid' | 'newinstanceValid';

const ITEMS_ANY = [
  'mode=0620', 'gid=5', 'newinstance', 'ptmxmode=0666', 'ptmxmode=000', 'uid=1000', 'mode=620', 'max=2', 'bogus',
  'max=0', 'mode=8', 'uid=0', 'newinstance=1', 'ptmxmode=0644', 'gid=010', 'ro', 'max=1', 'mode=07777', '',
  'ptmxmode=0606', 'nosuid', 'uid=0x10', 'newinstance', 'ptmxmode=0666',
];
const ITEMS_LEGACY = ['mode=0620', 'gid=5', 'uid=1000', 'mode=620', 'uid=0', 'gid=010', 'mode=0600', 'mode=07777', '', 'uid=0x10'];
const ITEMS_NEWINSTANCE = ['ptmxmode=0666', 'mode=0620', 'gid=5', 'ptmxmode=000', 'uid=1000', 'mode=620', 'ptmxmode=0644', 'mode=0600'];
const VOCABULARIES: Readonly<Record<OptionVocabulary, readonly string[]>> = {
  any: ITEMS_ANY,
  noNewinstance: ITEMS_ANY.filter((i) => !i.startsWith('newinstance')),
  legacyAny: ITEMS_ANY.filter((i) => !i.startsWith('newinstance') && !i.startsWith('ptmxmode')),
  legacyValid: ITEMS_LEGACY,
  newinstanceValid: ITEMS_NEWINSTANCE,
};

/** The items a vocabulary may produce (premise checks use this to recognise valid strings). */
export const vocabularyItems = (v: OptionVocabulary): readonly string[] =>
  v === 'newinstanceValid' ? [...ITEMS_NEWINSTANCE, 'newinstance'] : VOCABULARIES[v];

/** A mount data string from item choices; undefined when empty (no data). */
export function optionString(vocabulary: OptionVocabulary, picks: readonly number[], position: number): string | undefined {
  const table = VOCABULARIES[vocabulary];
  const items = picks.map((n) => table[n % table.length]!);
  if (vocabulary === 'newinstanceValid') items.splice(position % (items.length + 1), 0, 'newinstance');
  const s = items.join(',');
  return s === '' ? undefined : s;
}

// ---- boots -------------------------------------------------------------------------

/** Boot configurations the general generator chooses from (index 0, the default boot, is the shrink target). */
export const DEFAULT_BOOTS: readonly BootConfig[] = [
  {}, { devptsOptions: 'gid=5,mode=620' }, { devptsOptions: 'newinstance,ptmxmode=0666' },
  { devptsOptions: 'ptmxmode=0666' }, { mountDevpts: false }, { devptsOptions: 'gid=5,mode=620,ptmxmode=000' },
];

// ---- intents -----------------------------------------------------------------------

export const INTENT_KINDS = [
  'openPtmx', 'openSlave', 'unlockpt', 'peer', 'close', 'spawn', 'setuid', 'exit', 'unshare', 'mountDevpts',
  'mountTmpfs', 'remount', 'bind', 'umount', 'mkdir', 'mknod', 'touch', 'symlink', 'unlink', 'chmod', 'chown',
  'stat', 'readdir', 'sysctl', 'container', 'redirect', 'layout', 'user', 'pty',
] as const;
export type IntentKind = (typeof INTENT_KINDS)[number];

/** Default weights (relative). Macros (`container`, `redirect`, `layout`, `user`, `pty`) emit several ops. */
export const DEFAULT_WEIGHTS: Readonly<Record<IntentKind, number>> = {
  openPtmx: 14, openSlave: 5, unlockpt: 5, peer: 3, close: 6, spawn: 4, setuid: 2, exit: 2, unshare: 1,
  mountDevpts: 9, mountTmpfs: 2, remount: 5, bind: 3, umount: 4, mkdir: 2, mknod: 2, touch: 1, symlink: 2,
  unlink: 2, chmod: 5, chown: 1, stat: 4, readdir: 4, sysctl: 2, container: 5, redirect: 4, layout: 3, user: 3, pty: 4,
};

/** One intent: [kind selector 0..999, choice a, choice b, option item picks]. */
export type Intent = readonly [number, number, number, readonly number[]];

export const intentArbitrary: fc.Arbitrary<Intent> = fc.tuple(
  fc.nat(999), fc.nat(1023), fc.nat(1023), fc.array(fc.nat(63), { maxLength: 4 }),
);

export interface GenOptions {
  /** At most this many ops per sequence (default 20). Scenario steps come on top. */
  readonly maxSteps?: number;
  /** Ops never generated (the kernel harness excludes `sysctl`). */
  readonly exclude?: readonly OpName[];
  /** Never open a ptmx while this many masters are open (the kernel harness wants few ptys). */
  readonly maxOpenPtys?: number;
  /** Mount data strings (default `any`). */
  readonly vocabulary?: OptionVocabulary;
  /** Never generate an op that names a devpts ptmx node, by any path (R1, D5, U1). */
  readonly avoidDevptsPtmx?: boolean;
  /** Boot configurations to choose from (default DEFAULT_BOOTS; the first is the shrink target). */
  readonly boots?: readonly BootConfig[];
  /** Ops run first, before any generated op. */
  readonly prefix?: readonly Op[];
  /** Relative weights of intent kinds (missing kinds keep their default; 0 disables one). */
  readonly weights?: Partial<Record<IntentKind, number>>;
}

interface Resolved {
  readonly maxSteps: number;
  readonly exclude: ReadonlySet<string>;
  readonly maxOpenPtys: number;
  readonly vocabulary: OptionVocabulary;
  readonly avoidDevptsPtmx: boolean;
  readonly boots: readonly BootConfig[];
  readonly prefix: readonly Op[];
  /** cumulative weights scaled to 0..1000, one per kind */
  readonly table: readonly number[];
}

function resolveOptions(o: GenOptions): Resolved {
  const weights = { ...DEFAULT_WEIGHTS, ...o.weights };
  const total = INTENT_KINDS.reduce((s, k) => s + Math.max(0, weights[k]), 0);
  let acc = 0;
  const table = INTENT_KINDS.map((k) => (acc += (Math.max(0, weights[k]) * 1000) / total));
  return {
    maxSteps: o.maxSteps ?? 20,
    exclude: new Set(o.exclude ?? []),
    maxOpenPtys: o.maxOpenPtys ?? Infinity,
    vocabulary: o.vocabulary ?? 'any',
    avoidDevptsPtmx: o.avoidDevptsPtmx ?? false,
    boots: o.boots && o.boots.length > 0 ? o.boots : DEFAULT_BOOTS,
    prefix: o.prefix ?? [],
    table,
  };
}

// ---- the path universe ---------------------------------------------------------------

const PTMX_PATHS = ['/dev/ptmx', '/dev/pts/ptmx', '/dev/ptmx', '/tmp/a/ptmx', '/tmp/a/pts/ptmx', '/tmp/b/ptmx', '/dev/pts/ptmx', '/tmp/a/myptmx'];
const DEVPTS_TARGETS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/tmp/b/pts', '/tmp/a', '/dev/pts'];
const TMPFS_TARGETS = ['/dev/pts', '/tmp/a', '/tmp/a/pts', '/tmp/b'];
const REMOUNT_TARGETS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/dev/ptmx', '/tmp/a/ptmx', '/tmp/a'];
const UMOUNT_TARGETS = ['/dev/pts', '/dev/ptmx', '/tmp/a/pts', '/dev/pts', '/tmp/a', '/tmp/a/ptmx', '/tmp/b/pts', '/tmp/b'];
const DIRS = ['/tmp/a', '/tmp/a/pts', '/tmp/b', '/tmp/b/pts'];
const NODE_PATHS = ['/tmp/a/ptmx', '/dev/ptmx', '/tmp/b/ptmx', '/tmp/a/myptmx'];
const TOUCH_PATHS = ['/tmp/a/ptmx', '/tmp/a/pts', '/tmp/x', '/dev/ptmx'];
const BINDS: readonly (readonly [string, string])[] = [
  ['/dev/pts/ptmx', '/dev/ptmx'], ['/dev/pts', '/tmp/a/pts'], ['/dev/pts/ptmx', '/tmp/a/ptmx'], ['/tmp/a/pts/ptmx', '/dev/ptmx'],
  ['/dev', '/tmp/b'], ['/tmp/a/pts', '/dev/pts'], ['/dev/pts/ptmx', '/dev/ptmx'],
];
const SYMLINKS: readonly (readonly [string, string])[] = [
  ['pts/ptmx', '/dev/ptmx'], ['/dev/pts', '/tmp/a/pts'], ['pts/ptmx', '/tmp/a/ptmx'], ['/dev/pts/ptmx', '/tmp/a/ptmx'],
  ['/tmp/a/pts/ptmx', '/dev/ptmx'], ['pts/ptmx', '/dev/ptmx'],
];
const UNLINKS = ['/dev/ptmx', '/tmp/a/ptmx', '/tmp/a/pts', '/dev/pts/ptmx', '/dev/pts/0', '/dev/ptmx'];
const CHMOD_PATHS = ['/dev/pts/ptmx', '/dev/ptmx', '/dev/pts/ptmx', '/tmp/a/pts/ptmx', '/tmp/a/ptmx', '/dev/pts'];
const MODES = ['0666', '0000', '0600', '0620', '0644', '0606'];
const STAT_PATHS = ['/dev/ptmx', '/dev/pts/ptmx', '/dev/pts', '/tmp/a/ptmx', '/tmp/a/pts/ptmx', '/tmp/a/pts'];
const READDIRS = ['/dev/pts', '/dev/pts', '/tmp/a/pts', '/dev', '/tmp/b/pts'];
const USERS: readonly (readonly [number, number])[] = [[1000, 1000], [1000, 5], [1001, 1001], [5, 5]];
const CHOWNS: readonly (readonly [number, number])[] = [[1000, 5], [0, 5], [1000, 1000]];
const SYSCTLS: readonly (readonly [string, number])[] = [
  ['kernel.pty.max', 2], ['kernel.pty.max', 1], ['kernel.pty.reserve', 0], ['kernel.pty.max', 3],
  ['kernel.pty.max', 0], ['kernel.pty.reserve', 1], ['kernel.pty.max', 4096], ['kernel.pty.reserve', 2],
];

const pick = <T>(n: number, items: readonly T[]): T => items[n % items.length]!;

function flagsFrom(n: number): MountFlag[] | undefined {
  switch (n % 12) {
    case 0: return ['nodev'];
    case 1: return ['ro'];
    case 2: return ['nosuid', 'noexec'];
    default: return undefined;
  }
}

// ---- the interpreter ---------------------------------------------------------------------

/**
 * Interprets intents (and scenario steps) against the evolving state of one subject and
 * records the run. Scenario code (properties/scenarios.ts) uses `emit` and the pickers.
 */
export class Builder {
  readonly subject: Subject;
  readonly boot: BootConfig;
  readonly o: Resolved;
  state: KernelState;
  readonly ops: Op[] = [];
  readonly states: KernelState[] = [];
  readonly results: StepResult[] = [];
  readonly marks: Record<string, number> = {};
  /** While true (a scenario's own steps), `maxSteps` does not cap emitted ops. */
  inScenario = false;
  private nextPid = 2;
  private nextHandle = 1;

  constructor(subject: Subject, boot: BootConfig, options: Resolved) {
    this.subject = subject;
    this.boot = boot;
    this.o = options;
    this.state = bootState(subject, boot);
    this.states.push(this.state);
  }

  get full(): boolean { return this.ops.length >= this.o.maxSteps; }

  /**
   * Step one op and record it. Returns null (and records nothing) for an excluded op,
   * an op naming a devpts ptmx node under `avoidDevptsPtmx`, a full sequence (unless
   * `mark`ed: scenario steps always run), or a tool error (never expected).
   */
  emit(op: Op, mark?: string): StepResult | null {
    if (mark === undefined && !this.inScenario && this.full) return null;
    if (this.o.exclude.has(op.op)) return null;
    if (this.o.avoidDevptsPtmx && namesDevptsPtmx(this.state, op)) return null;
    const out = this.subject.step(this.state, op);
    if (isToolError(out.result)) return null;
    if (mark !== undefined) this.marks[mark] = this.ops.length;
    this.ops.push(op);
    this.state = out.state;
    this.states.push(out.state);
    this.results.push(out.result);
    return out.result;
  }

  handleName(): string { return `h${this.nextHandle++}`; }
  newPid(): number {
    while (this.state.procs[this.nextPid]) this.nextPid++;
    return this.nextPid++;
  }

  private pidsOf: KernelState | null = null;
  private pidList: number[] = [];
  private rootList: number[] = [];
  /** Live pids, ascending (cached per state). */
  pids(): number[] {
    if (this.pidsOf !== this.state) {
      this.pidsOf = this.state;
      this.pidList = [];
      this.rootList = [];
      for (const k in this.state.procs) {
        const p = this.state.procs[k]!;
        this.pidList.push(p.pid);
        if (p.uid === 0) this.rootList.push(p.pid);
      }
      this.pidList.sort((x, y) => x - y);
      this.rootList.sort((x, y) => x - y);
    }
    return this.pidList;
  }
  rootPids(): number[] { this.pids(); return this.rootList; }
  /** A root process if there is one (else any process: its privileged ops get EPERM). */
  rootPid(n: number): number {
    const roots = this.rootPids();
    return roots.length > 0 ? pick(n, roots) : pick(n, this.pids());
  }
  masters(): { fd: string; pid: number }[] {
    const out: { fd: string; pid: number }[] = [];
    for (const fd in this.state.handles) { const h = this.state.handles[fd]!; if (h.kind === 'master') out.push({ fd, pid: h.pid }); }
    return out;
  }
  handles(): { fd: string; pid: number }[] {
    const out: { fd: string; pid: number }[] = [];
    for (const fd in this.state.handles) out.push({ fd, pid: this.state.handles[fd]!.pid });
    return out;
  }
  /** /dev/pts/N and /tmp/a/pts/N for indices some instance holds. */
  slavePaths(): string[] {
    const idx = new Set<number>();
    for (const id in this.state.fss) {
      const fs = this.state.fss[id]!;
      if (fs.kind === 'devpts') for (const i in fs.ptys) idx.add(Number(i));
    }
    const out: string[] = [];
    for (const i of [...idx].sort((x, y) => x - y)) out.push(`/dev/pts/${i}`, `/tmp/a/pts/${i}`);
    return out;
  }
  exists(pid: number, path: string): boolean { return resolveAs(this.state, pid, path, true) !== null; }
  /**
   * A path from `paths` that exists for `pid` (following symlinks), trying them in turn
   * from index n; one time in eight (or when none exists) just paths[n]: failures are
   * interesting too, but most steps should do something.
   */
  existing(n: number, paths: readonly string[], pid: number): string {
    if ((n >> 7) % 8 === 7) return pick(n, paths);
    for (let k = 0; k < paths.length; k++) {
      const p = paths[(n + k) % paths.length]!;
      if (resolveAs(this.state, pid, p) !== null) return p;
    }
    return pick(n, paths);
  }
  /** Make a directory under /tmp exist (its parents too), as a script would before mounting on it. */
  ensureDir(pid: number, path: string): void {
    if (!path.startsWith('/tmp/') || this.exists(pid, path)) return;
    this.parents(pid, path);
    this.emit({ op: 'mkdir', pid, path });
  }
  options(picks: readonly number[], position: number): string | undefined { return optionString(this.o.vocabulary, picks, position); }

  /** unlink `path` first when it exists (so a following create can succeed). */
  clear(pid: number, path: string): void {
    if (this.exists(pid, path)) this.emit({ op: 'unlink', pid, path });
  }
  /** mkdir the parents of `path` that are missing (only under /tmp). */
  parents(pid: number, path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 2; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/');
      if (dir.startsWith('/tmp/') && !this.exists(pid, dir)) this.emit({ op: 'mkdir', pid, path: dir });
    }
  }

  openPtmx(pid: number, path: string, mark?: string): StepResult | null {
    if (this.masters().length >= this.o.maxOpenPtys) return null;
    return this.emit({ op: 'open', pid, path, as: this.handleName() }, mark);
  }

  /** Interpret one intent. */
  intent(intent: Intent): void {
    const [sel, a, b, items] = intent;
    let k = 0;
    while (k < this.o.table.length - 1 && sel * 1 >= this.o.table[k]!) k++;
    const kind = INTENT_KINDS[k]!;
    const pids = this.pids();
    switch (kind) {
      case 'openPtmx': { const pid = pick(a, pids); this.openPtmx(pid, this.existing(b, PTMX_PATHS, pid)); return; }
      case 'openSlave': {
        const slaves = this.slavePaths();
        const pid = pick(a, pids);
        if (slaves.length === 0) { this.openPtmx(pid, this.existing(b, PTMX_PATHS, pid)); return; }
        this.emit({ op: 'open', pid, path: this.existing(b, slaves, pid), as: this.handleName() });
        return;
      }
      case 'unlockpt': case 'peer': {
        const ms = this.masters();
        if (ms.length === 0) { const pid = pick(a, pids); this.openPtmx(pid, this.existing(b, PTMX_PATHS, pid)); return; }
        const m = pick(a, ms);
        this.emit(kind === 'peer' ? { op: 'peer', pid: m.pid, fd: m.fd, as: this.handleName() } : { op: 'unlockpt', pid: m.pid, fd: m.fd });
        return;
      }
      case 'close': {
        const hs = this.handles();
        if (hs.length === 0) return;
        const h = pick(a, hs);
        this.emit({ op: 'close', pid: h.pid, fd: h.fd });
        return;
      }
      case 'spawn': {
        const parent = pick(a, pids);
        const newns = b % 2 === 0 && this.state.procs[parent]!.uid === 0;
        this.emit({ op: 'spawn', pid: parent, child: this.newPid(), ...(newns ? { newns: true } : {}) });
        return;
      }
      case 'setuid': {
        // init stays root: only spawned root processes drop privileges
        const cands = pids.filter((p) => p !== 1 && this.state.procs[p]!.uid === 0);
        if (cands.length === 0) { this.user(a, b); return; }
        const [uid, gid] = pick(b, USERS);
        this.emit({ op: 'setuid', pid: pick(a, cands), uid, gid });
        return;
      }
      case 'exit': {
        const cands = pids.filter((p) => p !== 1);
        if (cands.length > 0) this.emit({ op: 'exit', pid: pick(a, cands) });
        return;
      }
      case 'unshare': this.emit({ op: 'unshare', pid: this.rootPid(a) }); return;
      case 'mountDevpts': {
        const options = this.options(items, b);
        const flags = flagsFrom(a >> 3);
        const pid = this.rootPid(a);
        const target = pick(b, DEVPTS_TARGETS);
        this.ensureDir(pid, target);
        this.emit({ op: 'mount', pid, fstype: 'devpts', target, ...(options !== undefined ? { options } : {}), ...(flags ? { flags } : {}) });
        return;
      }
      case 'mountTmpfs': {
        const pid = this.rootPid(a);
        const target = pick(b, TMPFS_TARGETS);
        this.ensureDir(pid, target);
        this.emit({ op: 'mount', pid, fstype: 'tmpfs', target });
        return;
      }
      case 'remount': {
        const options = this.options(items, b);
        const pid = this.rootPid(a);
        this.emit({ op: 'remount', pid, target: this.existing(b, REMOUNT_TARGETS, pid), ...(options !== undefined ? { options } : {}), ...(a % 16 === 15 ? { flags: ['ro'] as MountFlag[] } : {}) });
        return;
      }
      case 'bind': {
        const pid = this.rootPid(a);
        const source0 = this.existing(b, BINDS.map(([src]) => src), pid);
        const [source, target] = BINDS.find(([src], k) => src === source0 && k >= b % BINDS.length) ?? BINDS.find(([src]) => src === source0) ?? pick(b, BINDS);
        if (target.startsWith('/tmp/') && !this.exists(pid, target)) {
          this.parents(pid, target);
          this.emit(target.endsWith('ptmx') ? { op: 'touch', pid, path: target } : { op: 'mkdir', pid, path: target });
        }
        this.emit({ op: 'bind', pid, source, target, ...(b % 5 === 4 ? { recursive: true } : {}) });
        return;
      }
      case 'umount': { const pid = this.rootPid(a); this.emit({ op: 'umount', pid, target: this.existing(b, UMOUNT_TARGETS, pid), ...(b % 3 === 2 ? { lazy: true } : {}) }); return; }
      case 'mkdir': {
        const pid = pick(a, pids);
        const path = DIRS.find((d) => !this.exists(pid, d)) ?? pick(b, DIRS);
        this.emit({ op: 'mkdir', pid, path });
        return;
      }
      case 'mknod': {
        const pid = this.rootPid(a);
        const path = pick(b, NODE_PATHS);
        this.parents(pid, path);
        this.clear(pid, path);
        this.emit({ op: 'mknod', pid, path, major: 5, minor: 2, mode: '0666' });
        return;
      }
      case 'touch': {
        const pid = pick(a, pids);
        const path = pick(b, TOUCH_PATHS);
        this.parents(pid, path);
        this.emit({ op: 'touch', pid, path });
        return;
      }
      case 'symlink': {
        const pid = this.rootPid(a);
        const [target, path] = pick(b, SYMLINKS);
        this.parents(pid, path);
        this.clear(pid, path);
        this.emit({ op: 'symlink', pid, target, path });
        return;
      }
      case 'unlink': { const pid = this.rootPid(a); this.emit({ op: 'unlink', pid, path: this.existing(b, UNLINKS, pid) }); return; }
      case 'chmod': {
        const pid = b % 4 === 3 ? pick(a, pids) : this.rootPid(a);
        const slaves = this.slavePaths();
        const paths = slaves.length > 0 ? [...CHMOD_PATHS, slaves[0]!] : CHMOD_PATHS;
        this.emit({ op: 'chmod', pid, path: this.existing(b, paths, pid), mode: pick(a >> 2, MODES) });
        return;
      }
      case 'chown': {
        const [uid, gid] = pick(a >> 2, CHOWNS);
        const pid = this.rootPid(a);
        this.emit({ op: 'chown', pid, path: this.existing(b, ['/dev/pts/ptmx', ...this.slavePaths().slice(0, 2)], pid), uid, gid });
        return;
      }
      case 'stat': {
        const pid = pick(a, pids);
        const slaves = this.slavePaths();
        const paths = slaves.length > 0 ? [...STAT_PATHS, slaves[0]!] : STAT_PATHS;
        this.emit({ op: 'stat', pid, path: this.existing(b, paths, pid), ...(b % 3 === 2 ? { nofollow: true } : {}) });
        return;
      }
      case 'readdir': { const pid = pick(a, pids); this.emit({ op: 'readdir', pid, path: this.existing(b, READDIRS, pid) }); return; }
      case 'sysctl': {
        const [name, value] = pick(b, SYSCTLS);
        this.emit({ op: 'sysctl', pid: this.rootPid(a), name, value });
        return;
      }
      case 'container': this.container(a, b, items); return;
      case 'redirect': this.redirect(this.rootPid(a), b); return;
      case 'layout': this.layout(a, b, items); return;
      case 'user': this.user(a, b); return;
      case 'pty': this.pty(a, b); return;
    }
  }

  /** A working pty: open a ptmx, unlock it, open its slave (by path next to the ptmx, or by TIOCGPTPEER). */
  pty(a: number, b: number): void {
    const pid = pick(a, this.pids());
    const path = this.existing(b, PTMX_PATHS, pid);
    if (this.masters().length >= this.o.maxOpenPtys) return;
    const fd = this.handleName();
    const r = this.emit({ op: 'open', pid, path, as: fd });
    if (r === null || !('index' in r) || r.index === undefined) return;
    this.emit({ op: 'unlockpt', pid, fd });
    if ((b >> 3) % 3 === 2) { this.emit({ op: 'peer', pid, fd, as: this.handleName() }); return; }
    const dir = path.endsWith('/pts/ptmx') ? path.slice(0, -5) : `${path.slice(0, path.lastIndexOf('/'))}/pts`;
    this.emit({ op: 'open', pid, path: `${dir}/${r.index}`, as: this.handleName() });
    // sometimes hang up at once: the master closes while the slave stays open (K6)
    if ((b >> 5) % 4 === 3) this.emit({ op: 'close', pid, fd });
  }

  /** spawn a process in a new mount namespace; it umounts /dev/pts and mounts its own devpts (maybe redirecting /dev/ptmx). */
  container(a: number, b: number, items: readonly number[]): void {
    const parent = this.rootPid(a);
    const child = this.newPid();
    if (this.emit({ op: 'spawn', pid: parent, child, newns: true }) === null) return;
    if (b % 4 !== 3) this.emit({ op: 'umount', pid: child, target: '/dev/pts', ...(b % 4 === 2 ? { lazy: true } : {}) });
    let options = this.options(items, b);
    // favour newinstance where the vocabulary allows it and it is not already there
    if ((b >> 2) % 3 !== 0 && (this.o.vocabulary === 'any') && !(options ?? '').split(',').includes('newinstance')) {
      options = options === undefined ? 'newinstance' : `newinstance,${options}`;
    }
    this.emit({ op: 'mount', pid: child, fstype: 'devpts', target: '/dev/pts', ...(options !== undefined ? { options } : {}) });
    if ((b >> 4) % 3 === 1) this.redirect(child, b >> 6);
    // half the time something in the container opens a pty right away (its sshd, its console)
    if ((a >> 3) % 2 === 1) this.openPtmx(child, '/dev/ptmx');
  }

  /** /dev/ptmx → pts/ptmx by symlink (with chmod 0666 of the node half the time) or by bind mount. */
  redirect(pid: number, b: number): void {
    if (b % 2 === 0) {
      if (b % 4 === 0) this.emit({ op: 'chmod', pid, path: '/dev/pts/ptmx', mode: '0666' });
      this.clear(pid, '/dev/ptmx');
      this.emit({ op: 'symlink', pid, target: 'pts/ptmx', path: '/dev/ptmx' });
    } else {
      if (!this.exists(pid, '/dev/ptmx')) this.emit({ op: 'touch', pid, path: '/dev/ptmx' });
      this.emit({ op: 'bind', pid, source: '/dev/pts/ptmx', target: '/dev/ptmx' });
    }
  }

  /** Layouts away from /dev: a sibling `pts` next to a mknod'ed ptmx, tmpfs over pts, a ptmx bind in /tmp, a `pts` symlink. */
  layout(a: number, b: number, items: readonly number[]): void {
    const pid = this.rootPid(a);
    const options = this.options(items, b);
    const devptsAt = (target: string) => this.emit({ op: 'mount', pid, fstype: 'devpts', target, ...(options !== undefined ? { options } : {}) });
    const node = (path: string) => { this.clear(pid, path); this.emit({ op: 'mknod', pid, path, major: 5, minor: 2, mode: '0666' }); };
    const dir = (path: string) => { if (!this.exists(pid, path)) this.emit({ op: 'mkdir', pid, path }); };
    switch (b % 5) {
      case 0: dir('/tmp/a'); dir('/tmp/a/pts'); devptsAt('/tmp/a/pts'); node('/tmp/a/ptmx'); return;
      case 1: dir('/tmp/a'); this.emit({ op: 'mount', pid, fstype: 'tmpfs', target: '/tmp/a' }); dir('/tmp/a/pts'); node('/tmp/a/ptmx'); if (a % 2 === 0) devptsAt('/tmp/a/pts'); return;
      case 2: this.emit({ op: 'mount', pid, fstype: 'tmpfs', target: '/dev/pts' }); if (a % 2 === 0) devptsAt('/dev/pts'); return;
      case 3: dir('/tmp/a'); if (!this.exists(pid, '/tmp/a/ptmx')) this.emit({ op: 'touch', pid, path: '/tmp/a/ptmx' }); this.emit({ op: 'bind', pid, source: '/dev/pts/ptmx', target: '/tmp/a/ptmx' }); return;
      default: dir('/tmp/a'); this.clear(pid, '/tmp/a/pts'); this.emit({ op: 'symlink', pid, target: '/dev/pts', path: '/tmp/a/pts' }); node('/tmp/a/ptmx'); return;
    }
  }

  /** spawn an unprivileged process (same namespace as its parent). */
  user(a: number, b: number): number | null {
    const parent = pick(a, this.pids());
    const child = this.newPid();
    if (this.emit({ op: 'spawn', pid: parent, child }) === null) return null;
    const [uid, gid] = pick(b, USERS);
    if (this.state.procs[child]!.uid === 0) this.emit({ op: 'setuid', pid: child, uid, gid });
    return child;
  }

  finish(): Run {
    return { subject: this.subject, boot: this.boot, ops: this.ops, states: this.states, results: this.results, marks: this.marks };
  }
}

/** Does `op` name a devpts ptmx node (its own /dev/pts/ptmx, through any path, bind or symlink) in this state? */
export function namesDevptsPtmx(state: KernelState, op: Op): boolean {
  const pid = op.pid ?? 1;
  const hit = (path: string | undefined) => {
    if (path === undefined) return false;
    const follow = resolveAs(state, pid, path, false);
    if (follow && isDevptsPtmx(follow)) return true;
    const nofollow = resolveAs(state, pid, path, true);
    return nofollow !== null && isDevptsPtmx(nofollow);
  };
  switch (op.op) {
    case 'bind': return hit(op.source) || hit(op.target);
    case 'symlink': {
      const body = op.target.startsWith('/') ? op.target : `${op.path.slice(0, op.path.lastIndexOf('/') + 1)}${op.target}`;
      return hit(body) || /(^|\/)ptmx$/.test(op.target) && op.target.includes('pts');
    }
    case 'mount': case 'remount': case 'umount': return hit(op.target);
    case 'mkdir': case 'mknod': case 'touch': case 'unlink': case 'chmod': case 'chown': case 'stat': case 'open':
      return hit(op.path);
    default: return false;
  }
}

export interface Generated { readonly boot: number; readonly intents: readonly Intent[] }

/** The intents of one sequence: a boot choice and at most `maxSteps` intents. */
export function generatedArbitrary(maxSteps: number): fc.Arbitrary<Generated> {
  return fc.record({ boot: fc.nat(15), intents: fc.array(intentArbitrary, { maxLength: maxSteps, size: 'max' }) });
}

/** The boot a generated choice names: half the runs boot the first (default) configuration. */
export const bootChoice = (boots: readonly BootConfig[], n: number): BootConfig => boots[n < boots.length ? n : 0] ?? {};

/** A boot the subject accepts: the chosen one, else (a mutant rejecting init's mount options) the first of the list. */
function usableBoot(subject: Subject, boots: readonly BootConfig[], n: number): BootConfig {
  const chosen = bootChoice(boots, n);
  try {
    bootState(subject, chosen);
    return chosen;
  } catch (err) {
    if (!(err instanceof BootError) || chosen === (boots[0] ?? {})) throw err;
    return boots[0] ?? {};
  }
}

/** Interpret generated intents for a subject (deterministic: the same intents give the same run). */
export function interpret(subject: Subject, options: GenOptions | Resolved, g: Generated): Run {
  const o = 'table' in options ? options : resolveOptions(options);
  const b = new Builder(subject, usableBoot(subject, o.boots, g.boot), o);
  o.prefix.forEach((op, i) => b.emit(op, `prefix${i}`));
  for (const intent of g.intents) {
    if (b.full) break;
    b.intent(intent);
  }
  return b.finish();
}

/** Random runs of a subject (profile ID, profile record or subject). */
export function runs(target: SubjectLike, options: GenOptions = {}): fc.Arbitrary<Run> {
  const subject = subjectOf(target);
  const o = resolveOptions(options);
  return generatedArbitrary(o.maxSteps).map((g) => interpret(subject, o, g));
}

/** Only the ops of random runs (for consumers that execute them elsewhere, e.g. the live kernel). */
export function opSequences(target: SubjectLike, options: GenOptions = {}): fc.Arbitrary<{ boot: BootConfig; ops: readonly Op[] }> {
  return runs(target, options).map((r) => ({ boot: r.boot, ops: r.ops }));
}

// ---- scenarios -------------------------------------------------------------------------

/** A scenario: fixed-shape steps (parameterised by a few numbers) emitted after a random prefix, with marks. */
export type Scenario = (b: Builder, params: readonly number[]) => void;

export interface ScenarioGenerated { readonly boot: number; readonly pre: readonly Intent[]; readonly params: readonly number[]; readonly post: readonly Intent[] }

/**
 * Runs that embed a scenario: random intents (up to half of maxSteps), the scenario's own
 * steps (marked), then a few random intents. The prefix makes the scenario start from
 * varied states; shrinking removes what the violation does not need.
 */
export function scenarioRuns(target: SubjectLike, scenario: Scenario, options: GenOptions = {}): fc.Arbitrary<Run> {
  const subject = subjectOf(target);
  const o = resolveOptions(options);
  const half = Math.max(0, Math.floor(o.maxSteps / 2));
  return fc.record({
    boot: fc.nat(15),
    pre: fc.array(intentArbitrary, { maxLength: half, size: 'max' }),
    params: fc.array(fc.nat(1023), { minLength: 6, maxLength: 6 }),
    post: fc.array(intentArbitrary, { maxLength: Math.max(0, o.maxSteps - half), size: 'max' }),
  }).map((g) => interpretScenario(subject, o, scenario, g));
}

export function interpretScenario(subject: Subject, options: GenOptions | Resolved, scenario: Scenario, g: ScenarioGenerated): Run {
  const o = 'table' in options ? options : resolveOptions(options);
  const b = new Builder(subject, usableBoot(subject, o.boots, g.boot), o);
  o.prefix.forEach((op, i) => b.emit(op, `prefix${i}`));
  for (const intent of g.pre) { if (b.full) break; b.intent(intent); }
  b.inScenario = true;
  scenario(b, g.params);
  b.inScenario = false;
  for (const intent of g.post) { if (b.full) break; b.intent(intent); }
  return b.finish();
}

export { resolveOptions };
