// The four verdicts, computed by probing the model's state (shell/check.ts says when).
// Each probe is a short op sequence run on the same Run (so it is part of the trace)
// and cleans up after itself (its processes exit, which closes their handles), so the
// next probe, and the script if it goes on, start from the same state again.
//
// Role container (a container or chroot start-up script):
//   reachable        a root process in the container opens /dev/ptmx and its pty
//                    appears in the container's /dev/pts (and the slave opens)
//   isolated         the container's and the host's /dev/pts are different instances,
//                    and neither sees the pty the other opens through its /dev/ptmx
//   host unharmed    compared with a pristine boot: the host's /dev/pts/ptmx, the mode
//                    and owner of a fresh host pty; the host's /dev/ptmx still gives
//                    root a reachable pty (and a non-root host user, if it did at
//                    boot); the host's mounts (a mount propagated back to it, one left
//                    behind) and the host's /dev (on devtmpfs, a container's /dev may be it)
//   non-root usable  like reachable, as uid/gid 1000 in the container
// Role host (a boot or init script that prepares the machine itself):
//   reachable        root on the host (the script's process after it) gets a working
//                    pty listed in /dev/pts
//   non-root usable  so does uid 1000
//   isolated, host unharmed: null (not applicable)

import { boot, INITIAL_NS, profileOf, type BootConfig, type KernelResult } from '../model/index.ts';
import { mountTable } from './mountinfo.ts';
import { describeStat, showOptions } from './observe.ts';
import { HOST_PID, Run, SCRIPT_PID, type Finding, type RecordedStep } from './run.ts';
import type { AnyOp } from './world.ts';

export type VerdictName = 'reachable' | 'isolated' | 'hostUnharmed' | 'nonRootUsable';
export const VERDICT_NAMES: readonly VerdictName[] = ['reachable', 'isolated', 'hostUnharmed', 'nonRootUsable'];
export const VERDICT_TITLES: Readonly<Record<VerdictName, string>> = {
  reachable: 'reachable', isolated: 'isolated', hostUnharmed: 'host unharmed', nonRootUsable: 'non-root usable',
};

/** The script checker's answer to one question about a script (true, false or null): not a clause's verdict (clauses/verdict.ts). */
export interface ScriptVerdict {
  readonly name: VerdictName;
  /** null: the verdict does not apply to the script's role. */
  readonly value: boolean | null;
  /** A short reason, yes or no. */
  readonly why: string;
  /** The probe's steps, in the run's trace. */
  readonly steps: readonly RecordedStep[];
}

export interface Container {
  readonly pid: number;
  /** What started it (unshare, chroot, ns_exec, …); absent: the script's own process. */
  readonly how?: string;
  readonly ns: string;
  readonly line: number | null;
  readonly command: string | null;
  readonly description: string;
}

export const PROBE_UID = 1000;

/**
 * The container: the process started at `pid`, or the last process unshare, chroot or
 * ns_exec started that is still there, else the script's own.
 */
export function containerOf(run: Run, pid: number | null): Container {
  // a container whose command is done was probed then (its process is gone now)
  const candidates = run.containers.filter((c) => (c.done || run.state.procs[c.pid]) && (pid === null || c.pid === pid));
  const last = candidates[candidates.length - 1];
  if (!last) {
    const ns = run.state.procs[SCRIPT_PID]?.ns ?? INITIAL_NS;
    return {
      pid: SCRIPT_PID, ns, line: null, command: null,
      description: "the script's own process (pid 2), in the host's mount namespace: the script starts no process with unshare, chroot or ns_exec",
    };
  }
  const ns = run.state.procs[last.pid]?.ns ?? '(gone)';
  const where = last.newns ? 'in a new mount namespace' : "in its parent's mount namespace";
  return {
    pid: last.pid, how: last.how, ns, line: last.line, command: last.command,
    description: `pid ${last.pid} (${last.how}), ${where}, started at line ${last.line} (\`${last.command}\`)${last.done ? '; probed when its command finished' : ''}`,
  };
}

