// The interpreter's state: one subject's run as it is being generated. Intents
// (intents.ts) and the document's scenarios (clauses/scenarios.ts, through the
// ScenarioBuilder interface) read the evolving model state through it, so that every op
// they emit names something that exists right now (a live process, an open handle of the
// right process, a path that makes sense in its namespace), and emit ops through it.

import { isToolError, type BootConfig, type KernelState, type Op, type OpName, type StepResult } from '../../model/index.ts';
import type { ScenarioBuilder } from '../../clauses/index.ts';
import { bootState, type Run, type Subject } from '../../clauses/run.ts';
import { namesDevptsPtmx, resolveAs } from '../../clauses/observe.ts';
import { optionString, type OptionVocabulary } from './vocabulary.ts';
import { pick } from './universe.ts';

/** Generator options after defaults (runs.ts resolveOptions). */
export interface Resolved {
  readonly maxSteps: number;
  readonly exclude: ReadonlySet<OpName>;
  readonly maxOpenPtys: number;
  readonly vocabulary: OptionVocabulary;
  readonly avoidDevptsPtmx: boolean;
  readonly boots: readonly BootConfig[];
  readonly prefix: readonly Op[];
  /** cumulative intent weights scaled to 0..1000, one per intent of the table */
  readonly table: readonly number[];
}

export class Builder implements ScenarioBuilder {
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

  finish(): Run {
    return { subject: this.subject, boot: this.boot, ops: this.ops, states: this.states, results: this.results, marks: this.marks };
  }
}
