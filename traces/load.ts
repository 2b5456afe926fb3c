// Loading a devpts-trace/1 file (trace-format.md): JSON, then the envelope (format,
// profile, title, clauses, boot), then every step through the model's validateOp and
// every expectation. The first problem is a TraceError naming file, step and field.

import { readFile } from 'node:fs/promises';
import { PROFILE_IDS, validateBoot, validateOp } from '../model/index.ts';
import { TraceError } from './errors.ts';
import { expectationProblem } from './expect.ts';
import type { Trace } from './types.ts';

export { TraceError } from './errors.ts';

export const TRACE_FORMAT = 'devpts-trace/1';

/** Read and validate a trace file. Unreadable files are TraceErrors too (exit 2). */
export async function loadTrace(path: string): Promise<Trace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : code ?? String(err);
    throw new TraceError(path, {}, `cannot read: ${why}`);
  }
  return loadTraceText(text, path);
}

/** Validate a trace held in memory; `name` stands for the file in messages. */
export function loadTraceText(text: string, name: string): Trace {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new TraceError(name, {}, `not valid JSON: ${jsonProblem(text, (err as Error).message)}`);
  }
  return parseTrace(raw, name);
}

/** Validate an already parsed value as a trace. Returns it unchanged (unknown top-level keys kept). */
export function parseTrace(raw: unknown, name: string): Trace {
  const bad = (field: string, message: string): never => { throw new TraceError(name, { field }, message); };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('format', `a trace must be a JSON object with "format": "${TRACE_FORMAT}"`);
  const t = raw as Record<string, unknown>;
  if (t.format === undefined) bad('format', `missing (expected "${TRACE_FORMAT}")`);
  if (t.format !== TRACE_FORMAT) bad('format', `unknown format ${JSON.stringify(t.format)} (expected "${TRACE_FORMAT}")`);
  if (t.profile === undefined) bad('profile', `missing (one of ${PROFILE_IDS.join(', ')})`);
  if (typeof t.profile !== 'string' || !(PROFILE_IDS as readonly string[]).includes(t.profile)) {
    bad('profile', `unknown profile ${JSON.stringify(t.profile)} (one of ${PROFILE_IDS.join(', ')})`);
  }
  if (t.title !== undefined && typeof t.title !== 'string') bad('title', 'must be a string');
  if (t.clauses !== undefined && !(Array.isArray(t.clauses) && t.clauses.every((c) => typeof c === 'string'))) bad('clauses', 'must be a list of clause IDs such as ["U5"]');
  if (t.boot !== undefined) {
    const problem = validateBoot(t.boot);
    if (problem) bad(problem.field, problem.message);
  }
  if (!Array.isArray(t.steps)) bad('steps', t.steps === undefined ? 'missing (a list of steps)' : 'must be a list of steps');
  (t.steps as unknown[]).forEach((s, i) => {
    const problem = validateOp(s) ?? stepExtrasProblem(s as Record<string, unknown>);
    if (problem) throw new TraceError(name, { step: i + 1, field: problem.field }, problem.message);
  });
  return raw as Trace;
}

/** `expect` and `note`: the keys a trace step adds to an op. */
function stepExtrasProblem(step: Record<string, unknown>): { field: string; message: string } | null {
  if (step.note !== undefined && typeof step.note !== 'string') return { field: 'note', message: 'must be a string' };
  return step.expect === undefined ? null : expectationProblem(step.expect);
}

/** JSON.parse's complaint, without the echoed source, with a line and column where it gives a position. */
function jsonProblem(text: string, message: string): string {
  const what = message.replace(/, (\.\.\.)?".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const at = /at position (\d+)/.exec(message);
  if (!at) return what;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${what} (line ${line}, column ${column})`;
}