/** Runs probe ops on a Run, collecting them (marked as probes in the trace). */
class Probe {
  readonly steps: RecordedStep[] = [];
  constructor(readonly run: Run, readonly note: string) {}
  x(op: AnyOp): KernelResult {
    const n = this.run.steps.length;
    const was = this.run.probing;
    this.run.probing = true;
    try {
      const r = this.run.exec(op, null, this.note);
      if (this.run.steps.length > n) this.steps.push(this.run.steps[n]!);
      return r;
    } finally {
      this.run.probing = was;
    }
  }
}

const entries = (r: KernelResult): string[] => ('entries' in r && r.entries ? r.entries : []);
const appeared = (before: KernelResult, after: KernelResult, index: number): boolean =>
  entries(after).includes(String(index)) && !entries(before).includes(String(index));

/** What the kernel's instance ids mean to the reader. */
function instanceName(run: Run, fs: string, hostFs: string | null, containerFs: string | null): string {
  const known = run.knownLabel(fs);
  const label = known ? ` (${known})` : '';
  if (fs === containerFs && fs === hostFs) return `the instance both /dev/pts show${label}`;
  if (fs === containerFs) return `the container's /dev/pts instance${label}`;
  if (fs === hostFs) return `the host's /dev/pts instance${label}`;
  if (fs === run.state.initialInstance) return 'the initial kernel instance, which no /dev/pts here shows';
  return 'an instance that no /dev/pts here shows';
}

const ptsFs = (run: Run, pid: number): string | null => {
  const r = run.peek({ op: 'stat', pid, path: '/dev/pts' });
  return 'fs' in r && r.fs ? r.fs : null;
};

interface Reach {
  readonly ok: boolean;
  readonly why: string;
  readonly index: number | null;
  /** The mode/owner of the new slave node (stat), when there is one. */
  readonly slave: KernelResult | null;
}

/**
 * Open /dev/ptmx from a new child of `from` (as `uid` when given) and check the pty
 * appears in that process's /dev/pts and its slave opens.
 */
function reach(probe: Probe, from: number, uid: number | null, tag: string, who: string): Reach {
  const run = probe.run;
  const p = run.newPid();
  probe.x({ op: 'spawn', pid: from, child: p });
  const done = (r: Omit<Reach, 'slave'> & { slave?: KernelResult | null }): Reach => {
    probe.x({ op: 'exit', pid: p });
    return { slave: null, ...r };
  };
  if (uid !== null) {
    const s = probe.x({ op: 'setuid', pid: p, uid, gid: uid });
    if ('errno' in s) return done({ ok: false, index: null, why: `${who}: setuid ${uid} → ${s.errno} (no such user in the container's user namespace)` });
  }
  const before = probe.x({ op: 'readdir', pid: p, path: '/dev/pts' });
  const m = probe.x({ op: 'open', pid: p, path: '/dev/ptmx', as: tag });
  if ('errno' in m) return done({ ok: false, index: null, why: `${who}: open /dev/ptmx → ${m.errno}${openHint(run, p, m.errno)}` });
  const index = m.index!;
  const fs = run.state.handles[tag]!.fs;
  probe.x({ op: 'unlockpt', pid: p, fd: tag });
  const after = probe.x({ op: 'readdir', pid: p, path: '/dev/pts' });
  if (!appeared(before, after, index)) {
    const mine = ptsFs(run, p);
    const hostFs = ptsFs(run, HOST_PID);
    const where = instanceName(run, fs, hostFs, mine);
    return done({ ok: false, index, why: `${who}: open /dev/ptmx gives pty ${index} in ${where}, and /dev/pts does not list it${redirectHint(run, p, fs)}` });
  }
  const slave = probe.x({ op: 'stat', pid: p, path: `/dev/pts/${index}` });
  const s = probe.x({ op: 'open', pid: p, path: `/dev/pts/${index}`, as: `${tag}.slave` });
  if ('errno' in s) return done({ ok: false, index, slave, why: `${who}: pty ${index} is listed, but opening /dev/pts/${index} → ${s.errno} (the node is ${describeStat(slave)})` });
  return done({ ok: true, index, slave, why: `${who}: open /dev/ptmx gives pty ${index}, listed in its /dev/pts, and its slave opens` });
}

