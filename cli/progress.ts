// Progress of long runs (report, check, explore, kernel) on stderr. On a terminal one
// line rewritten in place; otherwise (CI logs, pipes) one line at a steady interval, as
// TLC does, so a long run is never silent and a short one prints nothing. The interval
// is 10 s, or DEVPTS_CHECK_PROGRESS_SECONDS (0: every update, for tests and debugging).

export interface ProgressStream { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number }

export interface ProgressOptions {
  /** "check", "explore 6.x": the line's first word. */
  readonly label: string;
  readonly stream?: ProgressStream;
  /** false: print nothing (--no-progress). */
  readonly enabled?: boolean;
  /** Seconds between two lines when not on a terminal. */
  readonly intervalSeconds?: number;
}

export interface ProgressReporter {
  /** What is being done now; `done`/`total` when countable. */
  update(text: string, done?: number, total?: number): void;
  /** Clear the terminal line (nothing to do for lines already printed). */
  end(): void;
}

export const DEFAULT_PROGRESS_SECONDS = 10;

/** The interval from the environment, or the default. */
export function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.DEVPTS_CHECK_PROGRESS_SECONDS;
  if (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) || Number(v) < 0) return DEFAULT_PROGRESS_SECONDS;
  return Number(v);
}

const clock = (ms: number): string => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function startProgress(o: ProgressOptions): ProgressReporter {
  const stream = o.stream ?? process.stderr;
  const enabled = o.enabled !== false;
  const tty = stream.isTTY === true;
  const interval = (o.intervalSeconds ?? progressInterval()) * 1000;
  const t0 = Date.now();
  let lastLine = t0;
  let lastDraw = 0;
  let drawn = false;
  const line = (text: string, done?: number, total?: number): string => {
    const count = done !== undefined && total !== undefined && total > 0 ? ` ${done}/${total} (${Math.floor((100 * done) / total)}%)` : '';
    return `${o.label}${count} · ${clock(Date.now() - t0)} elapsed · ${text}`;
  };
  return {
    update(text, done, total) {
      if (!enabled) return;
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const width = (stream.columns ?? 80) - 1;
        stream.write(`\r\x1b[2K${line(text, done, total).slice(0, Math.max(20, width))}`);
        drawn = true;
        return;
      }
      if (now - lastLine < interval) return;
      lastLine = now;
      stream.write(`${line(text, done, total)}\n`);
    },
    end() {
      if (tty && drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
