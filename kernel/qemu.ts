// Old kernels under QEMU: the same sequences and the same harness (kernel/harness.c, as
// pid 1 of a guest, built with musl) on a bootable kernel image.
//
// One guest = one qemu-system-x86_64 process (TCG, one CPU, no disk, no network):
//   -kernel IMAGE -initrd (guest-build.ts) -append "console=ttyS0 panic=-1 loglevel=1 ..."
//   -serial file:CONSOLE   ttyS0: the kernel's console (kept for a panic message);
//   -serial stdio          ttyS1: the data port, the harness's stdin/stdout (the console
//                          can drop lines; this port is raw and carries only answers).
// The guest's first line is {"ready":{...}}; then it speaks the harness's protocol. Flow
// control: the guest's tty holds a limited amount of unread input (4 KiB of line
// discipline plus 64 KiB of flip buffers before the UART driver drops bytes), so at most
// WINDOW_BYTES of sequences are unanswered at any time.
//
// Many sequences per boot: the harness restores what outlives a sequence (the initial
// devpts instance, kernel.pty.*) and checks it; where it cannot, its answer says so:
//   {"end":true,"restart":"why"}   this sequence is fine, the guest ends: the sequences
//                                   sent after it run in a fresh guest;
//   {"rerun":"why"}                 this sequence must run first in a fresh guest.
// A guest that stops answering for `answerTimeoutMs`, or exits (a kernel panic ends QEMU:
// panic=-1 and -no-reboot), loses the sequence it was running: that sequence is
// reported as lost with the reason (never a pass, never a divergence) and the others go
// to a fresh guest. GuestPool keeps `guests` guests busy and does that bookkeeping.

import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { BUILD_DIR } from './build.ts';
import { batchArchive } from './initramfs.ts';
import { isHarnessError, sequenceText, type HarnessResult, type HarnessRun, type Sequence, type SequenceRunner } from './driver.ts';

/** What the guest says about itself once it is up. */
export interface GuestInfo {
  /** uname -r of the guest kernel ("2.6.39.4"). */
  readonly release: string;
  /** The boot instance has a ptmx node (CONFIG_DEVPTS_MULTIPLE_INSTANCES=y, or 4.7+). */
  readonly ptmxNode: boolean;
  /** Where console lines come from: /dev/kmsg (3.5+), syslog(2), or nowhere. */
  readonly log: 'kmsg' | 'syslog' | 'none';
}

export interface GuestOptions {
  readonly qemu: string;
  readonly image: string;
  readonly initramfs: string;
  /** Guest memory in MiB (default 256). */
  readonly memory?: number;
  /** Seconds the guest's harness gives one sequence before it kills the world (default 20). */
  readonly sequenceTimeout?: number;
  /** No "ready" line after this long: the guest did not start (default 120 s). */
  readonly bootTimeoutMs?: number;
  /** Sequences unanswered and no line for this long: the guest hung (default 60 s). */
  readonly answerTimeoutMs?: number;
  /** Extra kernel command line words. */
  readonly append?: readonly string[];
}

/** Sequences one guest brings in its initramfs at most. */
const MAX_PRELOAD = 5000;

/** Unanswered input the guest's tty can hold without dropping bytes, with a margin. */
export const WINDOW_BYTES = 24 * 1024;

/** Why a guest stopped: every sequence it had not answered gets one of these. */
export class GuestRetired extends Error {
  override readonly name = 'GuestRetired';
  /** lost: this sequence died with the guest; retry: it never ran, run it elsewhere. */
  constructor(readonly kind: 'lost' | 'retry', message: string, readonly fresh = false) { super(message); }
}

interface Task {
  readonly seq: Sequence;
  readonly text: string;
  readonly bytes: number;
  /** It must be the first sequence of its guest (a "rerun" answer). */
  fresh: boolean;
  readonly resolve: (run: HarnessRun) => void;
  readonly reject: (err: Error) => void;
}

interface InFlight {
  readonly task: Task;
  /** Sent over the data port (counts against WINDOW_BYTES), not brought by the initramfs. */
  readonly streamed: boolean;
  boot: HarnessResult | null;
  readonly results: HarnessResult[];
}

let consoleCounter = 0;

