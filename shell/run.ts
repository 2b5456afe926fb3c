// One run of a script under one profile: the model state, every op the script and the
// probes performed (with the script line that caused it), and what the checker found
// on the way. The model is only ever driven through `step`, op by op.

import { isToolError, step, validateOp, type KernelResult, type KernelState, type Op, type ProfileId } from '../model/index.ts';
import { FsLabeler } from '../model/labels.ts';
import { hostView, describeHostChange, type HostView } from './observe.ts';

/** The script command an op or a finding comes from. */
export interface Where { readonly line: number; readonly text: string }

export interface RecordedStep {
  readonly op: Op;
  readonly result: KernelResult;
  /** The script line, or null for the checker's own steps (set-up, probes). */
  readonly line: number | null;
  /** The script command at that line. */
  readonly command: string | null;
  readonly note: string;
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
  /** anything else worth a line (assumptions, namespaces, consumers) */
  | 'info';

export interface Finding { readonly line: number; readonly command: string; readonly kind: FindingKind; readonly message: string }

export interface ContainerRecord { readonly pid: number; readonly line: number; readonly command: string; readonly newns: boolean }
export interface Consumer { readonly name: string; readonly line: number; readonly command: string; readonly pid: number; readonly ns: string }

export const HOST_PID = 1;

/**
 * Can this op change what the host sees of devpts (its /dev/pts, /dev/pts/ptmx,
 * /dev/ptmx)? Only used to name the line that changed the host, never for a verdict,
 * so it may miss odd routes (a symlink from /tmp into /dev) to stay cheap.
 */
function mayChangeHost(op: Op): boolean {
  switch (op.op) {
    case 'spawn': case 'unshare': case 'setuid': case 'exit': case 'open': case 'close': case 'unlockpt': case 'peer':
    case 'sysctl': case 'stat': case 'readdir':
      return false;
    case 'mkdir': case 'mknod': case 'touch': case 'symlink': case 'unlink':
      return op.path.startsWith('/dev');
    default:
      return true;
  }
}
export const SCRIPT_PID = 2;

/** Every step, every loop iteration and function call counts against this budget. */
export const DEFAULT_BUDGET = 200_000;

export class BudgetExceeded extends Error {}

export class Run {
  readonly steps: RecordedStep[] = [];
  readonly findings: Finding[] = [];
  readonly containers: ContainerRecord[] = [];
  readonly consumers: Consumer[] = [];
  nextPid = SCRIPT_PID + 1;
  /** Set by each command: its exit status was assumed, not computed. */
  lastUnknown = false;
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

  /**
   * Perform one op in the model and record it. A malformed op (the checker's bug or an
   * argument the model cannot take) is a finding, not a crash.
   */
  exec(op: Op, where: Where | null, note = ''): KernelResult {
    this.tick();
    const problem = validateOp(op);
    if (problem) {
      const result: KernelResult = { errno: 'EINVAL' };
      if (where) this.find(where, 'unknown', `cannot be expressed as a model op (${problem.message}); effect unknown`);
      return result;
    }
    const before = this.state;
    const out = step(this.state, op);
    if (isToolError(out.result)) throw new Error(`internal: step ${op.op} rejected: ${out.result.error}`);
    this.state = out.state;
    const result = out.result as KernelResult;
    this.steps.push({ op, result, line: where?.line ?? null, command: where?.text ?? null, note });
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

  /** Look at the model without recording (state unchanged by construction). */
  peek(op: Op): KernelResult {
    const r = step(this.state, op).result;
    if (isToolError(r)) throw new Error(`internal: peek ${op.op} rejected: ${r.error}`);
    return r;
  }

  find(where: Where, kind: FindingKind, message: string): void {
    this.findings.push({ line: where.line, command: where.text, kind, message });
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
