// Loading a devpts-trace/1 file (trace-format.md): JSON, then the envelope (format,
// profile, title, clauses, boot), then every step through the model's validateOp and
// every expectation. The first problem is a TraceError naming file, step and field.

import { readFile, stat } from 'node:fs/promises';
import { PROFILE_IDS, validateBoot, validateOp } from '../model/index.ts';
import { TraceError } from './errors.ts';
import { expectationProblem } from './expect.ts';
import { violationProblem } from './violation.ts';
import type { Trace } from './types.ts';

export { TraceError } from './errors.ts';

export const TRACE_FORMAT = 'devpts-trace/1';

/** Traces larger than this are refused before reading (a long counterexample is kilobytes; 1 M steps are ~50 MB). */
export const MAX_TRACE_BYTES = 512 * 1024 * 1024;

/** Why a file cannot be read, in words. */
function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOTDIR': return 'a path component is not a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'ENAMETOOLONG': return 'the name is too long';
    case 'EIO': return 'input/output error';
    default: return code ? `error ${code}` : String(err);
  }
}

/** Read and validate a trace file. Unreadable, binary or oversized files are TraceErrors too (exit 2). */
export async function loadTrace(path: string): Promise<Trace> {
  let bytes: Buffer;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_TRACE_BYTES) throw new TraceError(path, {}, `${size} bytes is too large for a trace (limit ${MAX_TRACE_BYTES})`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof TraceError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_FS_FILE_TOO_LARGE') throw new TraceError(path, {}, `too large for a trace (limit ${MAX_TRACE_BYTES} bytes)`);
    throw new TraceError(path, {}, `cannot read: ${readProblem(err)}`);
  }
  return loadTraceText(decodeText(bytes, path), path);
}

/** The file as UTF-8 text; a binary file (NUL, invalid UTF-8, control bytes) is refused without echoing it. */
export function decodeText(bytes: Uint8Array, name: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new TraceError(name, {}, `not a trace: a binary file (NUL byte at offset ${nul})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TraceError(name, {}, 'not a trace: not UTF-8 text (a binary file?)');
  }
  // JSON allows only tab, newline and carriage return outside strings, and no raw control characters inside them
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) throw new TraceError(name, {}, `not a trace: control byte 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} at offset ${control.index} (a binary file?)`);
  return text;
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
  // free-form values (unknown top-level keys, a step's comment/result/kernel) are kept and written back: bound their depth
  for (const [key, value] of Object.entries(t)) if (!KNOWN_TOP.has(key) && tooDeep(value)) bad(key, `nested more than ${MAX_DEPTH} levels deep`);
  (t.steps as unknown[]).forEach((s, i) => {
    if (typeof s !== 'object' || s === null) return;
    for (const key of ['comment', 'result', 'kernel']) {
      if (tooDeep((s as Record<string, unknown>)[key])) throw new TraceError(name, { step: i + 1, field: key }, `nested more than ${MAX_DEPTH} levels deep`);
    }
  });
  (t.steps as unknown[]).forEach((s, i) => {
    const problem = validateOp(s) ?? stepExtrasProblem(s as Record<string, unknown>);
    if (problem) throw new TraceError(name, { step: i + 1, field: problem.field }, problem.message);
  });
  const violation = violationProblem(t.violation, (t.steps as unknown[]).length);
  if (violation) bad(violation.field, violation.message);
  return raw as Trace;
}

const KNOWN_TOP = new Set(['format', 'profile', 'title', 'clauses', 'boot', 'steps']);
/** Free-form values deeper than this are refused (a trace is a few levels deep; deeper values would only exhaust the stack of whoever reads them). */
export const MAX_DEPTH = 64;

/** Whether a JSON value nests deeper than MAX_DEPTH (iterative: never recurses itself). */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d >= MAX_DEPTH) return true;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
  }
  return false;
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
