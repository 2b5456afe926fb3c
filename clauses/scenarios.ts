// Clauses about a *procedure* (the document's container example, its redirect recipes,
// the recommended container script): the procedure's steps are emitted as a scenario
// after a random prefix (and followed by a few random steps), and the check reads the
// scenario's marked steps. A run whose scenario steps do not get as far as the clause's
// premise (a prefix made /dev/ptmx a mount point, dropped privileges, ...) is vacuous:
// it neither confirms nor refutes the clause; evidence counts the runs that did.
//
// Plus U7, a run-level check (namespace isolation) that is not a single transition.

import { INITIAL_NS, isErrno, isOk, type KernelState, type Op } from '../model/index.ts';
import type { RunCheck, Scenario, ScenarioBuilder } from './checks.ts';
import { describeResult } from './describe.ts';
import { allocation, attachedMount, deepEqual, devpts, devptsAt, hasItem, instances, isPtmxNode, optionItems, resolveAs } from './observe.ts';
import type { Run } from './run.ts';

const pick = <T>(n: number, items: readonly T[]): T => items[n % items.length]!;
const okAt = (run: Run, mark: string): boolean => run.marks[mark] !== undefined && isOk(run.results[run.marks[mark]!]!);
const stateBefore = (run: Run, mark: string): KernelState => run.states[run.marks[mark]!]!;
const stateAfter = (run: Run, mark: string): KernelState => run.states[run.marks[mark]! + 1]!;
const opAt = (run: Run, mark: string): Op => run.ops[run.marks[mark]!]!;
const isLimit = (r: unknown): boolean => isErrno(r as never) && ((r as { errno: string }).errno === 'ENOSPC' || (r as { errno: string }).errno === 'EIO');

/** Start the procedure as init or as a fresh container (a child in a new namespace). */
function actor(b: ScenarioBuilder, p: number, q: number): number {
  const pid = b.rootPid(q);
  if (p % 2 === 1) {
    const c = b.newPid();
    if (b.emit({ op: 'spawn', pid, child: c, newns: true }, 'container') !== null) return c;
  }
  return pid;
}

// ---- D8: the document's container example ------------------------------------------------

/**
 *   $ chmod 0666 /dev/pts/ptmx ; rm /dev/ptmx ; ln -s pts/ptmx /dev/ptmx
 *   $ ns_exec -cm /bin/bash          # clone(CLONE_NEWNS)
 *   $ umount /dev/pts ; mount -t devpts -o newinstance lxcpts /dev/pts
 *   $ sshd -p 1234                   # opens a pty
 */
export const d8Scenario: Scenario = (b, p) => {
  const host = b.rootPid(p[0]!);
  b.emit({ op: 'chmod', pid: host, path: '/dev/pts/ptmx', mode: '0666' }, 'chmod');
  b.emit({ op: 'unlink', pid: host, path: '/dev/ptmx' }, 'rm');
  b.emit({ op: 'symlink', pid: host, target: 'pts/ptmx', path: '/dev/ptmx' }, 'ln');
  const shell = b.newPid();
  if (b.emit({ op: 'spawn', pid: host, child: shell, newns: true }, 'ns_exec') === null) return;
  b.emit({ op: 'umount', pid: shell, target: '/dev/pts' }, 'umount');
  b.emit({ op: 'mount', pid: shell, fstype: 'devpts', target: '/dev/pts', options: 'newinstance' }, 'mount');
  const sshd = b.newPid();
  if (b.emit({ op: 'spawn', pid: shell, child: sshd }, 'sshd') === null) return;
  b.emit({ op: 'open', pid: sshd, path: '/dev/ptmx', as: b.handleName() }, 'open');
};

/** D8: the daemon's pty is not visible in the original mount of /dev/pts (the host's, at the start of the example). */
export const d8Check: RunCheck = (run, witness) => {
  if (!['ln', 'ns_exec', 'mount', 'sshd'].every((m) => okAt(run, m)) || run.marks.open === undefined) return null;
  const i = run.marks.open;
  const r = run.results[i]!;
  if (!isOk(r)) return null;
  witness();
  const a = allocation(run.states[i + 1]!, run.ops[i]!, r)!;
  const host = opAt(run, 'chmod').pid ?? 1;
  const original = devptsAt(stateBefore(run, 'chmod'), host, '/dev/pts');
  const now = devptsAt(run.states[i + 1]!, host, '/dev/pts');
  for (const fs of [original, now]) {
    if (fs && fs.id === a.fs) return { step: i, message: `the daemon's pty (${a.fs} index ${a.index}) is visible in the host's mount of /dev/pts (${fs.id})` };
  }
  return null;
};

