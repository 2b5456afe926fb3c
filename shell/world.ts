// The op vocabulary the checker speaks (../shared/design/operations.md) is the model's:
// chroot, pivotRoot, chdir, unshare with user and propagation, spawn with inherit and
// propagation, devtmpfs, move, propagate, rename, link, dup, fstat, mounts, sysctl reads.
// The vocabulary came before its semantics (the "world" issue): an op the model does not
// model yet answers a tool error, and a field it does not act on yet is ignored. The
// checker asks the model, by behaviour, what it can do, so a translation starts to work
// the moment the model does, and until then the command is "effect unknown".

import { boot, isToolError, step, type Op, type ProfileId } from '../model/index.ts';

/** Any op of the contract (the name stays from when the model's type did not have them all). */
export type AnyOp = Op;

/** One line of the `mounts` op's result (operations.md, Results). */
export interface MountLine { readonly target: string; readonly fstype: string; readonly fs: string; readonly options?: string }

/** Is this tool error the model's "in the vocabulary but not modelled yet"? */
export const notModelledYet = (r: unknown): boolean =>
  typeof r === 'object' && r !== null && 'error' in r && /not modelled/.test(String((r as { error: unknown }).error));

export interface Capabilities {
  /** unshare with user: true makes a user namespace (a non-root process may then unshare a mount namespace). */
  readonly userNamespaces: boolean;
  /** A devtmpfs mount is not ENODEV. */
  readonly devtmpfs: boolean;
  /** A relative path resolves from the working directory. */
  readonly relativePaths: boolean;
  /** A mount in a namespace copied with shared propagation kept shows in the original. */
  readonly propagation: boolean;
}

let cached: Capabilities | null = null;

/** What the model can do, asked once by trying it. */
export function capabilities(): Capabilities {
  if (cached) return cached;
  const profile: ProfileId = '6.x';
  const s0 = boot(profile, {});
  const run = (state: typeof s0, ops: Op[]): { ok: boolean } => {
    let s = state;
    for (const op of ops) {
      const out = step(s, op);
      if (isToolError(out.result) || 'errno' in out.result) return { ok: false };
      s = out.state;
    }
    return { ok: true };
  };
  cached = {
    userNamespaces: run(s0, [{ op: 'spawn', pid: 1, child: 2 }, { op: 'setuid', pid: 2, uid: 1000 }, { op: 'unshare', pid: 2, user: true }]).ok,
    devtmpfs: run(s0, [{ op: 'mount', pid: 1, fstype: 'devtmpfs', target: '/tmp' }]).ok,
    relativePaths: run(s0, [{ op: 'stat', pid: 1, path: 'tmp' }]).ok,
    propagation: (() => {
      let s = boot(profile, { rootPropagation: 'shared' });
      for (const op of [
        { op: 'spawn', pid: 1, child: 2, newns: true, propagation: 'keep' },
        { op: 'mount', pid: 2, fstype: 'tmpfs', target: '/tmp' },
        { op: 'touch', pid: 2, path: '/tmp/seen' },
      ] as Op[]) {
        const out = step(s, op);
        if (isToolError(out.result) || 'errno' in out.result) return false;
        s = out.state;
      }
      const r = step(s, { op: 'readdir', pid: 1, path: '/tmp' }).result;
      return 'entries' in r && (r.entries ?? []).includes('seen');
    })(),
  };
  return cached;
}