let launcher: string[] | null = null;
/**
 * QEMU must not outlive the process that drives it (a driver killed by a timeout would
 * leave a guest running): started through `setpriv --pdeathsig KILL` (util-linux) where
 * that works, it is killed when its parent dies.
 */
function deathLauncher(): string[] {
  if (launcher === null) {
    launcher = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0 ? ['setpriv', '--pdeathsig', 'KILL'] : [];
  }
  return launcher;
}

/** Console lines that mean the guest kernel is gone. */
const PANIC = /Kernel panic|BUG: |Oops: /;

/** The kernel command line of a guest: console on ttyS0, reboot on panic, a quiet console. */
export function guestAppend(options: Pick<GuestOptions, 'append' | 'sequenceTimeout'>): string {
  // loglevel=1: console printing is synchronous at 115200 baud under TCG and slows every
  // mount with a bogus option; the harness reads the log from the ring buffer anyway.
  // printk.devkmsg=on: 4.9+ rate-limit /dev/kmsg otherwise. After "--": init's arguments.
  // noapic: under TCG on a busy host, 2.6.39's boot-time timer check through the IO-APIC
  // can miss its interrupt and panic ("IO-APIC + timer doesn't work!"); the 8259 PIC is enough.
  return ['console=ttyS0', 'panic=-1', 'loglevel=1', 'printk.devkmsg=on', 'noapic', ...(options.append ?? []),
    '--', '--timeout', String(options.sequenceTimeout ?? 20)].join(' ');
}

/** One QEMU guest running the harness. Use through GuestPool. */
export class Guest {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly consoleFile: string;
  private readonly initrdFile: string | null;
  private readonly sent: InFlight[] = [];
  private outstanding = 0;
  private stderr = '';
  private timer: NodeJS.Timeout | null = null;
  private panicWatch: NodeJS.Timeout | null = null;
  private consoleSize = 0;
  private retiring: { kind: 'lost' | 'retry' | 'done'; why: string; fresh?: boolean } | null = null;
  private readyResolve!: (info: GuestInfo) => void;
  private readyReject!: (err: Error) => void;
  /** Resolves with the guest's self-description, rejects when it does not come up. */
  readonly ready: Promise<GuestInfo>;
  /** Resolves when QEMU has exited. */
  readonly exited: Promise<void>;
  info: GuestInfo | null = null;
  /** Sequences answered or handed out so far (a fresh guest has taken none). */
  taken = 0;
  /** Called when the guest can take more, or has retired. */
  onChange: () => void = () => {};