/** Why an open of /dev/ptmx fails, in the reader's terms. */
function openHint(run: Run, pid: number, errno: string): string {
  const link = run.peek({ op: 'stat', pid, path: '/dev/ptmx', nofollow: true });
  const target = run.peek({ op: 'stat', pid, path: '/dev/ptmx' });
  const isLink = 'type' in link && link.type === 'lnk';
  if (errno === 'ENOENT' && isLink) {
    return profileOf(run.profile).bootMode === 'legacy'
      ? ' (/dev/ptmx is a symlink, and with CONFIG_DEVPTS_MULTIPLE_INSTANCES=n /dev/pts has no ptmx node to point to)'
      : ' (/dev/ptmx is a symlink whose target does not exist: nothing with a ptmx node is mounted on /dev/pts)';
  }
  if (errno === 'ENOENT' && profileOf(run.profile).bootMode === 'perMountInstances') return ` (${run.profile}: a plain ptmx node needs a \`pts\` beside it)`;
  if (errno === 'ENODEV') return ' (6.x: what is mounted on the `pts` beside /dev/ptmx is not a devpts root)';
  if (errno === 'EACCES' && !('errno' in target)) {
    const fix = target.fs && target.fs !== 'other' ? 'give the mount ptmxmode=0666 or chmod 0666 /dev/pts/ptmx (document notes 3 and 6)' : 'chmod 0666 it';
    return ` (the ptmx node it reaches is ${target.mode}: ${fix})`;
  }
  return '';
}

/** A plain /dev/ptmx that allocates away from the container's instance (note 5, U5). */
function redirectHint(run: Run, pid: number, fs: string): string {
  const link = run.peek({ op: 'stat', pid, path: '/dev/ptmx', nofollow: true });
  const plain = 'type' in link && link.type === 'chr' && link.fs === 'other';
  if (plain && fs === run.state.initialInstance) {
    return ': /dev/ptmx is not redirected to /dev/pts/ptmx, so it allocates in the initial instance (document note 5, clause U5)';
  }
  return '';
}

export function reachable(run: Run, c: Container): ScriptVerdict {
  const probe = new Probe(run, 'probe reachable: root in the container opens /dev/ptmx');
  const r = reach(probe, c.pid, null, 'reach', 'root in the container');
  return { name: 'reachable', value: r.ok, why: r.why, steps: probe.steps };
}

export function nonRootUsable(run: Run, c: Container): ScriptVerdict {
  const probe = new Probe(run, `probe non-root usable: uid ${PROBE_UID} in the container opens /dev/ptmx`);
  const r = reach(probe, c.pid, PROBE_UID, 'user', `uid ${PROBE_UID} in the container`);
  return { name: 'nonRootUsable', value: r.ok, why: r.why, steps: probe.steps };
}