// ---- U2: either redirect makes /dev/ptmx allocate in the new instance ------------------------

export const u2Scenario: Scenario = (b, p) => {
  const pid = actor(b, p[0]!, p[1]!);
  if (p[2]! % 2 === 0) b.emit({ op: 'umount', pid, target: '/dev/pts' });
  const options = pick(p[3]!, ['newinstance', 'newinstance,ptmxmode=0666', 'ptmxmode=0666,newinstance,mode=620,gid=5']);
  b.emit({ op: 'mount', pid, fstype: 'devpts', target: '/dev/pts', options }, 'mount');
  if (p[4]! % 2 === 0) {
    b.clear(pid, '/dev/ptmx');
    b.emit({ op: 'symlink', pid, target: 'pts/ptmx', path: '/dev/ptmx' }, 'redirect');
  } else {
    if (!b.exists(pid, '/dev/ptmx')) b.emit({ op: 'touch', pid, path: '/dev/ptmx' });
    b.emit({ op: 'bind', pid, source: '/dev/pts/ptmx', target: '/dev/ptmx' }, 'redirect');
  }
  b.emit({ op: 'open', pid, path: '/dev/ptmx', as: b.handleName() }, 'open');
};

export const u2Check: RunCheck = (run, witness) => {
  if (!okAt(run, 'mount') || !okAt(run, 'redirect') || run.marks.open === undefined) return null;
  const i = run.marks.open;
  const r = run.results[i]!;
  if (isLimit(r)) return null;
  witness();
  const fresh = attachedMount(stateBefore(run, 'mount'), stateAfter(run, 'mount'))!.fs;
  const how = opAt(run, 'redirect').op === 'bind' ? 'bind mount' : 'symlink';
  if (stateBefore(run, 'mount').fss[fresh]) return { step: i, message: `the newinstance mount attached the existing instance ${fresh}: after the ${how} redirect /dev/ptmx allocates in no new instance` };
  if (!isOk(r)) return { step: i, message: `after a newinstance mount and a ${how} redirect, open /dev/ptmx gives ${describeResult(r)}` };
  const a = allocation(run.states[i + 1]!, run.ops[i]!, r)!;
  if (a.fs !== fresh) return { step: i, message: `after a newinstance mount (${fresh}) and a ${how} redirect, open /dev/ptmx allocated in ${a.fs}` };
  return null;
};

// ---- U3: the symlink redirect with ptmxmode (fstab) or chmod lets non-root users open ----------

/** fstab entries carrying ptmxmode, with and without newinstance. */
export const U3_FSTAB = ['ptmxmode=0666', 'gid=5,mode=620,ptmxmode=0666', 'newinstance,ptmxmode=0666', 'ptmxmode=666,mode=0620', 'newinstance,gid=5,mode=620,ptmxmode=0666'];

export const u3Scenario: Scenario = (b, p) => {
  const pid = actor(b, p[0]! >> 1, p[1]!);
  if (p[0]! % 2 === 0) {
    if (p[3]! % 2 === 0) b.emit({ op: 'umount', pid, target: '/dev/pts' });
    b.emit({ op: 'mount', pid, fstype: 'devpts', target: '/dev/pts', options: pick(p[2]!, U3_FSTAB) }, 'setmode');
  } else {
    b.emit({ op: 'chmod', pid, path: '/dev/pts/ptmx', mode: '0666' }, 'setmode');
  }
  b.clear(pid, '/dev/ptmx');
  b.emit({ op: 'symlink', pid, target: 'pts/ptmx', path: '/dev/ptmx' }, 'redirect');
  const user = b.newPid();
  if (b.emit({ op: 'spawn', pid, child: user }, 'spawnUser') === null) return;
  b.emit({ op: 'setuid', pid: user, uid: 1000, gid: 1000 }, 'setuid');
  b.emit({ op: 'open', pid: user, path: '/dev/ptmx', as: b.handleName() }, 'open');
};