  /**
   * Boot a guest. `preload`: sequences it answers first, brought in the initramfs (a
   * second archive appended to the harness's), which costs nothing per byte.
   */
  constructor(private readonly options: GuestOptions, preload: readonly Task[] = []) {
    mkdirSync(join(BUILD_DIR, 'guests'), { recursive: true });
    const id = `${process.pid}-${++consoleCounter}`;
    this.consoleFile = join(BUILD_DIR, 'guests', `console-${id}.log`);
    this.initrdFile = preload.length > 0 ? join(BUILD_DIR, 'guests', `initrd-${id}.gz`) : null;
    if (this.initrdFile) {
      writeFileSync(this.initrdFile, Buffer.concat([readFileSync(options.initramfs), batchArchive(preload.map((t) => t.text).join(''))]));
      for (const task of preload) this.sent.push({ task, streamed: false, boot: null, results: [] });
      this.taken = preload.length;
    }
    const args = [
      '-accel', 'tcg', '-m', String(options.memory ?? 256), '-smp', '1',
      '-kernel', options.image, '-initrd', this.initrdFile ?? options.initramfs, '-append', guestAppend(options),
      '-display', 'none', '-nodefaults', '-no-user-config', '-no-reboot',
      '-serial', `file:${this.consoleFile}`, '-serial', 'stdio',
    ];
    this.ready = new Promise((resolve, reject) => { this.readyResolve = resolve; this.readyReject = reject; });
    this.ready.catch(() => {}); // observed by the pool
    const via = deathLauncher();
    this.child = via.length > 0
      ? spawn(via[0]!, [...via.slice(1), options.qemu, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(options.qemu, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.on('error', () => {}); // a dying guest: the exit handler reports it
    this.child.stderr.on('data', (d: Buffer) => { if (this.stderr.length < 4096) this.stderr += d.toString('utf8'); });
    this.child.on('error', (err) => this.retire('lost', `qemu: ${err.message}`));
    this.child.on('exit', (code, signal) => this.onExit(code, signal));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    this.arm(options.bootTimeoutMs ?? 120_000, () => `the guest did not start within ${Math.round((options.bootTimeoutMs ?? 120_000) / 1000)} s`);
    // A panic does not always end QEMU (2.6.39's emergency restart spins under TCG): the
    // console is watched for it, and a panicked guest is stopped at once.
    this.panicWatch = setInterval(() => this.checkPanic(), 500);
    this.panicWatch.unref();
  }

  private checkPanic(): void {
    let size: number;
    try { size = statSync(this.consoleFile).size; } catch { return; }
    if (size === this.consoleSize) return;
    this.consoleSize = size;
    const tail = this.consoleTail();
    if (tail && PANIC.test(tail)) {
      this.retire('lost', `the guest kernel panicked: ${tail}`);
      this.child.kill('SIGKILL');
    }
  }

  /** The guest is up and takes sequences. */
  get usable(): boolean { return this.info !== null && this.retiring === null; }
  get pending(): number { return this.sent.length; }

  /** Can it take this task now (flow control; a "fresh" task only as its first)? */
  canTake(task: Task): boolean {
    if (!this.usable) return false;
    if (task.fresh && this.taken > 0) return false;
    return this.outstanding === 0 || this.outstanding + task.bytes <= WINDOW_BYTES;
  }

  take(task: Task): void {
    this.sent.push({ task, streamed: true, boot: null, results: [] });
    this.outstanding += task.bytes;
    this.taken++;
    if (this.sent.length === 1 && this.info !== null) this.arm(this.options.answerTimeoutMs ?? 60_000, () => this.hangMessage());
    this.child.stdin.write(task.text);
  }

  private hangMessage(): string {
    return `the guest hung: no answer in ${Math.round((this.options.answerTimeoutMs ?? 60_000) / 1000)} s`;
  }

  private arm(ms: number, why: () => string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.info === null || this.sent.length > 0) {
        this.retire('lost', why());
        this.child.kill('SIGKILL');
      }
    }, ms);
  }

