// Export of a replayed trace to the Informal Trace Format (ITF), the JSON trace format
// of Apalache and Quint (https://apalache-mc.org/docs/adr/015adr-trace.html). One ITF
// state per step plus the initial (booted) state. Variables:
//   kernel            the model's kernel state, encoded faithfully (itf-values.ts)
//   mode              the machine's state: the kernel's mode as the document names it
//   result            Option of the step's result (fs labelled); None in the initial state
//   mbt::actionTaken  the op name; "init" in the initial state (Quint's convention)
//   mbt::nondetPicks  the op's arguments (pid included), each as Some(value), as Quint
//                     records the nondeterministic picks of an action

import type {
  Attrs, DevptsFs, DevptsOptions, Fs, Handle, KernelState, Mount, Namespace, PlainFs, PlainInode, Proc, Pty, Sysctl,
} from '../model/index.ts';
import {
  bool, int, intMap, json, list, NONE, option, record, set, some, str, stringMap, variant,
  type Encoder, type Itf,
} from './itf-values.ts';
import type { ModelReplay } from './replay.ts';

const attrs = record<Attrs>({ mode: int, uid: int, gid: int });

type Dir = Extract<PlainInode, { type: 'dir' }>;
type Chr = Extract<PlainInode, { type: 'chr' }>;
type Reg = Extract<PlainInode, { type: 'reg' }>;
type Lnk = Extract<PlainInode, { type: 'lnk' }>;
const dir = record<Dir>({ type: str, mode: int, uid: int, gid: int, parent: int, entries: stringMap(int) });
const chr = record<Chr>({ type: str, mode: int, uid: int, gid: int, parent: int, major: int, minor: int });
const reg = record<Reg>({ type: str, mode: int, uid: int, gid: int, parent: int });
const lnk = record<Lnk>({ type: str, mode: int, uid: int, gid: int, parent: int, target: str });

/** Inodes of plain filesystems: a sum type tagged by file type. */
const inode: Encoder<PlainInode> = (n) => {
  switch (n.type) {
    case 'dir': return variant('Dir', dir(n));
    case 'chr': return variant('Chr', chr(n));
    case 'reg': return variant('Reg', reg(n));
    case 'lnk': return variant('Lnk', lnk(n));
  }
};

const plainFs = record<PlainFs>({ kind: str, id: str, inodes: intMap(inode), nextIno: int, readonly: (b) => b === true });
const devptsOptions = record<DevptsOptions>({
  uid: option(int), gid: option(int), mode: int, ptmxmode: int, max: option(int), newinstance: bool,
});
const pty = record<Pty>({ masterOpen: bool, slaveOpens: int, locked: bool, node: option(attrs) });
const devptsFs = record<DevptsFs>({
  kind: str, id: str, opts: devptsOptions, root: attrs, ptmx: option(attrs), ptys: intMap(pty),
  initial: bool, reserve: bool, readonly: bool,
});
const fs: Encoder<Fs> = (f) => (f.kind === 'plain' ? variant('Plain', plainFs(f)) : variant('Devpts', devptsFs(f)));

const mount = record<Mount>({
  id: str, ns: option(str), fs: str, root: int, parent: option(str), mountpoint: int, flags: set(str),
});
const namespace = record<Namespace>({ id: str, root: str, mounts: list(str) });
const proc = record<Proc>({ pid: int, uid: int, gid: int, ns: str });

type PtyHandle = Extract<Handle, { kind: 'master' | 'slave' }>;
type FileHandle = Extract<Handle, { kind: 'file' }>;
const ptyHandle = record<PtyHandle>({ pid: int, kind: str, fs: str, index: int, mount: str, ino: int });
const fileHandle = record<FileHandle>({ pid: int, kind: str, fs: str, mount: str, ino: int });
const handle: Encoder<Handle> = (h) =>
  h.kind === 'file' ? variant('File', fileHandle(h)) : variant(h.kind === 'master' ? 'Master' : 'Slave', ptyHandle(h));

const sysctl = record<Sysctl>({ max: int, reserve: int, allocated: option(int) });
const counters = record<KernelState['next']>({ mount: int, ns: int, fs: int, fd: int });

/** The whole kernel state of the model as one ITF record. */
export const encodeKernel: Encoder<KernelState> = record<KernelState>({
  profile: str,
  procs: intMap(proc),
  namespaces: stringMap(namespace),
  mounts: stringMap(mount),
  fss: stringMap(fs),
  handles: stringMap(handle),
  sysctl,
  initialInstance: option(str),
  multiInstance: bool,
  next: counters,
});

export const ITF_VARS = ['kernel', 'mode', 'result', 'mbt::actionTaken', 'mbt::nondetPicks'] as const;

export interface ItfTrace {
  '#meta': Record<string, string>;
  vars: string[];
  states: Record<string, Itf>[];
}

const NOT_PICKS = new Set(['op', 'expect', 'note', 'comment', 'result', 'kernel']);

/** One ITF state per step plus the initial state. */
export function replayToItf(replay: ModelReplay): ItfTrace {
  const { trace } = replay;
  const initial: Record<string, Itf> = {
    '#meta': { index: 0 },
    kernel: encodeKernel(replay.states[0]!),
    mode: replay.modes[0]!,
    result: NONE,
    'mbt::actionTaken': 'init',
    'mbt::nondetPicks': {},
  };
  const steps = replay.steps.map((s, i): Record<string, Itf> => {
    const picks: Record<string, Itf> = { pid: some(int(s.op.pid ?? 1)) };
    for (const [k, v] of Object.entries(s.op)) if (!NOT_PICKS.has(k) && k !== 'pid' && v !== undefined) picks[k] = some(json(v));
    return {
      '#meta': { index: i + 1 },
      kernel: encodeKernel(replay.states[i + 1]!),
      mode: replay.modes[i + 1]!,
      result: some(json(s.result)),
      'mbt::actionTaken': s.op.op,
      'mbt::nondetPicks': picks,
    };
  });
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: replay.file,
      description: `devpts-check: replay of ${replay.file} on the model, profile ${trace.profile}${trace.title ? `: ${trace.title}` : ''}`,
    },
    vars: [...ITF_VARS],
    states: [initial, ...steps],
  };
}

/** The ITF text: 2-space JSON with a trailing newline. */
export const formatItf = (itf: ItfTrace): string => `${JSON.stringify(itf, null, 2)}\n`;
