// The four kernel profiles (../shared/design/profiles.md). Every difference between
// kernels lives here, one field per concern; the rest of the model asks the record.

import type { ProfileId } from './ops.ts';
import { parseFsParamOptions, parseLegacyOptions, showOptions } from './options.ts';
import {
  allocateWithin, mountInitialUnlessNewinstance, mountNewEveryTime, mountSingleInstance, ptmxAlwaysSingle,
  ptmxOwnInstanceElseInitial, ptmxOwnInstanceElseSiblingPts, remountAtomically, remountInPlace,
  type Allocation, type Change, type Decision, type Lookup, type MountRequest, type Parser,
} from './instances.ts';
import { LIMITS_2639, LIMITS_34, LIMITS_6X, type PtyLimits } from './limits.ts';
import type { NodeView, Pos } from './paths.ts';
import type { DevptsFs, DevptsOptions, FsId, KernelState } from './state.ts';

/** The kernel's mode as the document names it: the states of the mode chart (charts/mode.ts). */
export type KernelMode = 'legacy' | 'singleInstance' | 'multiInstance' | 'perMountInstances';

export interface Profile {
  readonly id: ProfileId;
  /** Mode at boot (2.6.39-y/3.4-y move to multiInstance on the first newinstance mount). */
  readonly bootMode: KernelMode;
  /** The kernel creates an initial instance at boot (kern_mount), which never dies. */
  readonly initialInstance: boolean;
  /** Instances carry a /dev/pts/ptmx node (absent with CONFIG=n). */
  readonly ptmxNode: boolean;
  /** TIOCGPTPEER exists (4.13+); otherwise `peer` is EINVAL. The mode chart gives it to perMountInstances only (test/model/charts.test.ts holds the two together). */
  readonly peer: boolean;
  /** kernel.pty.reserve exists (3.4+). */
  readonly reserveSysctl: boolean;
  /**
   * A remount whose options fail changes nothing (6.x devpts_reconfigure, a fresh
   * context); otherwise parsing writes the live options before it fails and the ptmx node
   * is reset all the same (2.6.39/3.4 devpts_remount). What the clauses read (K4, I5);
   * `remountDevpts` is how the model does it.
   */
  readonly atomicRemount: boolean;
  /** The pty limits as data (limits.ts): what `allocateIndex` must keep, and the clauses read (K5, I4). */
  readonly ptyLimits: PtyLimits;
  /** Option parsing: the token table and its error behaviour. */
  readonly parseOptions: Parser;
  /** Which instance a devpts mount attaches, and what it does to it. */
  readonly mountDevpts: (req: MountRequest) => Decision;
  /** What a remount does to the instance's options and ptmx node. */
  readonly remountDevpts: (state: KernelState, fs: FsId, data: string | undefined, parse: Parser, readonly: boolean) => Change;
  /** Which instance an open of a c 5:2 node allocates in. */
  readonly ptmxInstance: (state: KernelState, pos: Pos, node: NodeView) => Lookup;
  /** Index allocation (the lowest free index within `ptyLimits`). */
  readonly allocateIndex: (state: KernelState, fs: DevptsFs) => Allocation;
  /** The options as /proc/mounts shows them (devpts_show_options). */
  readonly showOptions: (opts: DevptsOptions) => string[];
}

const table2639n = { ptmxmode: false, newinstance: false, max: false } as const; // CONFIG=n token table
const table2639y = { ptmxmode: true, newinstance: true, max: false } as const;
const table34y = { ptmxmode: true, newinstance: true, max: true } as const;

export const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  '2.6.39-n': {
    id: '2.6.39-n', bootMode: 'legacy', initialInstance: true, ptmxNode: false, peer: false, reserveSysctl: false,
    atomicRemount: false, ptyLimits: LIMITS_2639,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table2639n, data, cur, purpose),
    mountDevpts: mountSingleInstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxAlwaysSingle,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639n, opts),
  },
  '2.6.39-y': {
    id: '2.6.39-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, reserveSysctl: false,
    atomicRemount: false, ptyLimits: LIMITS_2639,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table2639y, data, cur, purpose),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_2639),
    showOptions: (opts) => showOptions(table2639y, opts),
  },
  '3.4-y': {
    id: '3.4-y', bootMode: 'singleInstance', initialInstance: true, ptmxNode: true, peer: false, reserveSysctl: true,
    atomicRemount: false, ptyLimits: LIMITS_34,
    parseOptions: (data, cur, purpose) => parseLegacyOptions(table34y, data, cur, purpose),
    mountDevpts: mountInitialUnlessNewinstance,
    remountDevpts: remountInPlace,
    ptmxInstance: ptmxOwnInstanceElseInitial,
    allocateIndex: allocateWithin(LIMITS_34),
    showOptions: (opts) => showOptions(table34y, opts),
  },
  '6.x': {
    id: '6.x', bootMode: 'perMountInstances', initialInstance: false, ptmxNode: true, peer: true, reserveSysctl: true,
    atomicRemount: true, ptyLimits: LIMITS_6X,
    parseOptions: (data) => parseFsParamOptions(data),
    mountDevpts: mountNewEveryTime,
    remountDevpts: remountAtomically,
    ptmxInstance: ptmxOwnInstanceElseSiblingPts,
    allocateIndex: allocateWithin(LIMITS_6X),
    showOptions: (opts) => showOptions({ ptmxmode: true, max: true }, opts),
  },
};

export function profileOf(id: ProfileId): Profile {
  return PROFILES[id];
}

/** The document's name for the kernel's current mode, read from the state (the mode chart's state). */
export function kernelMode(profile: Profile, state: KernelState): KernelMode {
  return profile.bootMode === 'singleInstance' && state.multiInstance ? 'multiInstance' : profile.bootMode;
}