export const u3Check: RunCheck = (run, witness) => {
  if (!['setmode', 'redirect', 'spawnUser', 'setuid'].every((m) => okAt(run, m)) || run.marks.open === undefined) return null;
  // the premise: the mode really was set to let others read and write (an fstab entry carrying such a ptmxmode=, or chmod 0666)
  const set = opAt(run, 'setmode');
  if (set.op === 'mount' && !optionItems(set.options).some((it) => it.startsWith('ptmxmode=') && /^[0-7]+$/.test(it.slice(9)) && (parseInt(it.slice(9), 8) & 0o006) === 0o006)) return null;
  const i = run.marks.open;
  // the user must be able to reach the node (search permission on the way: a prefix may have chmod'ed /dev/pts),
  // and a ptmx node reached through a nodev mount is EACCES for everyone (K7's premise excludes it too)
  const node = resolveAs(run.states[i]!, run.ops[i]!.pid ?? 1, '/dev/ptmx');
  if (!node || run.states[i]!.mounts[node.pos.mount]!.flags.includes('nodev')) return null;
  const r = run.results[i]!;
  if (isLimit(r)) return null;
  witness();
  if (isOk(r)) return null;
  const how = set.op === 'mount' ? `ptmxmode in the fstab entry ("${set.options}")` : 'chmod 0666 /dev/pts/ptmx';
  return { step: i, message: `a non-root user cannot open /dev/ptmx → pts/ptmx (${describeResult(r)}) although its mode was set by ${how}${node ? `: the node is ${node.node.attrs.mode.toString(8).padStart(4, '0')}` : ''}` };
};

// ---- U4: the recommended container script ---------------------------------------------------

/**
 *   mount -t devpts -o newinstance -o ptmxmode=0666 devpts /dev/pts
 *   if [ ! -L /dev/ptmx ]; then mount -o bind /dev/pts/ptmx /dev/ptmx; fi
 * run in a container (a child in a new namespace); then the container uses ptys (root and
 * an unprivileged user) and the host must be unaffected.
 */
export const u4Scenario: Scenario = (b, p) => {
  const host = b.rootPid(p[0]!);
  const c = b.newPid();
  if (b.emit({ op: 'spawn', pid: host, child: c, newns: true }, 'container') === null) return;
  b.emit({ op: 'mount', pid: c, fstype: 'devpts', target: '/dev/pts', options: 'newinstance,ptmxmode=0666' }, 'mount');
  const test = b.emit({ op: 'stat', pid: c, path: '/dev/ptmx', nofollow: true }, 'test');
  if (test !== null && !(isOk(test) && test.type === 'lnk')) b.emit({ op: 'bind', pid: c, source: '/dev/pts/ptmx', target: '/dev/ptmx' }, 'bind');
  const h = b.handleName();
  const opened = b.emit({ op: 'open', pid: c, path: '/dev/ptmx', as: h }, 'open');
  if (opened !== null && isOk(opened)) {
    b.emit({ op: 'unlockpt', pid: c, fd: h }, 'unlock');
    b.emit({ op: 'open', pid: c, path: `/dev/pts/${opened.index}`, as: b.handleName() }, 'slave');
  }
  const user = b.newPid();
  if (b.emit({ op: 'spawn', pid: c, child: user }, 'spawnUser') === null) return;
  b.emit({ op: 'setuid', pid: user, uid: 1000, gid: 1000 }, 'setuid');
  b.emit({ op: 'open', pid: user, path: '/dev/ptmx', as: b.handleName() }, 'userOpen');
};

/** What an open of /dev/ptmx by `pid` does in `state`: the instance it allocates in, or its errno. */
function probe(run: Run, state: KernelState, pid: number): string {
  if (!state.procs[pid]) return 'no process';
  const out = run.subject.step(state, { op: 'open', pid, path: '/dev/ptmx', as: '__probe' });
  if (!isOk(out.result)) return (out.result as { errno?: string }).errno ?? 'error';
  return out.state.handles.__probe!.fs;
}

