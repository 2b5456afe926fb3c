// The script checker: parse once, then for each profile boot the model as asked (--boot),
// build the set-up (--rootfs trees, --cwd), run the script as pid 2 (root, in the host's
// mount namespace) with its inputs (--env, arguments, --call), probe the verdicts of its
// role, and gather what was found on the way.
//
// When the verdicts are probed: a container's (reachable, isolated, non-root usable) when
// its command finished (`chroot DIR cmd`, `unshare -m cmd`), or, when the rest of the
// script ran in it, at the end of the script before its EXIT trap; "host unharmed" and
// the host role's verdicts after everything, the EXIT trap included.

import { boot, BootError, PROFILE_IDS, type BootConfig, type KernelResult, type ProfileId } from '../model/index.ts';
import type { Node, ShellName } from './ast.ts';
import { DISCARD, type IO } from './cmd/context.ts';
import { bootPseudoMounts } from './cmd/procfs.ts';
import { Interp, leaves, type ScriptEnd, type SourceFile } from './interp.ts';
import { parseScript, type ParsedScript } from './parse.ts';
import { HOST_PID, Run, SCRIPT_PID, type Consumer, type Finding, type RecordedStep } from './run.ts';
import { applyOptionWords, newShell } from './shell-state.ts';
import { containerVerdicts, containerOf, hostRoleVerdicts, hostUnharmed, type Container, type ScriptVerdict } from './verdicts.ts';
import { capabilities, type AnyOp } from './world.ts';

/** What init mounts /dev/pts with on a usual distribution (systemd, sysvinit): slaves 0620, group tty. */
export const DEFAULT_BOOT_OPTIONS = 'gid=5,mode=620';

export type Role = 'container' | 'host';
export type BootKind = 'devpts' | 'devtmpfs' | 'none';

export interface CheckOptions {
  readonly profiles?: readonly ProfileId[];
  /** Options of init's devpts mount at boot. */
  readonly bootOptions?: string;
  /** devpts: /dev a directory with devpts on /dev/pts; devtmpfs: /dev is devtmpfs (systemd); none: nothing but / (an initramfs). */
  readonly boot?: BootKind;
  /** $0 of the script. */
  readonly scriptName?: string;
  /** Work budget per profile (steps, iterations, calls). */
  readonly budget?: number;
  /** The environment (--env); every other variable is unset. */
  readonly env?: ReadonlyMap<string, string>;
  /** The working directory (--cwd), default /. */
  readonly cwd?: string;
  /** Positional arguments (after --). */
  readonly args?: readonly string[];
  /** A function to call after the top level (--call), with the arguments. */
  readonly call?: string;
  /** Root filesystem trees to build before the script (--rootfs). */
  readonly rootfs?: readonly string[];
  readonly role?: Role;
  /** The target shell (default: the #! line). */
  readonly shell?: ShellName;
  /** Files the script sources or runs (--source-path), by the path it names. */
  readonly sourceText?: (path: string, cwd: string) => SourceFile | null;
}

/** A statement about devpts or ptmx, and what became of it under one profile. */
export interface DevptsLine {
  readonly line: number;
  readonly file?: string;
  readonly text: string;
  readonly outcome: 'ran' | 'skipped' | 'never';
  /** ran: the ops and results; skipped: why; never: why it was not reached. */
  readonly detail: string;
  /** A devpts mount command. */
  readonly mount: boolean;
}

export interface ProfileReport {
  readonly profile: ProfileId;
  readonly role: Role;
  readonly container: Container;
  readonly verdicts: readonly ScriptVerdict[];
  /** What the script did under this profile, by line. */
  readonly findings: readonly Finding[];
  readonly consumers: readonly Consumer[];
  /** Every op: the set-up's, the script's and the probes'; `fs` relabelled devpts1, devpts2, … */
  readonly steps: readonly RecordedStep[];
  readonly ending: ScriptEnd;
  readonly devptsLines: readonly DevptsLine[];
  /** Variables read while unset: name → where. */
  readonly unsetReads: readonly { readonly name: string; readonly lines: readonly string[]; readonly withDefault: boolean }[];
}

/** A "not modelled" finding, merged over the profiles it occurred in. */
export interface Warning {
  readonly line: number;
  readonly file?: string;
  readonly command: string;
  readonly message: string;
  readonly profiles: readonly ProfileId[];
}

export interface Report {
  readonly script: string;
  readonly bootOptions: string;
  readonly boot: BootKind;
  readonly role: Role;
  readonly shell: ShellName;
  readonly dialect: ParsedScript['dialect'];
  readonly profiles: readonly ProfileReport[];
  readonly warnings: readonly Warning[];
  /** Where the parsers' text was repaired (shell/parse.ts). */
  readonly repairs: ParsedScript['repairs'];
  /** Every verdict that applies is yes for every profile. */
  readonly ok: boolean;
}

