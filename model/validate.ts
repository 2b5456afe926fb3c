// Is a step well-formed? (operations.md, "Errors of the tool itself"). Static checks only:
// the op, its fields and their types. Whether a pid or handle exists is checked by `step`.

import { MOUNT_FLAGS, OP_NAMES, parseModeString, type Op, type OpName } from './ops.ts';

export interface Problem { readonly field: string; readonly message: string }

type Kind = 'int' | 'path' | 'string' | 'mode' | 'bool' | 'flags' | 'name';
const FIELDS: Readonly<Record<OpName, Readonly<Record<string, readonly [Kind, boolean]>>>> = {
  spawn: { child: ['int', true], newns: ['bool', false] },
  unshare: {},
  setuid: { uid: ['int', true], gid: ['int', false] },
  exit: {},
  mount: { fstype: ['string', true], target: ['path', true], options: ['string', false], flags: ['flags', false] },
  remount: { target: ['path', true], options: ['string', false], flags: ['flags', false] },
  bind: { source: ['path', true], target: ['path', true], recursive: ['bool', false] },
  umount: { target: ['path', true], lazy: ['bool', false] },
  mkdir: { path: ['path', true], mode: ['mode', false] },
  mknod: { path: ['path', true], major: ['int', true], minor: ['int', true], mode: ['mode', false] },
  touch: { path: ['path', true] },
  symlink: { target: ['string', true], path: ['path', true] },
  unlink: { path: ['path', true] },
  chmod: { path: ['path', true], mode: ['mode', true] },
  chown: { path: ['path', true], uid: ['int', true], gid: ['int', true] },
  stat: { path: ['path', true], nofollow: ['bool', false] },
  readdir: { path: ['path', true] },
  open: { path: ['path', true], as: ['name', false] },
  unlockpt: { fd: ['name', true] },
  peer: { fd: ['name', true], as: ['name', false] },
  close: { fd: ['name', true] },
  sysctl: { name: ['string', true], value: ['int', true] },
};
/** Keys a step may carry besides its op's own fields. */
const COMMON = new Set(['op', 'pid', 'expect', 'note', 'comment', 'result', 'kernel']);

function check(kind: Kind, v: unknown): string | null {
  switch (kind) {
    case 'int': return Number.isInteger(v) && (v as number) >= 0 ? null : 'must be a non-negative integer';
    case 'bool': return typeof v === 'boolean' ? null : 'must be true or false';
    case 'string': return typeof v === 'string' ? null : 'must be a string';
    case 'name': return typeof v === 'string' && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(v) ? null : 'must be a handle name (letters, digits, _ . -)';
    case 'path': return typeof v === 'string' && v.startsWith('/') && !v.includes('\0') ? null : 'must be an absolute path';
    case 'mode': return typeof v === 'string' && parseModeString(v) !== null ? null : 'must be an octal mode string such as "0620"';
    case 'flags': return Array.isArray(v) && v.every((f) => (MOUNT_FLAGS as readonly unknown[]).includes(f)) ? null : `must be a list of ${MOUNT_FLAGS.join(', ')}`;
  }
}

/** The first problem of a step, or null when it is well-formed. */
export function validateOp(raw: unknown): Problem | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { field: 'op', message: 'a step must be a JSON object' };
  const step = raw as Record<string, unknown>;
  if (typeof step.op !== 'string') return { field: 'op', message: 'missing "op"' };
  if (!(OP_NAMES as readonly string[]).includes(step.op)) return { field: 'op', message: `unknown op "${step.op}"` };
  if (step.pid !== undefined && !(Number.isInteger(step.pid) && (step.pid as number) > 0)) return { field: 'pid', message: 'pid must be a positive integer' };
  const fields = FIELDS[step.op as OpName];
  for (const [name, [kind, required]] of Object.entries(fields)) {
    if (step[name] === undefined) {
      if (required) return { field: name, message: `missing "${name}" for op "${step.op}"` };
      continue;
    }
    const bad = check(kind, step[name]);
    if (bad) return { field: name, message: `"${name}" ${bad}` };
  }
  for (const key of Object.keys(step)) {
    if (!(key in fields) && !COMMON.has(key)) return { field: key, message: `unknown field "${key}" for op "${step.op}"` };
  }
  return null;
}

export function asOp(raw: unknown): Op | Problem {
  const problem = validateOp(raw);
  return problem ?? (raw as Op);
}
