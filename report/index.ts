// The report's one entry point: check the out dir, collect every verdict from the real
// runners, render the requested formats in memory, put them into --out all at once,
// print the matrix (or conformance.json with --json).
//
// Exit codes: 0 when the run completed — violated cells are findings, i.e. results,
// not failures; 1 when something could not be computed (a runner failed on a cell, a
// counterexample did not replay, the files could not be written); 2 for bad options,
// including an --out that cannot be written (checked before the run starts).

import { relative, resolve } from 'node:path';
import { EXIT, UsageError } from '../traces/errors.ts';
import { collect, type CollectProgress } from './collect.ts';
import type { ConformanceData } from './data.ts';
import { FILE_OF, type Format, type ReportOptions } from './options.ts';
import { renderHtml } from './render/html.ts';
import { renderJson } from './render/json.ts';
import { renderJunit } from './render/junit.ts';
import { renderMarkdown } from './render/markdown.ts';
import { renderText } from './render/text.ts';
import { checkOutDir, writeOutDir, type OutFile, type WriteFs } from './write.ts';

export interface ReportIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** stdout is a terminal: colour (unless NO_COLOR) and lines cut to `columns`. */
  readonly tty: boolean;
  /** stderr is a terminal: a one-line progress indicator. */
  readonly progress?: boolean;
  /** Progress messages go here instead (the CLI's reporter: a line at a steady interval off a terminal). */
  readonly onProgress?: (message: string) => void;
  /** Called when the run is over (clears a progress line). */
  readonly onProgressEnd?: () => void;
  readonly columns: number | null;
  readonly fs?: WriteFs;
}

const RENDERERS: Readonly<Record<Format, (d: ConformanceData) => string>> = {
  md: renderMarkdown, json: renderJson, html: renderHtml, junit: renderJunit,
};

/** The out dir as the user reads it: relative to the working directory when inside it. */
export function shownPath(dir: string): string {
  const rel = relative(process.cwd(), resolve(dir));
  return rel === '' ? '.' : rel.startsWith('..') ? resolve(dir) : rel;
}

/** Every file of the report, rendered in memory. */
export function renderFiles(data: ConformanceData, traces: readonly OutFile[], formats: readonly Format[]): OutFile[] {
  return [...formats.map((f) => ({ path: FILE_OF[f], content: RENDERERS[f](data) })), ...traces];
}

export async function runReport(options: ReportOptions, io: ReportIo): Promise<{ code: number; data: ConformanceData | null }> {
  try {
    await checkOutDir(options.outDir, io.fs);
  } catch (err) {
    throw new UsageError(`report: ${(err as Error).message}`);
  }
  const outShown = shownPath(options.outDir);
  let last = 0;
  const progress: CollectProgress | undefined = io.onProgress ?? (io.progress
    ? (msg: string) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      io.stderr(`\r\x1b[2K${msg.slice(0, (process.stderr.columns || 80) - 1)}`);
    }
    : undefined);
  const { data, traces } = await collect({ ...options, outShown, ...(progress ? { onProgress: progress } : {}) });
  if (io.onProgress) io.onProgressEnd?.();
  else if (io.progress) io.stderr('\r\x1b[2K');
  const files = renderFiles(data, traces, options.formats);
  let code: number = data.problems.length > 0 ? EXIT.failed : EXIT.ok;
  let wrote = false;
  try {
    await writeOutDir(options.outDir, files, io.fs);
    wrote = true;
  } catch (err) {
    io.stderr(`devpts-check: report: could not write ${outShown}: ${(err as Error).message.split('\n')[0]}\n`);
    code = EXIT.failed;
  }
  if (options.json) io.stdout(renderJson(data));
  else {
    const written = wrote ? options.formats.map((f) => FILE_OF[f]).concat(traces.length ? [`traces/ (${traces.length})`] : []) : [];
    io.stdout(renderText(data, { colour: io.tty && !process.env.NO_COLOR, width: io.tty ? io.columns : null, outDir: outShown, files: written, ...(options.rerun ? { rerun: options.rerun } : {}) }));
  }
  return { code, data };
}