/** The model's boot configuration for --boot and --boot-options; throws BootError when init's mount fails. */
export function bootConfigFor(bootOptions: string, profiles: readonly ProfileId[], kind: BootKind = 'devpts'): BootConfig {
  if (kind === 'devtmpfs' && !capabilities().devtmpfs) throw new BootError('--boot devtmpfs: the model has no devtmpfs yet (the "world" issue adds it)');
  // devtmpfs: as systemd boots a machine, /dev is devtmpfs and every mount is shared
  const config: BootConfig = kind === 'none' ? { mountDevpts: false } : { devptsOptions: bootOptions, ...(kind === 'devtmpfs' ? { dev: 'devtmpfs', rootPropagation: 'shared' } : {}) };
  for (const p of profiles) boot(p, config);
  return config;
}

/** The static device nodes of a rootfs /dev (as debootstrap and rootfs tarballs make them). */
const ROOTFS_NODES: readonly [string, number, number, string][] = [
  ['ptmx', 5, 2, '0666'], ['null', 1, 3, '0666'], ['zero', 1, 5, '0666'], ['tty', 5, 0, '0666'], ['console', 5, 1, '0600'],
];

/** The checker's own steps before the script: the script's process, the boot's leftovers, rootfs trees, the working directory. */
function setUp(run: Run, options: CheckOptions): void {
  const x = (op: AnyOp, note: string): KernelResult => run.exec(op, null, note);
  x({ op: 'spawn', pid: HOST_PID, child: SCRIPT_PID }, "set-up: the script runs as pid 2, root, in the host's mount namespace");
  const kind = options.boot ?? 'devpts';
  if (kind === 'none') x({ op: 'unlink', pid: SCRIPT_PID, path: '/dev/ptmx' }, 'set-up (--boot none): nothing in /dev but the empty pts directory of the model\'s root filesystem');
  run.pseudoMounts.push(...bootPseudoMounts(kind !== 'none'));
  const mkdirP = (path: string, mode: string, note: string): void => {
    let prefix = '';
    for (const c of path.split('/').filter((s) => s !== '')) {
      prefix += '/' + c;
      const st = run.peek({ op: 'stat', pid: SCRIPT_PID, path: prefix });
      if ('errno' in st) x({ op: 'mkdir', pid: SCRIPT_PID, path: prefix, mode: prefix === path ? mode : '0755' }, note);
    }
  };
  // the directories every Linux root (and initramfs) has, beyond the model's /dev and /tmp
  for (const d of ['/proc', '/sys', '/run', '/root']) mkdirP(d, d === '/root' ? '0700' : '0755', 'set-up: the root filesystem\'s usual directories');
  if (kind === 'devtmpfs') {
    // systemd's early mounts: a tmpfs on /dev/shm (in the devtmpfs)
    x({ op: 'mkdir', pid: SCRIPT_PID, path: '/dev/shm', mode: '1777' }, 'set-up (--boot devtmpfs): systemd makes /dev/shm');
    x({ op: 'mount', pid: SCRIPT_PID, fstype: 'tmpfs', target: '/dev/shm', options: 'mode=1777', flags: ['nosuid', 'nodev'] }, 'set-up (--boot devtmpfs): systemd mounts a tmpfs on /dev/shm');
  }
  for (const dir of options.rootfs ?? []) {
    const note = `set-up: --rootfs ${dir}`;
    mkdirP(dir, '0755', note);
    for (const d of ['bin', 'dev', 'dev/pts', 'etc', 'lib', 'proc', 'root', 'run', 'sbin', 'sys', 'tmp', 'usr', 'var']) mkdirP(`${dir}/${d}`, d === 'root' ? '0700' : '0755', note);
    x({ op: 'chmod', pid: SCRIPT_PID, path: `${dir}/tmp`, mode: '1777' }, note);
    for (const [name, major, minor, mode] of ROOTFS_NODES) x({ op: 'mknod', pid: SCRIPT_PID, path: `${dir}/dev/${name}`, major, minor, mode }, note);
  }
  if (options.cwd !== undefined && options.cwd !== '/') {
    mkdirP(options.cwd, '0755', `set-up: --cwd ${options.cwd}`);
    if (run.takes({ op: 'chdir', pid: SCRIPT_PID, path: options.cwd })) x({ op: 'chdir', pid: SCRIPT_PID, path: options.cwd }, `set-up: --cwd ${options.cwd}`);
  }
}

