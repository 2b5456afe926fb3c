// Expectations (trace-format.md): a partial match on a step's result. Every key present
// in `expect` must equal the actual result's key; arrays compare whole and in order.
// `{ "ok": true }` against an errno result fails, because the result has no `ok`.

import { formatMode, parseModeString, type StepResult } from '../model/index.ts';
import { deepEqual } from '../model/equal.ts';
import { LINUX_ERRNO_NAMES as ERRNO_NAMES } from './errno-names.ts';
import type { Expectation } from './types.ts';

type Check = (v: unknown) => string | null;

/** The known name closest to a misspelt one (at most two edits away), for the message. */
function closestErrno(name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of ERRNO_NAMES) {
    const d = editDistance(name, known);
    if (d < bestDistance && (d === 1 || name.length >= 6)) { best = known; bestDistance = d; }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function errnoProblem(v: unknown): string | null {
  if (typeof v !== 'string' || !/^E[A-Z0-9]+$/.test(v)) return 'must be an errno name such as "EACCES"';
  if (ERRNO_NAMES.has(v)) return null;
  const near = closestErrno(v);
  return `unknown errno name ${JSON.stringify(v)}${near ? ` (did you mean ${near}?)` : ' (not a Linux errno name)'}`;
}

const isInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');

const FS_LABEL = /^(devpts[1-9][0-9]*|other)$/;
const MOUNT_KEYS = new Set(['target', 'fstype', 'fs', 'options']);

/** `mounts`: a list of { target, fstype, fs, options? } (operations.md, one per mountinfo line). */
function mountsProblem(v: unknown): string | null {
  if (!Array.isArray(v)) return 'must be a list of { "target", "fstype", "fs", "options"? } objects';
  for (const [i, m] of v.entries()) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return `[${i}] must be an object`;
    const e = m as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!MOUNT_KEYS.has(k)) return `[${i}] has an unknown key "${k}" (target, fstype, fs, options)`;
    if (typeof e.target !== 'string') return `[${i}].target must be a string`;
    if (typeof e.fstype !== 'string') return `[${i}].fstype must be a string`;
    if (typeof e.fs !== 'string' || !FS_LABEL.test(e.fs)) return `[${i}].fs must be "devpts1", "devpts2", ... or "other"`;
    if (e.options !== undefined && typeof e.options !== 'string') return `[${i}].options must be a string`;
  }
  return null;
}

/** The result keys of operations.md, with what each may hold. */
const KEYS: Readonly<Record<string, Check>> = {
  ok: (v) => (v === true ? null : 'must be true (expect an errno with "errno" instead)'),
  errno: errnoProblem,
  fd: (v) => (typeof v === 'string' ? null : 'must be a handle name (a string)'),
  index: (v) => (isInt(v) ? null : 'must be a non-negative integer'),
  type: (v) => (v === 'dir' || v === 'chr' || v === 'reg' || v === 'lnk' ? null : 'must be one of dir, chr, reg, lnk'),
  // results print modes one way ("0620", "07777"); any other spelling could never match
  mode: (v) => (typeof v === 'string' && parseModeString(v) !== null && formatMode(parseModeString(v)!) === v ? null : 'must be an octal mode as results print it, such as "0620"'),
  uid: (v) => (isInt(v) ? null : 'must be a non-negative integer'),
  gid: (v) => (isInt(v) ? null : 'must be a non-negative integer'),
  rdev: (v) => (typeof v === 'string' && /^\d+:\d+$/.test(v) ? null : 'must be "major:minor"'),
  fs: (v) => (typeof v === 'string' && FS_LABEL.test(v) ? null : 'must be "devpts1", "devpts2", ... or "other"'),
  entries: (v) => (isStringList(v) ? null : 'must be a list of names'),
  mounts: (v) => mountsProblem(v),
  value: (v) => (isInt(v) ? null : 'must be a non-negative integer'),
  log: (v) => (isStringList(v) ? null : 'must be a list of console lines'),
};

/** Result keys in the order results print them; also the stable key order of saved files. */
export const RESULT_KEYS: readonly string[] = Object.keys(KEYS);

/** The first problem of an `expect` value as `{ field, message }`, or null when it is well-formed. */
export function expectationProblem(raw: unknown): { field: string; message: string } | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { field: 'expect', message: 'must be an object such as { "ok": true }' };
  const e = raw as Record<string, unknown>;
  for (const [key, value] of Object.entries(e)) {
    const check = Object.prototype.hasOwnProperty.call(KEYS, key) ? KEYS[key] : undefined;
    if (!check) return { field: `expect.${key}`, message: `unknown result key "${key}" (one of ${RESULT_KEYS.join(', ')})` };
    const bad = check(value);
    if (bad) return { field: `expect.${key}`, message: bad };
  }
  if ('ok' in e && 'errno' in e) return { field: 'expect', message: 'cannot expect both "ok" and "errno"' };
  return null;
}

/** Structural equality (model/equal.ts, re-exported for the trace tools). */
export { deepEqual };

/** The expectation's keys whose value the result does not have (empty: it holds). */
export function differingKeys(expect: Expectation, result: StepResult): string[] {
  const actual = result as unknown as Record<string, unknown>;
  return Object.keys(expect).filter((k) => !deepEqual((expect as Record<string, unknown>)[k], actual[k]));
}

export const expectationHolds = (expect: Expectation, result: StepResult): boolean => differingKeys(expect, result).length === 0;
