// Is a step well-formed? (operations.md, "Errors of the tool itself"). Static checks only:
// the op, its fields and their types. Whether a pid or handle exists is checked by `step`.
// Paths may be relative (resolved from the process's working directory) and may be empty
// (the kernel answers ENOENT); handle names may be any string.

import { MOUNT_FLAGS, NS_PROPAGATIONS, OP_NAMES, PROPAGATION_TYPES, parseModeString, type Op, type OpName } from './ops.ts';

export interface Problem { readonly field: string; readonly message: string }

type Kind = 'int' | 'chownId' | 'path' | 'string' | 'mode' | 'bool' | 'flags' | 'name' | 'nsPropagation' | 'propagationType';
const FIELDS: Readonly<Record<OpName, Readonly<Record<string, readonly [Kind, boolean]>>>> = {
  spawn: { child: ['int', true], newns: ['bool', false], inherit: ['bool', false], propagation: ['nsPropagation', false] },
  unshare: { mount: ['bool', false], user: ['bool', false], propagation: ['nsPropagation', false] },
  chroot: { path: ['path', true] },
  pivotRoot: { newRoot: ['path', true], putOld: ['path', true] },
  chdir: { path: ['path', true] },
  setuid: { uid: ['int', true], gid: ['int', false] },
  exit: {},
  mount: { fstype: ['string', true], target: ['path', true], options: ['string', false], flags: ['flags', false] },
  remount: { target: ['path', true], options: ['string', false], flags: ['flags', false], bind: ['bool', false] },
  bind: { source: ['path', true], target: ['path', true], recursive: ['bool', false] },
  move: { source: ['path', true], target: ['path', true] },
  propagate: { target: ['path', true], type: ['propagationType', true], recursive: ['bool', false] },
  umount: { target: ['path', true], lazy: ['bool', false] },
  mkdir: { path: ['path', true], mode: ['mode', false] },
  mknod: { path: ['path', true], major: ['int', true], minor: ['int', true], mode: ['mode', false] },
  touch: { path: ['path', true] },
  symlink: { target: ['string', true], path: ['path', true] },
  unlink: { path: ['path', true] },
  rename: { from: ['path', true], to: ['path', true] },
  link: { target: ['path', true], path: ['path', true] },
  chmod: { path: ['path', true], mode: ['mode', true] },
  chown: { path: ['path', true], uid: ['chownId', true], gid: ['chownId', true] },
  stat: { path: ['path', true], nofollow: ['bool', false] },
  readdir: { path: ['path', true] },
  mounts: {},
  open: { path: ['path', true], as: ['name', false] },
  unlockpt: { fd: ['name', true] },
  peer: { fd: ['name', true], as: ['name', false] },
  close: { fd: ['name', true] },
  dup: { fd: ['name', true], as: ['name', false] },
  fstat: { fd: ['name', true] },
  sysctl: { name: ['string', true], value: ['int', false] },
};
/** Keys a step may carry besides its op's own fields. */
const COMMON = new Set(['op', 'pid', 'expect', 'note', 'comment', 'result', 'kernel']);

function check(kind: Kind, v: unknown): string | null {
  switch (kind) {
    case 'int': return Number.isInteger(v) && (v as number) >= 0 ? null : 'must be a non-negative integer';
    // chown's "leave it": -1, or the same id as an unsigned number (4294967295)
    case 'chownId': return Number.isInteger(v) && (v as number) >= -1 && (v as number) <= 0xffffffff ? null : 'must be an id (0 to 4294967295) or -1';
    case 'bool': return typeof v === 'boolean' ? null : 'must be true or false';
    case 'string': return typeof v === 'string' ? null : 'must be a string';
    case 'name': return typeof v === 'string' ? null : 'must be a handle name (a string)';
    // a path may be relative (from the working directory) or empty (ENOENT); NUL cannot be passed to a syscall
    case 'path': return typeof v === 'string' && !v.includes('\0') ? null : 'must be a path (a string without NUL bytes)';
    case 'mode': return typeof v === 'string' && parseModeString(v) !== null ? null : 'must be an octal mode string such as "0620"';
    case 'flags': return Array.isArray(v) && v.every((f) => (MOUNT_FLAGS as readonly unknown[]).includes(f)) ? null : `must be a list of ${MOUNT_FLAGS.join(', ')}`;
    case 'nsPropagation': return (NS_PROPAGATIONS as readonly unknown[]).includes(v) ? null : `must be one of ${NS_PROPAGATIONS.join(', ')}`;
    case 'propagationType': return (PROPAGATION_TYPES as readonly unknown[]).includes(v) ? null : `must be one of ${PROPAGATION_TYPES.join(', ')}`;
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** The first problem of a step, or null when it is well-formed. */
export function validateOp(raw: unknown): Problem | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { field: 'op', message: 'a step must be a JSON object' };
  const step = raw as Record<string, unknown>;
  if (typeof step.op !== 'string') return { field: 'op', message: 'missing "op"' };
  if (!(OP_NAMES as readonly string[]).includes(step.op)) return { field: 'op', message: `unknown op "${step.op}"` };
  if (step.pid !== undefined && !(Number.isInteger(step.pid) && (step.pid as number) > 0)) return { field: 'pid', message: 'pid must be a positive integer' };
  const fields = FIELDS[step.op as OpName];
  for (const [name, [kind, required]] of Object.entries(fields)) {
    const v = hasOwn(step, name) ? step[name] : undefined;
    if (v === undefined) {
      if (required) return { field: name, message: `missing "${name}" for op "${step.op}"` };
      continue;
    }
    const bad = check(kind, v);
    if (bad) return { field: name, message: `"${name}" ${bad}` };
  }
  for (const key of Object.keys(step)) {
    if (!hasOwn(fields, key) && !COMMON.has(key)) return { field: key, message: `unknown field "${key}" for op "${step.op}"` };
  }
  return null;
}

export function asOp(raw: unknown): Op | Problem {
  const problem = validateOp(raw);
  return problem ?? (raw as Op);
}

/** The boot fields of operations.md ("The world at boot") and what each may hold. */
const BOOT_FIELDS: Readonly<Record<string, (v: unknown) => string | null>> = {
  devptsOptions: (v) => (typeof v === 'string' ? null : 'must be a string (the mount data, e.g. "gid=5,mode=620")'),
  mountDevpts: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  ptmxMode: (v) => (typeof v === 'string' && parseModeString(v) !== null ? null : 'must be an octal mode string such as "0666"'),
  dev: (v) => (v === 'dir' || v === 'devtmpfs' ? null : 'must be "dir" or "devtmpfs"'),
  rootPropagation: (v) => (v === 'private' || v === 'shared' ? null : 'must be "private" or "shared"'),
};
export const BOOT_FIELD_NAMES: readonly string[] = Object.keys(BOOT_FIELDS);

/** The first problem of a boot configuration (field named `boot.<key>`), or null. */
export function validateBoot(boot: unknown): Problem | null {
  if (typeof boot !== 'object' || boot === null || Array.isArray(boot)) return { field: 'boot', message: 'must be an object' };
  for (const [key, value] of Object.entries(boot)) {
    const check = hasOwn(BOOT_FIELDS, key) ? BOOT_FIELDS[key] : undefined;
    if (!check) return { field: `boot.${key}`, message: `unknown boot field (one of ${BOOT_FIELD_NAMES.join(', ')})` };
    const problem = check(value);
    if (problem) return { field: `boot.${key}`, message: problem };
  }
  return null;
}