const DEVPTS_TEXT = /devpts|\/dev\/pts|ptmx|\bpts\b/;
const DEVPTS_MOUNT = /\bmount\b.*devpts|devpts.*\bmount\b/;

/** Each devpts- or ptmx-related statement of the script: ran (with ops), skipped (why), never reached (why). */
function devptsLines(program: Node, run: Run, end: ScriptEnd, funcs: ReadonlyMap<Node, string>): DevptsLine[] {
  const out: DevptsLine[] = [];
  const seen = new Set<string>();
  // the script's steps by the statements they came from (a call's line gets its function's steps too)
  const byNode = new Map<Node, RecordedStep[]>();
  const note = (n: Node, st: RecordedStep): void => { const l = byNode.get(n); if (l) l.push(st); else byNode.set(n, [st]); };
  for (const st of run.steps) {
    if (st.probe) continue;
    if (st.node) note(st.node, st);
    for (const n of st.within ?? []) if (n !== st.node) note(n, st);
  }
  for (const leaf of leaves(program)) {
    const text = leaf.loc.text;
    if (!DEVPTS_TEXT.test(text)) continue;
    const key = `${leaf.loc.file ?? ''}:${leaf.loc.line}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const c = run.coverage.get(leaf);
    const base = { line: leaf.loc.line, ...(leaf.loc.file !== undefined ? { file: leaf.loc.file } : {}), text, mount: DEVPTS_MOUNT.test(text) };
    if (c?.ran) {
      const steps = byNode.get(leaf) ?? [];
      const detail = steps.length === 0 ? 'no model op' : steps.map((s) => `${shortOp(s.op)} → ${'errno' in s.result ? s.result.errno : 'ok'}`).join('; ');
      out.push({ ...base, outcome: 'ran', detail });
    } else if (c?.skipped) {
      out.push({ ...base, outcome: 'skipped', detail: c.skipped });
    } else {
      const fn = funcs.get(leaf);
      const why = fn !== undefined ? `it is in the function ${fn}, which is never called`
        : end.ending !== 'end' && end.line !== undefined ? `the script stopped at line ${end.line} (${endingWords(end)}) before it`
          : end.ending === 'budget' ? end.message ?? 'the analysis stopped' : 'the script did not get there';
      out.push({ ...base, outcome: 'never', detail: why });
    }
  }
  return out;
}

/** An op in a few words: its name and the path it is about. */
function shortOp(op: AnyOp): string {
  const o = op as unknown as Record<string, unknown>;
  const what = op.op === 'mount' ? `${String(o.fstype)} ${String(o.target)}` : [o.path, o.target, o.source, o.newRoot].find((v) => typeof v === 'string');
  return what === undefined ? op.op : `${op.op} ${String(what)}`;
}

const endingWords = (end: ScriptEnd): string =>
  end.ending === 'exit' ? `exit ${end.status}` : end.ending === 'exec' ? 'exec' : end.ending === 'errexit' ? `set -e, status ${end.status}` : end.ending === 'fatal' ? end.message ?? 'a shell error' : end.ending;

/** Leaves inside function bodies, with the function's name. */
function functionLeaves(program: Node): Map<Node, string> {
  const map = new Map<Node, string>();
  const visit = (n: Node): void => {
    switch (n.t) {
      case 'func': for (const l of leaves(n.body)) map.set(l, n.name); visitChildren(n.body); break;
      default: visitChildren(n);
    }
  };
  const visitChildren = (n: Node): void => {
    switch (n.t) {
      case 'list': for (const i of n.items) visit(i.node); break;
      case 'andor': visit(n.first); for (const r of n.rest) visit(r.node); break;
      case 'pipeline': for (const c of n.cmds) visit(c); break;
      case 'if': for (const b of n.branches) { visit(b.cond); visit(b.body); } if (n.otherwise) visit(n.otherwise); break;
      case 'loop': visit(n.cond); visit(n.body); break;
      case 'for': case 'cfor': case 'group': case 'func': visit(n.body); break;
      case 'case': for (const a of n.arms) visit(a.body); break;
      default:
    }
  };
  visit(program);
  return map;
}

export function runProfile(parsed: ParsedScript, profile: ProfileId, bootConfig: BootConfig, options: CheckOptions = {}): ProfileReport {
  const role = options.role ?? 'container';
  const run = new Run(profile, boot(profile, bootConfig), options.budget);
  setUp(run, options);
  const scriptName = options.scriptName ?? 'script';
  const sh = newShell({
    name: parsed.shell, scriptName, pid: SCRIPT_PID, ...(options.env ? { env: options.env } : {}),
    positional: options.args ?? [], cwd: options.cwd ?? '/',
  });
  // the script runs by name: its #! line's options (`#!/bin/sh -e`) are the shell's
  applyOptionWords(sh, parsed.options);
  const probed = new Map<number, ScriptVerdict[]>();
  const interp = new Interp(run, {
    syntax: parsed.syntax,
    self: { names: [scriptName, ...(scriptName.startsWith('/') ? [] : [`./${scriptName}`])], program: parsed.program, options: parsed.options },
    sourceText: options.sourceText ?? (() => null),
    onContainerDone: (pid) => {
      const rec = run.containers.find((c) => c.pid === pid);
      if (!rec || !run.state.procs[pid]) return;
      if (role === 'container') probed.set(pid, containerVerdicts(run, containerOf(run, pid)));
      rec.done = true;
    },
    beforeExitTrap: () => {
      if (role !== 'container') return;
      const c = containerOf(run, null);
      if (!probed.has(c.pid)) probed.set(c.pid, containerVerdicts(run, c));
    },
  });
  const io: IO = { stdin: null, out: DISCARD };
  const ending = interp.runScript(parsed.program, sh, io, options.call !== undefined ? { name: options.call, args: options.args ?? [] } : undefined);
  run.endScript();
  let container = containerOf(run, null);
  let verdicts: ScriptVerdict[];
  if (role === 'host') {
    container = { pid: sh.pid, ns: run.state.procs[sh.pid]?.ns ?? 'ns1', line: null, command: null, description: `the host: the script's own process (pid ${sh.pid}) after the script` };
    verdicts = hostRoleVerdicts(run, sh.pid);
  } else {
    const c = probed.get(container.pid) ?? containerVerdicts(run, container);
    const [reachable, isolated, nonRoot] = c;
    verdicts = [reachable!, isolated!, hostUnharmed(run, bootConfig, (r) => setUp(r, options)), nonRoot!];
  }
  const relabel = (r: KernelResult): KernelResult => ('mounts' in r && r.mounts
    ? { ...r, mounts: r.mounts.map((m) => ({ ...m, fs: run.label(m.fs) })) }
    : 'fs' in r && r.fs ? { ...r, fs: run.label(r.fs) } : r);
  const steps = run.steps.map((s) => ({ ...s, result: relabel(s.result) }));
  const byStep = new Map(run.steps.map((s, k) => [s, steps[k]!]));
  return {
    profile, role, container, findings: run.findings, consumers: run.consumers, steps, ending,
    verdicts: verdicts.map((v) => ({ ...v, steps: v.steps.map((s) => byStep.get(s) ?? s) })),
    devptsLines: devptsLines(parsed.program, run, ending, functionLeaves(parsed.program)),
    unsetReads: [...run.unsetReads].map(([name, r]) => ({ name, lines: [...r.lines], withDefault: r.withDefault })),
  };
}

export function mergeWarnings(reports: readonly ProfileReport[]): Warning[] {
  const merged = new Map<string, { line: number; file?: string; command: string; message: string; profiles: ProfileId[] }>();
  for (const r of reports) {
    for (const f of r.findings) {
      if (f.kind !== 'unknown') continue;
      const key = `${f.file ?? ''}\u0000${f.line}\u0000${f.command}\u0000${f.message}`;
      const w = merged.get(key) ?? { line: f.line, ...(f.file !== undefined ? { file: f.file } : {}), command: f.command, message: f.message, profiles: [] };
      if (!w.profiles.includes(r.profile)) w.profiles.push(r.profile);
      merged.set(key, w);
    }
  }
  return [...merged.values()].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || a.line - b.line);
}

export async function checkScript(text: string, options: CheckOptions = {}): Promise<Report> {
  const profiles = options.profiles ?? PROFILE_IDS;
  const bootOptions = options.bootOptions ?? DEFAULT_BOOT_OPTIONS;
  const bootKind = options.boot ?? 'devpts';
  const bootConfig = bootConfigFor(bootOptions, profiles, bootKind);
  const parsed = await parseScript(text, options.shell ? { shell: options.shell } : {});
  const reports = profiles.map((p) => runProfile(parsed, p, bootConfig, options));
  return {
    script: options.scriptName ?? 'script', bootOptions, boot: bootKind, role: options.role ?? 'container', shell: parsed.shell,
    dialect: parsed.dialect, profiles: reports, warnings: mergeWarnings(reports), repairs: parsed.repairs,
    ok: reports.every((r) => r.verdicts.every((v) => v.value !== false)),
  };
}

export { BootError };