export function isolated(run: Run, c: Container): ScriptVerdict {
  const probe = new Probe(run, 'probe isolated: which ptys each side sees');
  const hs = probe.x({ op: 'stat', pid: HOST_PID, path: '/dev/pts' });
  const cs = probe.x({ op: 'stat', pid: c.pid, path: '/dev/pts' });
  const hostFs = 'fs' in hs && hs.fs ? hs.fs : null;
  const contFs = 'fs' in cs && cs.fs ? cs.fs : null;
  const inC = run.newPid();
  const inH = run.newPid();
  probe.x({ op: 'spawn', pid: c.pid, child: inC });
  probe.x({ op: 'spawn', pid: HOST_PID, child: inH });
  const hostBefore = probe.x({ op: 'readdir', pid: inH, path: '/dev/pts' });
  const co = probe.x({ op: 'open', pid: inC, path: '/dev/ptmx', as: 'iso.container' });
  const hostAfter = probe.x({ op: 'readdir', pid: inH, path: '/dev/pts' });
  const contBefore = probe.x({ op: 'readdir', pid: inC, path: '/dev/pts' });
  const ho = probe.x({ op: 'open', pid: inH, path: '/dev/ptmx', as: 'iso.host' });
  const contAfter = probe.x({ op: 'readdir', pid: inC, path: '/dev/pts' });
  probe.x({ op: 'exit', pid: inC });
  probe.x({ op: 'exit', pid: inH });
  const v = (value: boolean, why: string): ScriptVerdict => ({ name: 'isolated', value, why, steps: probe.steps });
  if (hostFs !== null && hostFs !== 'other' && hostFs === contFs) {
    const label = run.label(hostFs);
    const sameNs = c.ns === run.state.procs[HOST_PID]!.ns;
    const why = profileOf(run.profile).bootMode === 'legacy'
      ? `the container's /dev/pts is the host's instance (${label}): with CONFIG_DEVPTS_MULTIPLE_INSTANCES=n there is one instance for everyone`
      : sameNs && c.how === 'chroot'
        ? `the chroot is in the host's mount namespace and its /dev/pts is the host's instance (${label})`
        : sameNs
          ? `the container is the host's own mount namespace: both see ${label}`
          : `the container's /dev/pts is the host's instance (${label}): a devpts mount without newinstance binds the initial instance (document note 7, clause U7)`;
    return v(false, why);
  }
  if (!('errno' in co) && appeared(hostBefore, hostAfter, co.index!)) {
    return v(false, `the container's pty ${co.index} (opened through its /dev/ptmx) appears in the host's /dev/pts${redirectHint(run, c.pid, run.state.initialInstance ?? '')}`);
  }
  if (!('errno' in ho) && appeared(contBefore, contAfter, ho.index!)) {
    return v(false, `the host's pty ${ho.index} appears in the container's /dev/pts`);
  }
  const vacuous = 'errno' in co ? ` (the container cannot open /dev/ptmx: ${co.errno}, so it makes no pty)` : '';
  const what = contFs && contFs !== 'other' && hostFs ? `the container's /dev/pts (${run.label(contFs)}) and the host's (${run.label(hostFs)}) are different instances` : "the container's /dev/pts is not the host's instance";
  return v(true, `${what}, and neither sees the pty the other opens${vacuous}`);
}

interface HostFacts { ptmx: KernelResult; root: Reach; user: Reach }

function hostFacts(probe: Probe): HostFacts {
  const ptmx = probe.x({ op: 'stat', pid: HOST_PID, path: '/dev/pts/ptmx' });
  const root = reach(probe, HOST_PID, null, 'host', 'root on the host');
  const user = reach(probe, HOST_PID, PROBE_UID, 'hostuser', `uid ${PROBE_UID} on the host`);
  return { ptmx, root, user };
}

const sameStat = (a: KernelResult, b: KernelResult): boolean => describeStat(a) === describeStat(b);
/** Mode and owner of a node (not its index). */
const attrs = (r: KernelResult): string => ('errno' in r ? r.errno : `${r.mode} ${r.uid}:${r.gid}`);