export const u4Check: RunCheck = (run, witness) => {
  if (!okAt(run, 'container') || !okAt(run, 'mount') || !okAt(run, 'test') || run.marks.open === undefined) return null;
  // the script assumes /dev/ptmx exists and, when it is a symlink, points to pts/ptmx
  const c = opAt(run, 'mount').pid!;
  const ptmx = resolveAs(stateBefore(run, 'test'), c, '/dev/ptmx', true);
  if (!ptmx) return null;
  if (ptmx.node.type === 'lnk' && !['pts/ptmx', '/dev/pts/ptmx'].includes(ptmx.node.target!)) return null;
  if (run.marks.bind !== undefined && !okAt(run, 'bind')) return null;
  const fresh = attachedMount(stateBefore(run, 'mount'), stateAfter(run, 'mount'))!.fs;
  const i = run.marks.open;
  const r = run.results[i]!;
  if (isLimit(r)) return null;
  witness();
  if (!isOk(r)) return { step: i, message: `in the container, open /dev/ptmx after the recommended script gives ${describeResult(r)}` };
  const a = allocation(run.states[i + 1]!, run.ops[i]!, r)!;
  if (a.fs !== fresh) return { step: i, message: `in the container, open /dev/ptmx allocated in ${a.fs}, not in the container's new instance ${fresh}` };
  if (okAt(run, 'unlock') && run.marks.slave !== undefined && !okAt(run, 'slave')) {
    return { step: run.marks.slave, message: `the container's pty ${a.index} cannot be opened by its slave path (${describeResult(run.results[run.marks.slave]!)})` };
  }
  if (okAt(run, 'setuid') && run.marks.userOpen !== undefined) {
    const u = run.results[run.marks.userOpen]!;
    if (!isOk(u) && !isLimit(u)) return { step: run.marks.userOpen, message: `an unprivileged user in the container cannot open /dev/ptmx (${describeResult(u)}) although the script set ptmxmode=0666` };
    const ua = isOk(u) ? allocation(run.states[run.marks.userOpen + 1]!, run.ops[run.marks.userOpen]!, u) : null;
    if (ua && ua.fs !== fresh) return { step: run.marks.userOpen, message: `the container user's pty was allocated in ${ua.fs}, not the container's instance ${fresh}` };
  }
  // the host is not broken: its instances keep their options, ptmx nodes and ptys, and its /dev/ptmx still allocates where it did
  const last = Math.max(...Object.values(run.marks).filter((m) => m >= run.marks.container!));
  const s0 = stateBefore(run, 'container');
  const s1 = run.states[last + 1]!;
  for (const was of instances(s0)) {
    const now = devpts(s1, was.id);
    if (!now) continue;
    if (!deepEqual(was.opts, now.opts)) return { step: run.marks.mount!, message: `the container's script changed the options of the host's instance ${was.id}` };
    if (!deepEqual(was.ptmx, now.ptmx)) return { step: run.marks.mount!, message: `the container's script changed the ptmx node of the host's instance ${was.id}` };
    if (Object.keys(was.ptys).join() !== Object.keys(now.ptys).join()) return { step: last, message: `the container's ptys changed the ptys of the host's instance ${was.id}` };
  }
  const host = opAt(run, 'container').pid ?? 1;
  const before = probe(run, s0, host), after = probe(run, s1, host);
  if (before !== after && after !== 'ENOSPC' && after !== 'EIO') return { step: last, message: `the host's open of /dev/ptmx ${before.startsWith('E') ? `gave ${before}` : `allocated in ${before}`} before the container's script and ${after.startsWith('E') ? `gives ${after}` : `allocates in ${after}`} after it` };
  return null;
};

// ---- U5: a newinstance mount without a redirect -------------------------------------------

export const u5Scenario: Scenario = (b, p) => {
  const pid = actor(b, p[0]!, p[1]!);
  if (p[2]! % 2 === 0) b.emit({ op: 'umount', pid, target: '/dev/pts' });
  b.emit({ op: 'mount', pid, fstype: 'devpts', target: '/dev/pts', options: pick(p[3]!, ['newinstance', 'newinstance,ptmxmode=0666', 'newinstance,gid=5,mode=620']) }, 'mount');
  b.emit({ op: 'open', pid, path: '/dev/ptmx', as: b.handleName() }, 'open');
};

export const u5Check: RunCheck = (run, witness) => {
  if (!okAt(run, 'mount') || run.marks.open === undefined) return null;
  const i = run.marks.open;
  const op = run.ops[i]!;
  const node = resolveAs(run.states[i]!, op.pid ?? 1, '/dev/ptmx');
  if (!node || !isPtmxNode(node.node) || node.node.devpts) return null; // a redirect is in place: not U5's premise
  const r = run.results[i]!;
  if (!isOk(r)) return null;
  witness();
  const a = allocation(run.states[i + 1]!, op, r)!;
  const initial = run.states[i]!.initialInstance;
  if (a.fs !== initial) return { step: i, message: `open("/dev/ptmx") after a newinstance mount without a redirect allocated in ${a.fs}, not the initial instance ${initial}` };
  const fresh = devptsAt(run.states[i + 1]!, op.pid ?? 1, '/dev/pts');
  if (fresh && fresh.id === a.fs) return { step: i, message: `the pty ${a.index} allocated through /dev/ptmx is visible in the new mount (${fresh.id})` };
  return null;
};

