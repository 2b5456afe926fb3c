// The op vocabulary the checker speaks (../shared/design/operations.md): the model's ops
// plus the ones the "world" issue adds (chroot, pivotRoot, chdir, unshare with user and
// propagation, spawn with inherit and propagation, devtmpfs, move, propagate, rename,
// link, dup, fstat, mounts, sysctl reads). The checker translates commands into the whole
// vocabulary; whether the model takes an op is asked of the model itself (validateOp,
// and a probe step for what validation cannot see), so a translation starts to work the
// moment the model accepts its op, and until then the command is "effect unknown".

import { boot, step, validateOp, type Op, type ProfileId } from '../model/index.ts';

interface Base { pid?: number }
export type Propagation = 'shared' | 'private' | 'slave' | 'unbindable';

export type WorldOp =
  | (Base & { op: 'spawn'; child: number; newns?: boolean; inherit?: boolean; propagation?: 'keep' | 'private' })
  | (Base & { op: 'unshare'; mount?: boolean; user?: boolean; propagation?: 'keep' | 'private' })
  | (Base & { op: 'chroot'; path: string })
  | (Base & { op: 'pivotRoot'; newRoot: string; putOld: string })
  | (Base & { op: 'chdir'; path: string })
  | (Base & { op: 'remount'; target: string; options?: string; flags?: string[]; bind?: boolean })
  | (Base & { op: 'move'; source: string; target: string })
  | (Base & { op: 'propagate'; target: string; type: Propagation; recursive?: boolean })
  | (Base & { op: 'rename'; from: string; to: string })
  | (Base & { op: 'link'; target: string; path: string })
  | (Base & { op: 'dup'; fd: string; as?: string })
  | (Base & { op: 'fstat'; fd: string })
  | (Base & { op: 'mounts' })
  | (Base & { op: 'sysctl'; name: string; value?: number });

/** Any op of the contract, whether or not the model has it yet. */
export type AnyOp = Op | WorldOp;

/** One line of the `mounts` op's result (operations.md, Results). */
export interface MountLine { readonly target: string; readonly fstype: string; readonly fs: string; readonly options?: string }

/** Does the model take this op as well-formed? (An op it does not know is refused by validateOp.) */
export const modelTakes = (op: AnyOp): boolean => validateOp(op) === null;

export interface Capabilities {
  readonly chroot: boolean;
  readonly pivotRoot: boolean;
  readonly chdir: boolean;
  readonly relativePaths: boolean;
  readonly userNamespaces: boolean;
  readonly propagation: boolean;
  readonly move: boolean;
  readonly rename: boolean;
  readonly link: boolean;
  readonly mounts: boolean;
  readonly sysctlRead: boolean;
  readonly devtmpfs: boolean;
  readonly bindRemount: boolean;
  readonly spawnInherit: boolean;
}

let cached: Capabilities | null = null;

/** What the model can do, asked once: well-formedness, and for devtmpfs a mount that must not be ENODEV. */
export function capabilities(): Capabilities {
  if (cached) return cached;
  const profile: ProfileId = '6.x';
  const state = boot(profile, {});
  const devtmpfs = (() => {
    const r = step(state, { op: 'mount', pid: 1, fstype: 'devtmpfs', target: '/tmp' }).result;
    return 'ok' in r;
  })();
  cached = {
    chroot: modelTakes({ op: 'chroot', path: '/' }),
    pivotRoot: modelTakes({ op: 'pivotRoot', newRoot: '/', putOld: '/' }),
    chdir: modelTakes({ op: 'chdir', path: '/' }),
    relativePaths: modelTakes({ op: 'stat', path: 'tmp' }),
    userNamespaces: modelTakes({ op: 'unshare', user: true }),
    propagation: modelTakes({ op: 'propagate', target: '/', type: 'private' }),
    move: modelTakes({ op: 'move', source: '/tmp', target: '/tmp' }),
    rename: modelTakes({ op: 'rename', from: '/tmp', to: '/tmp' }),
    link: modelTakes({ op: 'link', target: '/tmp', path: '/tmp' }),
    mounts: modelTakes({ op: 'mounts' }),
    sysctlRead: modelTakes({ op: 'sysctl', name: 'kernel.pty.nr' }),
    devtmpfs,
    bindRemount: modelTakes({ op: 'remount', target: '/', bind: true }),
    spawnInherit: modelTakes({ op: 'spawn', child: 2, inherit: true }),
  };
  return cached;
}
