// The TypeScript side of the harness: one long-lived harness process, many sequences.
// Sequences are written as JSON lines (kernel/harness.c, PROTOCOL) and may be queued
// without waiting: the harness runs them one after another (one world each) and answers
// in order, so a batch keeps the pipe full and the kernel busy.

import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { BootConfig, KernelResult, Op } from '../model/index.ts';
import { harnessBinary } from './build.ts';

/** A sequence as the harness runs it: a boot configuration and the ops. */
export interface Sequence {
  readonly boot: BootConfig;
  readonly ops: readonly Op[];
}

/** What the harness answers for a step: a kernel result, or an error of the tool itself. */
export type HarnessResult = KernelResult | { readonly error: string };

export interface HarnessRun {
  /** The world could not be built (boot options the kernel refuses, no namespaces, ...). */
  readonly bootError: string | null;
  /** One result per op (an error for every op when the boot failed). */
  readonly results: HarnessResult[];
  /**
   * The sequence was not checked: its guest hung or panicked before answering (why, in
   * one line). Neither an agreement nor a divergence; `results` is empty.
   */
  readonly lost?: string;
}

/** What runs sequences on a kernel: the live harness (this file) or QEMU guests (qemu.ts). */
export interface SequenceRunner {
  /** Run one sequence in a fresh world. Many may be in flight at once. */
  run(seq: Sequence): Promise<HarnessRun>;
  /** Run many sequences, keeping at most `window` in flight; results in input order. */
  runAll(seqs: readonly Sequence[], window?: number): Promise<HarnessRun[]>;
  /** Finish after the sequences in flight. */
  close(): Promise<void>;
}

export const isHarnessError = (r: HarnessResult): r is { error: string } => 'error' in r;

interface Pending {
  readonly steps: number;
  boot: HarnessResult | null;
  readonly results: HarnessResult[];
  readonly resolve: (run: HarnessRun) => void;
  readonly reject: (err: Error) => void;
}

/** Only the op's own fields go to the harness (not expect, note, ...). */
export function stepLine(op: Op): string {
  const { expect: _e, note: _n, comment: _c, result: _r, kernel: _k, ...rest } = op as Op & Record<string, unknown>;
  return JSON.stringify(rest);
}

export interface HarnessOptions {
  /** Seconds one sequence may take before its world is killed (default 20). */
  readonly timeoutSeconds?: number;
  /** The binary (default: build it). */
  readonly binary?: string;
}

/** The protocol lines of one sequence (kernel/harness.c, PROTOCOL), newline-terminated. */
export function sequenceText(seq: Sequence): string {
  return `${[JSON.stringify({ boot: seq.boot }), ...seq.ops.map(stepLine), '{"end":true}'].join('\n')}\n`;
}

/** Run many sequences on `runner`, keeping at most `window` in flight; results in input order. */
export async function runWindowed(runner: Pick<SequenceRunner, 'run'>, seqs: readonly Sequence[], window: number): Promise<HarnessRun[]> {
  const out: HarnessRun[] = new Array(seqs.length);
  let next = 0;
  const inflight = new Set<Promise<void>>();
  while (next < seqs.length || inflight.size > 0) {
    while (next < seqs.length && inflight.size < window) {
      const i = next++;
      const p: Promise<void> = runner.run(seqs[i]!).then((r) => { out[i] = r; inflight.delete(p); });
      inflight.add(p);
    }
    await Promise.race(inflight);
  }
  return out;
}

export class KernelHarness implements SequenceRunner {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly queue: Pending[] = [];
  private failure: Error | null = null;
  private closed = false;

  private constructor(binary: string, timeoutSeconds: number) {
    this.child = spawn(binary, ['--timeout', String(timeoutSeconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdin.on('error', (err) => this.fail(new Error(`harness stdin: ${err.message}`)));
    this.child.on('error', (err) => this.fail(new Error(`harness: ${err.message}`)));
    this.child.on('exit', (code, signal) => {
      if (!this.closed || this.queue.length > 0) this.fail(new Error(`the harness exited (${signal ?? `status ${code}`}) with ${this.queue.length} sequence(s) unanswered`));
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
  }

  /** Start a harness process (building the binary when needed). */
  static start(options: HarnessOptions = {}): KernelHarness {
    return new KernelHarness(options.binary ?? harnessBinary(), options.timeoutSeconds ?? 20);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.queue.splice(0)) p.reject(err);
  }

  private onLine(line: string): void {
    const p = this.queue[0];
    if (!p) { this.fail(new Error(`the harness said something unasked: ${line}`)); return; }
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.fail(new Error(`the harness answered a line that is not JSON: ${line}`));
      return;
    }
    if (value.end === true) {
      this.queue.shift();
      if (p.boot === null || p.results.length !== p.steps) {
        p.reject(new Error(`the harness answered ${p.results.length} of ${p.steps} steps`));
        return;
      }
      p.resolve({ bootError: isHarnessError(p.boot) ? p.boot.error : null, results: p.results });
    } else if (p.boot === null) {
      p.boot = value as HarnessResult;
    } else {
      p.results.push(value as HarnessResult);
    }
  }

  /** Run one sequence in a fresh world. Many may be in flight at once; answers come in order. */
  run(seq: Sequence): Promise<HarnessRun> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the harness is closed'));
    return new Promise<HarnessRun>((resolve, reject) => {
      this.queue.push({ steps: seq.ops.length, boot: null, results: [], resolve, reject });
      this.child.stdin.write(sequenceText(seq));
    });
  }

  /** Run many sequences, keeping at most `window` in flight. */
  runAll(seqs: readonly Sequence[], window = 32): Promise<HarnessRun[]> {
    return runWindowed(this, seqs, window);
  }

  /** Finish: the harness ends after the sequences in flight; waits for it to exit. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) { resolve(); return; }
      this.child.once('exit', () => resolve());
      this.child.stdin.end();
    });
  }

  /** The harness process id (tests check that it and its children are gone). */
  get pid(): number | undefined { return this.child.pid; }
}

/** Run one sequence on a harness of its own (convenience for one-off replays). */
export async function runOnKernel(seq: Sequence, options: HarnessOptions = {}): Promise<HarnessRun> {
  const h = KernelHarness.start(options);
  try {
    return await h.run(seq);
  } finally {
    await h.close();
  }
}