  private onLine(line: string): void {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.retire('lost', `the guest answered a line that is not JSON: ${line.slice(0, 200)}`);
      this.child.kill('SIGKILL');
      return;
    }
    if (this.info === null) {
      const ready = value.ready as GuestInfo | undefined;
      if (!ready || typeof ready.release !== 'string') {
        this.retire('lost', `the guest said something before it was ready: ${line.slice(0, 200)}`);
        this.child.kill('SIGKILL');
        return;
      }
      this.info = ready;
      if (this.timer) { clearTimeout(this.timer); this.timer = null; }
      if (this.sent.length > 0) this.arm(this.options.answerTimeoutMs ?? 60_000, () => this.hangMessage());
      this.readyResolve(ready);
      this.onChange();
      return;
    }
    const head = this.sent[0];
    if (!head) {
      if (this.retiring) return;
      this.retire('lost', `the guest said something unasked: ${line.slice(0, 200)}`);
      this.child.kill('SIGKILL');
      return;
    }
    this.arm(this.options.answerTimeoutMs ?? 60_000, () => this.hangMessage());
    if (typeof value.rerun === 'string') {
      // the guest ends; this sequence and the ones after it run elsewhere, this one first
      this.retire('retry', value.rerun, true);
      return;
    }
    if (value.end === true) {
      this.sent.shift();
      if (head.streamed) this.outstanding -= head.task.bytes;
      if (head.boot === null || head.results.length !== head.task.seq.ops.length) {
        head.task.reject(new Error(`the guest answered ${head.results.length} of ${head.task.seq.ops.length} steps`));
      } else {
        head.task.resolve({ bootError: isHarnessError(head.boot) ? head.boot.error : null, results: head.results });
      }
      if (typeof value.restart === 'string') this.retire('retry', value.restart);
      else if (this.sent.length === 0 && this.timer) { clearTimeout(this.timer); this.timer = null; }
      this.onChange();
      return;
    }
    if (head.boot === null) head.boot = value as HarnessResult;
    else head.results.push(value as HarnessResult);
  }

  /** Stop taking sequences; what is unanswered is lost (the head) or retried elsewhere. */
  private retire(kind: 'lost' | 'retry', why: string, fresh = false): void {
    if (this.retiring) return;
    this.retiring = { kind, why, fresh };
    if (this.info === null) this.readyReject(new GuestRetired('lost', why));
  }

  private consoleTail(): string | null {
    try {
      const lines = readFileSync(this.consoleFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const panic = lines.find((l) => PANIC.test(l));
      return panic ?? lines.at(-1) ?? null;
    } catch {
      return null;
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.panicWatch) { clearInterval(this.panicWatch); this.panicWatch = null; }
    const unanswered = this.sent.splice(0);
    this.outstanding = 0;
    if (!this.retiring) {
      const tail = this.consoleTail();
      const qemuSaid = this.stderr.trim().split('\n')[0];
      const why = tail && PANIC.test(tail) ? `the guest kernel panicked: ${tail}`
        : this.info === null && qemuSaid ? `qemu did not start the guest: ${qemuSaid}`
        : `the guest ended unexpectedly (${signal ?? `status ${code}`})${tail ? `: ${tail}` : ''}`;
      this.retire(unanswered.length > 0 || this.info === null ? 'lost' : 'retry', why);
    }
    const r = this.retiring!;
    // a guest that never came up ran nothing: its (preloaded) sequences are retried
    const booted = this.info !== null;
    unanswered.forEach((f, i) => {
      if (r.kind === 'lost' && i === 0 && booted) f.task.reject(new GuestRetired('lost', r.why));
      else f.task.reject(new GuestRetired('retry', r.why, r.fresh === true && i === 0));
    });
    if (r.kind !== 'lost' || unanswered.length === 0) this.removeConsole();
    else if (this.initrdFile) try { unlinkSync(this.initrdFile); } catch { /* gone */ }
    this.onChange();
  }

  private removeConsole(): void {
    for (const f of [this.consoleFile, this.initrdFile]) {
      if (f) try { unlinkSync(f); } catch { /* never written */ }
    }
  }

  /** Ask the guest to end (after what it was given), and wait for QEMU to exit. */
  async quit(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (!this.retiring) this.retiring = { kind: 'done', why: 'the guest was closed' };
      this.child.stdin.write('{"quit":true}\n');
      const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(t);
    }
    this.removeConsole();
  }

  /** Stop QEMU at once (tests, Ctrl-C). */
  kill(): void { this.child.kill('SIGKILL'); }

  /** For tests: send a protocol line the harness obeys only in a guest ({"debug":...}). */
  sendRaw(line: string): void { this.child.stdin.write(`${line}\n`); }

  get pid(): number | undefined { return this.child.pid; }
}

export interface PoolOptions extends GuestOptions {
  /** Guests running at once (default 1). */
  readonly guests?: number;
  /** A guest that does not come up twice in a row ends the pool with this error. */
  readonly maxBootFailures?: number;
}

/**
 * Guests on one image, kept busy: sequences go to whichever guest has room; a retired
 * guest is replaced; a sequence its guest lost is resolved with `lost`, the others are
 * retried. Implements the same interface as the live harness.
 */
export class GuestPool implements SequenceRunner {
  private readonly guests: Guest[] = [];
  private readonly queue: Task[] = [];
  /** Tasks a retired guest handed back, in their order, until the next pump. */
  private readonly retries: Task[] = [];
  private pumpScheduled = false;
  private unresolved = 0;
  private closed = false;
  private killed = false;
  private failure: Error | null = null;
  private bootFailures = 0;
  /** The guests' self-description, once one is up. */
  info: GuestInfo | null = null;
  /** Guests started, and why each one that ended early ended (for reports and tests). */
  readonly history: { started: number; retired: string[] } = { started: 0, retired: [] };

  constructor(private readonly options: PoolOptions) {}

  private get size(): number { return Math.max(1, this.options.guests ?? 1); }

  private startGuest(preload: readonly Task[] = []): void {
    const g = new Guest(this.options, preload);
    this.history.started++;
    this.guests.push(g);
    g.onChange = () => this.schedulePump();
    g.ready.then((info) => { this.info ??= info; this.bootFailures = 0; this.schedulePump(); }, (err: Error) => {
      if (++this.bootFailures >= (this.options.maxBootFailures ?? 2)) this.fail(new Error(err.message));
    });
    void g.exited.then(() => {
      const i = this.guests.indexOf(g);
      if (i >= 0) this.guests.splice(i, 1);
      this.schedulePump();
    });
  }