/** Lines of the script that changed what the host sees, matching a topic. */
function culprits(findings: readonly Finding[], topic: string): string {
  const lines = new Map<number, string>();
  for (const f of findings) if (f.kind === 'host' && f.message.includes(topic)) lines.set(f.line, f.command);
  if (lines.size === 0) return '';
  return ` — changed by ${[...lines].map(([line, command]) => `line ${line} (\`${command}\`)`).join(', ')}`;
}

/** The options line /proc/mounts shows for the host's /dev/pts instance (null: no devpts there). */
function hostOptions(run: Run): string | null {
  const st = run.peek({ op: 'stat', pid: HOST_PID, path: '/dev/pts' });
  const fs = 'fs' in st && st.fs ? run.state.fss[st.fs] : undefined;
  return fs && fs.kind === 'devpts' ? showOptions(run.profile, fs.opts).join(',') : null;
}

/** The host's mounts as its /proc/self/mountinfo lists them: "target fstype options" lines. */
function hostMounts(run: Run): string[] {
  const table = mountTable(run, HOST_PID) ?? [];
  return table.map((e) => `${e.target} ${e.fstype}${e.fstype === 'devpts' ? ` ${e.superOptions.slice(1).join(',')}` : ''}${e.mountOptions[0] === 'ro' ? ' ro' : ''}`);
}

/** The host's /dev: each entry and what it is (a devtmpfs /dev is the one the kernel shares with every mount of it). */
function hostDev(run: Run): Map<string, string> {
  const r = run.peek({ op: 'readdir', pid: HOST_PID, path: '/dev' });
  const out = new Map<string, string>();
  for (const e of 'entries' in r && r.entries ? r.entries : []) {
    if (e === 'pts') continue;
    const st = run.peek({ op: 'stat', pid: HOST_PID, path: `/dev/${e}`, nofollow: true });
    out.set(e, describeStat(st));
  }
  return out;
}

/** Where the host's ptys come from: mounts here change them. */
const PTY_PATHS: ReadonlySet<string> = new Set(['/dev', '/dev/pts', '/dev/ptmx']);

/** What differs between two lists, as "+added" and "-removed". */
function listDiff(now: readonly string[], then: readonly string[]): string[] {
  const left = [...then];
  const added: string[] = [];
  for (const x of now) {
    const k = left.indexOf(x);
    if (k >= 0) left.splice(k, 1); else added.push(x);
  }
  return [...added.map((a) => `+ ${a}`), ...left.map((r) => `- ${r}`)];
}

export function hostUnharmed(run: Run, bootConfig: BootConfig, setUp: (r: Run) => void = () => {}): ScriptVerdict {
  const probe = new Probe(run, "probe host unharmed: the host's ptys, compared with a pristine boot");
  const now = hostFacts(probe);
  const pristine = new Run(run.profile, boot(run.profile, bootConfig));
  setUp(pristine);
  const atBoot = hostFacts(new Probe(pristine, 'pristine boot'));
  const problems: string[] = [];
  // a mount that propagated into the host's namespace from a container (a shared mount, a
  // namespace copy that kept propagation), or one the script left behind, is the host's:
  // at its pty paths the lines are given whole, elsewhere what changed
  const [tableNow, tableThen] = [hostMounts(run), hostMounts(pristine)];
  const atPtyPaths = (table: readonly string[]): string => table.filter((l) => PTY_PATHS.has(l.split(' ')[0]!)).join('; ');
  const [ptyNow, ptyThen] = [atPtyPaths(tableNow), atPtyPaths(tableThen)];
  if (ptyNow !== ptyThen) problems.push(`the host's mounts at its pty paths are ${ptyNow || 'none'}, at boot ${ptyThen || 'none'}${culprits(run.findings, 'mount')}`);
  const elsewhere = (table: readonly string[]): string[] => table.filter((l) => !PTY_PATHS.has(l.split(' ')[0]!));
  const mounts = listDiff(elsewhere(tableNow), elsewhere(tableThen));
  if (mounts.length > 0) problems.push(`the host's mount table changed: ${mounts.join('; ')}${ptyNow !== ptyThen ? '' : culprits(run.findings, 'mount')}`);
  const devNow = hostDev(run);
  const devThen = hostDev(pristine);
  const devChanges = [...new Set([...devNow.keys(), ...devThen.keys()])].sort()
    .filter((e) => e !== 'ptmx' && devNow.get(e) !== devThen.get(e))
    .map((e) => `/dev/${e}: ${devThen.get(e) ?? 'absent'} → ${devNow.get(e) ?? 'absent'}`);
  if (devChanges.length > 0) problems.push(`the host's /dev changed: ${devChanges.join('; ')}`);
  if (!sameStat(now.ptmx, atBoot.ptmx)) {
    problems.push(`the host's /dev/pts/ptmx is ${describeStat(now.ptmx)}, at boot ${describeStat(atBoot.ptmx)}${culprits(run.findings, '/dev/pts/ptmx') || culprits(run.findings, "host's /dev/pts ")}`);
  }
  if (!now.root.ok) {
    problems.push(`the host's /dev/ptmx no longer gives root a reachable pty (${now.root.why})${culprits(run.findings, "host's /dev/ptmx")}`);
    // no fresh host pty to look at: compare the instance's options as /proc/mounts shows them
    const [o, b] = [hostOptions(run), hostOptions(pristine)];
    if (o !== b) problems.push(`the host's devpts options are ${o ?? '(no devpts on /dev/pts)'}, at boot ${b}${culprits(run.findings, 'devpts options') || culprits(run.findings, "host's /dev/pts ")}`);
  } else {
    if (atBoot.root.slave && now.root.slave && attrs(now.root.slave) !== attrs(atBoot.root.slave)) {
      problems.push(`a new host pty is ${attrs(now.root.slave)}, at boot ${attrs(atBoot.root.slave)}: the host instance's options changed${culprits(run.findings, 'devpts options') || culprits(run.findings, "host's /dev/pts ")}`);
    }
    if (atBoot.user.ok && !now.user.ok) problems.push(`a non-root host user can no longer reach a pty (${now.user.why})${culprits(run.findings, "host's /dev/ptmx") || culprits(run.findings, '/dev/pts/ptmx')}`);
  }
  if (problems.length > 0) return { name: 'hostUnharmed', value: false, why: problems.join('; '), steps: probe.steps };
  return {
    name: 'hostUnharmed', value: true, steps: probe.steps,
    why: `as at boot: /dev/pts/ptmx ${describeStat(now.ptmx)}, a new host pty ${now.root.slave ? attrs(now.root.slave) : '?'}, reachable from /dev/ptmx by root${atBoot.user.ok ? ' and by a non-root user' : ''}`,
  };
}

