// Saving traces: canonical JSON (stable key order, 2-space indent, trailing newline),
// written atomically: a temporary file in the same folder, fsync, rename over the
// target. On any failure the temporary file is removed and the old file is untouched,
// so an interrupted run never leaves a half-written trace (trace-format.md).

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RESULT_KEYS } from './expect.ts';
import { parseTrace } from './load.ts';
import type { Trace } from './types.ts';

/** The file-system calls an atomic write makes; tests substitute failing ones. */
export interface AtomicWriteFs {
  open(path: string, flags: string, mode?: number): Promise<{ writeFile(data: string): Promise<void>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}
export const NODE_FS: AtomicWriteFs = { open, rename, unlink };

/** Write `text` to `path` atomically (same-folder temp file, fsync, rename). */
export async function writeFileAtomic(path: string, text: string, fs: AtomicWriteFs = NODE_FS): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined); // may not exist if open failed
    throw err;
  }
  await syncDirectory(fs, dir);
}

/** The file-system calls a streamed atomic write makes. */
export interface StreamWriteFs {
  open(path: string, flags: string, mode?: number): Promise<{ write(data: string): Promise<unknown>; sync(): Promise<void>; close(): Promise<void> }>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}
const NODE_STREAM_FS: StreamWriteFs = { open, rename, unlink };

/**
 * Write text produced piece by piece (a long export) atomically: pieces are gathered
 * into writes of about a megabyte in a same-folder temp file, then fsync and rename.
 * On any failure (including one thrown while producing the pieces) the temp file is
 * removed and the target is untouched.
 */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>, fs: StreamWriteFs = NODE_STREAM_FS): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      let pending: string[] = [];
      let bytes = 0;
      for (const chunk of chunks) {
        pending.push(chunk);
        bytes += chunk.length;
        if (bytes >= 1 << 20) { await handle.write(pending.join('')); pending = []; bytes = 0; }
      }
      if (pending.length > 0) await handle.write(pending.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    await fs.unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(fs as unknown as AtomicWriteFs, dir);
}

/** Make the rename itself durable; a folder that cannot be synced is not an error. */
async function syncDirectory(fs: AtomicWriteFs, dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try { await handle.sync(); } finally { await handle.close(); }
  } catch { /* best effort: some file systems refuse fsync on a directory */ }
}

// ---- canonical JSON ----------------------------------------------------------------

// the steps last, so that a reader meets what the trace is about first
const TOP_ORDER = ['format', 'profile', 'title', 'clauses', 'violation', 'notes', 'source', 'seed', 'boot'];
const TOP_TAIL = ['steps'];
// traces/violation.ts: the note reads clause, step, what breaks, then the evidence steps
const VIOLATION_ORDER = ['clause', 'step', 'message', 'evidence'];
// operations.md's field order, so that saved steps read like the table
const STEP_ORDER = [
  'op', 'pid', 'child', 'newns', 'inherit', 'mount', 'user', 'propagation', 'fstype', 'source', 'target', 'newRoot',
  'putOld', 'from', 'to', 'path', 'options', 'flags', 'bind', 'type', 'recursive', 'lazy', 'major', 'minor', 'mode',
  'uid', 'gid', 'nofollow', 'fd', 'as', 'name', 'value',
];
const STEP_TAIL = ['expect', 'note'];

/** Keys in the given order first, then the rest alphabetically, then the tail. */
function ordered(obj: Record<string, unknown>, head: readonly string[], tail: readonly string[] = []): Record<string, unknown> {
  const keys = Object.keys(obj);
  const rest = keys.filter((k) => !head.includes(k) && !tail.includes(k)).sort();
  const out: Record<string, unknown> = {};
  for (const k of [...head.filter((k) => k in obj), ...rest, ...tail.filter((k) => k in obj)]) out[k] = obj[k];
  return out;
}

/** Any other value: objects with sorted keys, all the way down. */
function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortedDeep(o[k])]));
}

function canonicalStep(step: Record<string, unknown>): Record<string, unknown> {
  const out = ordered(step, STEP_ORDER, STEP_TAIL);
  for (const k of Object.keys(out)) {
    out[k] = k === 'expect' ? ordered(out[k] as Record<string, unknown>, RESULT_KEYS) : sortedDeep(out[k]);
  }
  return out;
}

/** The canonical text of a trace: stable key order, 2-space JSON, trailing newline. */
export function formatTrace(trace: Trace): string {
  const top = ordered(trace as Record<string, unknown>, TOP_ORDER, TOP_TAIL);
  for (const k of Object.keys(top)) {
    top[k] = k === 'steps' ? (trace.steps as unknown as Record<string, unknown>[]).map(canonicalStep)
      : k === 'violation' && typeof top[k] === 'object' && top[k] !== null ? ordered(top[k] as Record<string, unknown>, VIOLATION_ORDER)
        : sortedDeep(top[k]);
  }
  return `${JSON.stringify(top, null, 2)}\n`;
}

/** Validate, then save atomically in canonical form. An invalid trace is never written. */
export async function saveTrace(path: string, trace: Trace, fs: AtomicWriteFs = NODE_FS): Promise<void> {
  parseTrace(trace, path);
  await writeFileAtomic(path, formatTrace(trace), fs);
}