  /** Pump once after the current burst of calls (sequences submitted together are preloaded together). */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => { this.pumpScheduled = false; this.pump(); });
  }

  /** The next preload: tasks from the front of the queue; a "fresh" task only as the first. */
  private takePreload(max: number): Task[] {
    const out: Task[] = [];
    while (out.length < max && this.queue.length > 0 && (out.length === 0 || !this.queue[0]!.fresh)) out.push(this.queue.shift()!);
    return out;
  }

  /** Wait for the first guest to come up (and say what it is); throws when it cannot. */
  async start(): Promise<GuestInfo> {
    // with sequences queued, start the whole pool now (each guest preloads its share)
    if (this.guests.length === 0) { if (this.queue.length > 0) this.pump(); else this.startGuest(); }
    const first = this.guests[0]!;
    try {
      return await first.ready;
    } catch (err) {
      throw this.failure ?? err;
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const t of [...this.retries.splice(0), ...this.queue.splice(0)]) t.reject(err);
  }

  private pump(): void {
    if (this.failure) return;
    this.queue.unshift(...this.retries.splice(0));
    // keep `size` guests (not counting retiring ones) while there is work; new guests
    // bring an equal share of the queue in their initramfs
    const live = this.guests.filter((g) => g.usable || g.info === null).length;
    if (this.queue.length > 0 && !this.killed) {
      const want = this.size;
      const share = Math.ceil(this.queue.length / Math.max(1, want - live));
      for (let i = live; i < want; i++) this.startGuest(this.takePreload(Math.min(share, MAX_PRELOAD)));
    }
    for (let progress = true; progress && this.queue.length > 0;) {
      progress = false;
      const usable = this.guests.filter((g) => g.usable).sort((a, b) => a.pending - b.pending);
      for (const g of usable) {
        const i = this.queue.findIndex((t) => g.canTake(t));
        if (i < 0) continue;
        g.take(this.queue.splice(i, 1)[0]!);
        progress = true;
      }
      // a task that needs a fresh guest and finds none: start one for it
      if (!progress && this.queue[0]?.fresh && !this.guests.some((g) => g.info === null || (g.usable && g.taken === 0))) {
        this.startGuest(this.takePreload(MAX_PRELOAD));
      }
    }
  }

  run(seq: Sequence): Promise<HarnessRun> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the guest pool is closed'));
    const text = sequenceText(seq);
    this.unresolved++;
    return new Promise<HarnessRun>((resolve0, reject0) => {
      const resolve = (run: HarnessRun) => { this.unresolved--; resolve0(run); };
      const reject = (err: Error) => { this.unresolved--; reject0(err); };
      const task: Task = {
        seq, text, bytes: Buffer.byteLength(text), fresh: false,
        resolve,
        reject: (err) => {
          if (!(err instanceof GuestRetired) || this.failure) { reject(this.failure ?? err); return; }
          this.history.retired.push(err.message);
          if (err.kind === 'lost') { resolve({ bootError: null, results: [], lost: err.message }); return; }
          if (err.fresh && task.fresh) { resolve({ bootError: null, results: [], lost: `a fresh guest asked to rerun it: ${err.message}` }); return; }
          task.fresh ||= err.fresh;
          this.retries.push(task);
          this.schedulePump();
        },
      };
      this.queue.push(task);
      this.schedulePump();
    });
  }

  /** All at once: the pool does its own flow control, and new guests preload their share. */
  runAll(seqs: readonly Sequence[]): Promise<HarnessRun[]> {
    return Promise.all(seqs.map((s) => this.run(s)));
  }

  /** End every guest after what it was given. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.unresolved > 0 && !this.failure) await new Promise((r) => setTimeout(r, 20));
    await Promise.all(this.guests.map((g) => g.quit()));
  }

  /** Stop every guest at once; what was not answered fails. */
  kill(): void {
    this.killed = true;
    this.closed = true;
    this.fail(new Error('the guest pool was stopped'));
    for (const g of this.guests) g.kill();
  }

  /** The running guests (tests). */
  get running(): readonly Guest[] { return this.guests; }
}