/** A container's own verdicts, probed now: reachable, isolated, non-root usable. */
export function containerVerdicts(run: Run, c: Container): ScriptVerdict[] {
  return [reachable(run, c), isolated(run, c), nonRootUsable(run, c)];
}

const notApplicable = (name: VerdictName, why: string): ScriptVerdict => ({ name, value: null, why, steps: [] });

/** Role host: root and uid 1000 on the host (the script's process after the script), probed now. */
export function hostRoleVerdicts(run: Run, pid: number): ScriptVerdict[] {
  const rootProbe = new Probe(run, 'probe reachable: root on the host opens /dev/ptmx');
  const root = reach(rootProbe, pid, null, 'reach', 'root on the host');
  const userProbe = new Probe(run, `probe non-root usable: uid ${PROBE_UID} on the host opens /dev/ptmx`);
  const user = reach(userProbe, pid, PROBE_UID, 'user', `uid ${PROBE_UID} on the host`);
  return [
    { name: 'reachable', value: root.ok, why: root.why, steps: rootProbe.steps },
    notApplicable('isolated', 'not applicable: a boot script prepares the host itself, there is no container to isolate'),
    notApplicable('hostUnharmed', 'not applicable: a boot script is meant to change the host'),
    { name: 'nonRootUsable', value: user.ok, why: user.why, steps: userProbe.steps },
  ];
}

