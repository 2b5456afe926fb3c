// One run of a script under one profile: the model state, every op the script and the
// probes performed (with the script line that caused it), and what the checker found
// on the way: findings by line, which statements ran or were skipped and why, the unset
// variables the script read. The model is only ever driven through `step`, op by op.

import { isToolError, step, validateOp, type KernelResult, type KernelState, type Op, type ProfileId } from '../model/index.ts';
import { FsLabeler } from '../model/labels.ts';
import type { Node } from './ast.ts';
import { hostView, describeHostChange, type HostView } from './observe.ts';
import { notModelledYet, type AnyOp } from './world.ts';
import type { PseudoMount } from './cmd/procfs.ts';

/** The script command an op or a finding comes from. */
export interface Where { readonly line: number; readonly text: string; readonly file?: string; readonly node?: Node }

export interface RecordedStep {
  readonly op: AnyOp;
  readonly result: KernelResult;
  /** The script line, or null for the checker's own steps (set-up, probes). */
  readonly line: number | null;
  /** The script command at that line. */
  readonly command: string | null;
  /** The sourced file of that line (absent: the script). */
  readonly file?: string;
  readonly note: string;
  /** A verdict probe's step (not the script's). */
  readonly probe?: boolean;
  /** The statement that caused it. */
  readonly node?: Node;
  /** The statements running when it was made (a function call's line and the lines inside). */
  readonly within?: readonly Node[];
}

export type FindingKind =
  /** not modelled: the command's effect on devpts is unknown (counted in the verdict) */
  | 'unknown'
  /** the command failed in the model (errno) */
  | 'failed'
  /** the kernel printed a console line */
  | 'console'
  /** the command changed what the host sees */
  | 'host'
  /** understood, no effect on devpts (echo, sleep, …) */
  | 'noeffect'
  /** an exit status the checker could not compute, and what it assumed */
  | 'assumed'
  /** anything else worth a line (namespaces, consumers, sourced files) */
  | 'info';

export interface Finding { readonly line: number; readonly command: string; readonly kind: FindingKind; readonly message: string; readonly file?: string }

export interface ContainerRecord {
  readonly pid: number;
  readonly line: number;
  readonly command: string;
  readonly newns: boolean;
  readonly how: string;
  /** Its command finished (the verdict probes ran then); false: the rest of the script ran there. */
  done: boolean;
  /** The verdicts probed when its command finished. */
  probed?: unknown;
}
export interface Consumer { readonly name: string; readonly line: number; readonly command: string; readonly pid: number; readonly ns: string }

export const HOST_PID = 1;
export const SCRIPT_PID = 2;

/**
 * Can this op change what the host sees of devpts (its /dev/pts, /dev/pts/ptmx,
 * /dev/ptmx)? Only used to name the line that changed the host, never for a verdict,
 * so it may miss odd routes (a symlink from /tmp into /dev) to stay cheap.
 */
function mayChangeHost(op: AnyOp): boolean {
  switch (op.op) {
    case 'spawn': case 'unshare': case 'setuid': case 'exit': case 'open': case 'close': case 'unlockpt': case 'peer':
    case 'stat': case 'readdir': case 'chroot': case 'chdir': case 'dup': case 'fstat': case 'mounts':
      return false;
    case 'sysctl': return false;
    case 'mkdir': case 'mknod': case 'touch': case 'symlink': case 'unlink':
      return op.path.startsWith('/dev') || !op.path.startsWith('/');
    default:
      return true;
  }
}

/** Every step, every loop iteration and function call counts against this budget. */
export const DEFAULT_BUDGET = 200_000;

export class BudgetExceeded extends Error {}

/** What became of a statement: it ran, or it was skipped (and why). */
export interface Coverage { ran: boolean; skipped: string | null }

export class Run {
  readonly steps: RecordedStep[] = [];
  readonly findings: Finding[] = [];
  readonly containers: ContainerRecord[] = [];
  readonly consumers: Consumer[] = [];
  readonly coverage = new Map<Node, Coverage>();
  /** Variables read while unset: name → lines (and whether with a default). */
  readonly unsetReads = new Map<string, { lines: Set<string>; withDefault: boolean }>();
  /** proc, sysfs and the like (the model has no such filesystems): where the boot or the script mounted them. */
  readonly pseudoMounts: PseudoMount[] = [];
  /** The source name and fstype mount(8) was given, by target (host view): /proc/mounts shows them. */
  readonly mountNames = new Map<string, { source: string; fstype: string }>();
  /** What the script wrote into files (the model keeps no contents), by host path. */
  readonly files = new Map<string, string>();
  nextPid = SCRIPT_PID + 1;
  /** Set by each command: its exit status was assumed, not computed. */
  lastUnknown = false;
  /** Probing for a verdict: steps are marked as probes. */
  probing = false;
  /** The statements being run, outermost first (a call and the statements of the function). */
  readonly running: Node[] = [];
  private work = 0;
  private host: HostView;
  private readonly labels = new FsLabeler<string>();

