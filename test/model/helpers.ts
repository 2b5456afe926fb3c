// Tiny helpers for the model's unit tests: run an op list from boot and look at results.
// Results are the model's own (fs is the internal instance id "devpts#N" or "other"):
// tests compare fs values for (in)equality, never the exact strings.

import { boot, isErrno, isOk, isToolError, step, type BootConfig, type KernelState, type Op, type OkResult, type ProfileId, type StepResult } from '../../model/index.ts';

export const ALL: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'];
export const LEGACY: readonly ProfileId[] = ['2.6.39-n', '2.6.39-y', '3.4-y'];
export const CONFIG_Y: readonly ProfileId[] = ['2.6.39-y', '3.4-y'];
export const WITH_PTMX_NODE: readonly ProfileId[] = ['2.6.39-y', '3.4-y', '6.x'];

export interface Run {
  readonly results: StepResult[];
  readonly state: KernelState;
  /** The result of the last step. */
  readonly last: StepResult;
  /** The result of the step tagged with `tag` (an op carrying `note: tag`). */
  at(tag: string): StepResult;
}

type Step = Op & { note?: string };

/** Boot `profile` (with `bootConfig`) and run `ops` in order; a tool error throws. */
export function run(profile: ProfileId, ops: readonly Step[], bootConfig: BootConfig = {}): Run {
  return runFrom(boot(profile, bootConfig), ops);
}

/** Run `ops` from an existing state. */
export function runFrom(start: KernelState, ops: readonly Step[]): Run {
  let state = start;
  const results: StepResult[] = [];
  const tags = new Map<string, number>();
  ops.forEach((op, i) => {
    const { note, ...clean } = op as Step;
    const out = step(state, clean as Op);
    if (isToolError(out.result)) throw new Error(`step ${i} (${op.op}): tool error on ${out.result.field}: ${out.result.error}`);
    state = out.state;
    results.push(out.result);
    if (note !== undefined) tags.set(note, i);
  });
  return {
    results, state, last: results[results.length - 1]!,
    at(tag: string) {
      const i = tags.get(tag);
      if (i === undefined) throw new Error(`no step tagged "${tag}"`);
      return results[i]!;
    },
  };
}

/** The last result, which must be a success. */
export function ok(profile: ProfileId, ops: readonly Step[], bootConfig?: BootConfig): OkResult {
  const r = run(profile, ops, bootConfig).last;
  if (!isOk(r)) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r;
}

/** The errno of the last step (or "ok"). */
export function errnoOf(r: StepResult): string {
  return isErrno(r) ? r.errno : isOk(r) ? 'ok' : `tool error ${JSON.stringify(r)}`;
}

/** The last step's errno, or "ok". */
export function lastErrno(profile: ProfileId, ops: readonly Step[], bootConfig?: BootConfig): string {
  return errnoOf(run(profile, ops, bootConfig).last);
}

/** Values of a successful result (throws on errno). */
export function okv(r: StepResult): OkResult {
  if (!isOk(r)) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r;
}

// ---- op shorthands ---------------------------------------------------------------

export const open = (path: string, extra: { pid?: number; as?: string; note?: string } = {}): Step => ({ op: 'open', path, ...extra });
export const close = (fd: string, pid?: number): Step => ({ op: 'close', fd, ...(pid ? { pid } : {}) });
export const unlockpt = (fd: string, pid?: number): Step => ({ op: 'unlockpt', fd, ...(pid ? { pid } : {}) });
export const peer = (fd: string, extra: { pid?: number; as?: string; note?: string } = {}): Step => ({ op: 'peer', fd, ...extra });
export const stat = (path: string, extra: { pid?: number; nofollow?: boolean; note?: string } = {}): Step => ({ op: 'stat', path, ...extra });
export const readdir = (path: string, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'readdir', path, ...extra });
export const mountDevpts = (target: string, options?: string, extra: { pid?: number; flags?: ('ro' | 'nosuid' | 'nodev' | 'noexec')[]; note?: string } = {}): Step =>
  ({ op: 'mount', fstype: 'devpts', target, ...(options !== undefined ? { options } : {}), ...extra });
export const mountTmpfs = (target: string, extra: { pid?: number; flags?: ('ro' | 'nosuid' | 'nodev' | 'noexec')[]; note?: string } = {}): Step =>
  ({ op: 'mount', fstype: 'tmpfs', target, ...extra });
export const remount = (target: string, options?: string, extra: { pid?: number; flags?: ('ro' | 'nosuid' | 'nodev' | 'noexec')[]; note?: string } = {}): Step =>
  ({ op: 'remount', target, ...(options !== undefined ? { options } : {}), ...extra });
export const umount = (target: string, extra: { pid?: number; lazy?: boolean; note?: string } = {}): Step => ({ op: 'umount', target, ...extra });
export const bind = (source: string, target: string, extra: { pid?: number; recursive?: boolean; note?: string } = {}): Step => ({ op: 'bind', source, target, ...extra });
export const mkdir = (path: string, extra: { pid?: number; mode?: string; note?: string } = {}): Step => ({ op: 'mkdir', path, ...extra });
export const mknodPtmx = (path: string, extra: { pid?: number; mode?: string; note?: string } = {}): Step => ({ op: 'mknod', path, major: 5, minor: 2, mode: '0666', ...extra });
export const touch = (path: string, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'touch', path, ...extra });
export const symlink = (target: string, path: string, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'symlink', target, path, ...extra });
export const unlink = (path: string, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'unlink', path, ...extra });
export const chmod = (path: string, mode: string, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'chmod', path, mode, ...extra });
export const chown = (path: string, uid: number, gid: number, extra: { pid?: number; note?: string } = {}): Step => ({ op: 'chown', path, uid, gid, ...extra });
export const spawn = (child: number, extra: { pid?: number; newns?: boolean } = {}): Step => ({ op: 'spawn', child, ...extra });
export const unshare = (pid?: number): Step => ({ op: 'unshare', ...(pid ? { pid } : {}) });
export const setuid = (uid: number, extra: { pid?: number; gid?: number } = {}): Step => ({ op: 'setuid', uid, ...extra });
export const exit = (pid: number): Step => ({ op: 'exit', pid });
export const sysctl = (name: 'kernel.pty.max' | 'kernel.pty.reserve' | string, value: number, pid?: number): Step => ({ op: 'sysctl', name, value, ...(pid ? { pid } : {}) });

/** `n` opens of `path` (handles m0..m{n-1} unless a prefix is given). */
export const opens = (path: string, n: number, prefix = 'm', pid?: number): Step[] =>
  Array.from({ length: n }, (_, i) => open(path, { as: `${prefix}${i}`, ...(pid ? { pid } : {}) }));

/** The index of an open's result. */
export const indexOf = (r: StepResult): number | string => (isOk(r) ? (r.index ?? 'no index') : errnoOf(r));