// ---- U7: isolation of namespaces ----------------------------------------------------------------

/** Does a run satisfy U7's premise for isolation: every devpts mount, boot included, uses newinstance? */
export function allNewinstance(run: Run): boolean {
  if (run.boot.mountDevpts !== false && !hasItem(run.boot.devptsOptions, 'newinstance')) return false;
  return run.ops.every((op) => !(op.op === 'mount' && op.fstype === 'devpts') || hasItem(op.options, 'newinstance'));
}

/**
 * U7: (a) a mount without newinstance lets a container see the host's ptys: it attaches
 * the initial instance, the one every plain mount (the host's included) shows; (b) if
 * every devpts mount, the host's included, uses newinstance, no namespace sees another's
 * ptys: a pty allocated by a process whose namespace mounted its own /dev/pts is never
 * listed in the /dev/pts that another namespace mounted itself. ("Mounted itself": the
 * topmost mount at /dev/pts was made by a mount in that namespace, not inherited by
 * copying a parent's namespace — a copy sees its parent's mounts by definition.)
 */
export const u7Check: RunCheck = (run, witness) => {
  const own = new Set<string>();   // devpts mounts made by a mount in their own namespace (boot's included)
  const made = new Set<string>();  // every mount made by an op (not copied with a namespace)
  const s0 = run.states[0]!;
  for (const id in s0.mounts) { made.add(id); if (devpts(s0, s0.mounts[id]!.fs)) own.add(id); }
  const isolated = allNewinstance(run);
  for (let i = 0; i < run.ops.length; i++) {
    const op = run.ops[i]!, r = run.results[i]!, before = run.states[i]!, after = run.states[i + 1]!;
    if ((op.op === 'bind' || op.op === 'mount') && isOk(r)) {
      const m = attachedMount(before, after);
      if (m) made.add(m.id);
    }
    if (op.op === 'mount' && op.fstype === 'devpts' && isOk(r)) {
      const m = attachedMount(before, after);
      if (m) own.add(m.id);
      if (!hasItem(op.options, 'newinstance') && m && m.ns !== INITIAL_NS) {
        witness();
        if (m.fs !== before.initialInstance) return { step: i, message: `a container's devpts mount without newinstance attached ${m.fs}, not the initial instance the host's plain mounts show (${before.initialInstance})` };
      }
      continue;
    }
    if (!isolated) continue;
    const a = allocation(after, op, r);
    if (!a) continue;
    const pid = op.pid ?? 1;
    const mine = ownDevpts(after, pid, own);
    if (!mine) continue;
    witness();
    const nsA = after.procs[pid]!.ns;
    for (const ns in after.namespaces) {
      if (ns === nsA) continue;
      const someone = Object.values(after.procs).find((p) => p.ns === ns);
      if (!someone) continue;
      const theirs = ownDevpts(after, someone.pid, own);
      if (theirs && theirs.fs === a.fs) {
        const path = op.op === 'open' ? op.path : null;
        const via = path !== null ? resolveAs(before, pid, path) : null;
        const how = via && !made.has(via.pos.mount) ? `: ${path} reaches ${a.fs}'s ptmx node through a mount copied with the namespace` : '';
        return { step: i, message: `with every devpts mount using newinstance, pid ${pid}'s pty (${a.fs} index ${a.index}) is listed in the /dev/pts that namespace ${ns} mounted itself${how}` };
      }
    }
  }
  return null;
};

/** The devpts instance of the topmost mount at /dev/pts for a process, if that mount was made in its own namespace. */
function ownDevpts(state: KernelState, pid: number, own: ReadonlySet<string>): { fs: string } | null {
  const r = resolveAs(state, pid, '/dev/pts');
  if (!r) return null;
  const m = state.mounts[r.pos.mount]!;
  if (!own.has(m.id) || !devpts(state, m.fs) || r.pos.ino !== m.root) return null;
  return { fs: m.fs };
}