  constructor(readonly profile: ProfileId, public state: KernelState, private budget = DEFAULT_BUDGET) {
    this.host = hostView(state);
  }

  /** The script is over: the probes after it are not counted against the budget. */
  endScript(): void { this.budget = Number.POSITIVE_INFINITY; }

  /** Count work (ops, iterations, calls); past the budget the script stops. */
  tick(n = 1): void {
    this.work += n;
    if (this.work > this.budget) throw new BudgetExceeded(`the analysis stopped after ${this.budget} steps`);
  }

  /** Does the model take this op? (Ops of the contract it does not model yet answer a tool error.) */
  takes(op: AnyOp): boolean {
    if (validateOp(op) !== null) return false;
    return !notModelledYet(step(this.state, op as Op).result);
  }

  /**
   * Perform one op in the model and record it. An op the model does not take (one it
   * does not have yet, or an argument it cannot express) is a finding, not a crash.
   */
  exec(op: AnyOp, where: Where | null, note = ''): KernelResult {
    this.tick();
    const problem = validateOp(op);
    if (problem) {
      if (where) this.find(where, 'unknown', `cannot be expressed as a model op (${problem.message}); effect unknown`);
      return { errno: 'EINVAL' };
    }
    const before = this.state;
    const out = step(this.state, op as Op);
    if (notModelledYet(out.result)) {
      if (where) this.find(where, 'unknown', `the model has no \`${op.op}\` yet; effect unknown`);
      return { errno: 'EINVAL' };
    }
    if (isToolError(out.result)) throw new Error(`internal: step ${op.op} rejected: ${out.result.error}`);
    this.state = out.state;
    const result = out.result as KernelResult;
    this.steps.push({
      op, result, line: where?.line ?? null, command: where?.text ?? null, note,
      ...(where?.file !== undefined ? { file: where.file } : {}), ...(this.probing ? { probe: true } : {}), ...(where?.node ? { node: where.node } : {}),
      ...(this.running.length > 0 && !this.probing ? { within: [...this.running] } : {}),
    });
    if ('fs' in result && result.fs) this.label(result.fs);
    if ('mounts' in result && result.mounts) for (const m of result.mounts) this.label(m.fs);
    if (where && result.log) for (const line of result.log) this.find(where, 'console', `kernel console: "${line}"`);
    if (where && out.state !== before && mayChangeHost(op)) {
      const now = hostView(this.state);
      const change = describeHostChange(this.host, now);
      if (change) this.find(where, 'host', change);
      this.host = now;
    }
    return result;
  }

  /** Look at the model without recording (state unchanged by construction); null when the model does not take the op. */
  peek(op: AnyOp): KernelResult {
    if (validateOp(op) !== null) return { errno: 'EINVAL' };
    const r = step(this.state, op as Op).result;
    if (notModelledYet(r)) return { errno: 'EINVAL' };
    if (isToolError(r)) throw new Error(`internal: peek ${op.op} rejected: ${r.error}`);
    return r;
  }

  find(where: Where, kind: FindingKind, message: string): void {
    this.findings.push({ line: where.line, command: where.text, kind, message, ...(where.file !== undefined ? { file: where.file } : {}) });
  }

  /** The statement ran. */
  ran(node: Node): void {
    const c = this.coverage.get(node);
    if (c) c.ran = true; else this.coverage.set(node, { ran: true, skipped: null });
  }

  /** The statement was skipped (the first reason is kept; a statement that ran once stays "ran"). */
  skipped(node: Node, why: string): void {
    const c = this.coverage.get(node);
    if (!c) this.coverage.set(node, { ran: false, skipped: why });
    else if (!c.ran && c.skipped === null) c.skipped = why;
  }

  readUnset(name: string, where: Where, withDefault: boolean): void {
    const r = this.unsetReads.get(name) ?? { lines: new Set<string>(), withDefault };
    r.lines.add(where.file !== undefined ? `${where.file}:${where.line}` : String(where.line));
    r.withDefault &&= withDefault;
    this.unsetReads.set(name, r);
  }

  newPid(): number { return this.nextPid++; }

  /** The trace label of an instance (devpts1, devpts2, … by first appearance in results). */
  label(fs: string): string {
    return fs.startsWith('devpts') ? this.labels.devpts(fs) : fs;
  }

  /**
   * The label if the instance has appeared in a result, else null. (Handing out a label
   * here would break the trace's numbering, which follows first appearance in results.)
   */
  knownLabel(fs: string): string | null {
    return this.labels.known(fs);
  }
}
