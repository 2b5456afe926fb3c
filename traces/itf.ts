// Export of a replayed trace to the Informal Trace Format (ITF), the JSON trace format
// of Apalache and Quint (https://apalache-mc.org/docs/adr/015adr-trace.html). One ITF
// state per step plus the initial (booted) state. Variables:
//   kernel            the model's kernel state, readable: devpts instances by their `fs`
//                     labels (devpts1, devpts2, ... as in the results), modes as octal
//                     strings ("0620"), every mount with the path it is mounted on and
//                     the path of its root inside its filesystem
//   mode              the machine's state: the kernel's mode as the document names it
//   result            Option of the step's result (fs labelled); None in the initial state
//   mbt::actionTaken  the op name; "init" in the initial state (Quint's convention)
//   mbt::nondetPicks  the op's arguments (pid included), each as Some(value), as Quint
//                     records the nondeterministic picks of an action
//
// The text is produced state by state (`itfChunks`), so the export of a long trace is
// streamed and never held whole in memory.

import type {
  Attrs, DevptsFs, DevptsOptions, Fs, Handle, KernelState, Mount, Namespace, PlainFs, PlainInode, Proc, Pty, Sysctl,
} from '../model/index.ts';
import { formatMode, isToolError, opEvent, profileOf, startKernelActor } from '../model/index.ts';
import { TraceError } from './errors.ts';
import {
  bool, int, intMap, json, list, NONE, option, record, set, some, str, stringMap, variant,
  type Encoder, type Itf,
} from './itf-values.ts';
import { FsLabeler, labelModelResult } from './labels.ts';
import { mountRootPath, mountTargetPath } from './mount-paths.ts';
import type { ModelReplay } from './replay.ts';
import { bootTrace } from './replay.ts';
import { streamLabels } from './run-labels.ts';
import type { Trace } from './types.ts';

const mode: Encoder<number> = (m) => formatMode(m);
const attrs = record<Attrs>({ mode, uid: int, gid: int });

type Dir = Extract<PlainInode, { type: 'dir' }>;
type Chr = Extract<PlainInode, { type: 'chr' }>;
type Reg = Extract<PlainInode, { type: 'reg' }>;
type Lnk = Extract<PlainInode, { type: 'lnk' }>;
const dir = record<Dir>({ type: str, mode, uid: int, gid: int, parent: int, entries: stringMap(int) });
const chr = record<Chr>({ type: str, mode, uid: int, gid: int, parent: int, major: int, minor: int });
const reg = record<Reg>({ type: str, mode, uid: int, gid: int, parent: int });
const lnk = record<Lnk>({ type: str, mode, uid: int, gid: int, parent: int, target: str });

/** Inodes of plain filesystems: a sum type tagged by file type. */
const inode: Encoder<PlainInode> = (n) => {
  switch (n.type) {
    case 'dir': return variant('Dir', dir(n));
    case 'chr': return variant('Chr', chr(n));
    case 'reg': return variant('Reg', reg(n));
    case 'lnk': return variant('Lnk', lnk(n));
  }
};

const devptsOptions = record<DevptsOptions>({
  uid: option(int), gid: option(int), mode, ptmxmode: mode, max: option(int), newinstance: bool,
});
const pty = record<Pty>({ masterOpen: bool, slaveOpens: int, locked: bool, node: option(attrs) });
const sysctl = record<Sysctl>({ max: int, reserve: int, allocated: option(int) });
const counters = record<KernelState['next']>({ mount: int, ns: int, fs: int, fd: int });
const namespace = record<Namespace>({ id: str, root: str, mounts: list(str) });
const proc = record<Proc>({ pid: int, uid: int, gid: int, ns: str });

/** The encoders that name filesystems: devpts instances by the run's labels. */
function kernelEncoder(labels: ReadonlyMap<string, string>): Encoder<KernelState> {
  const fsName = (id: string): string => labels.get(id) ?? id;
  const plainFs = record<PlainFs>({ kind: str, id: str, inodes: intMap(inode), nextIno: int, readonly: (b) => b === true });
  const devptsFs = record<DevptsFs>({
    kind: str, id: (id) => fsName(id), opts: devptsOptions, root: attrs, ptmx: option(attrs), ptys: intMap(pty),
    initial: bool, reserve: bool, readonly: bool,
  });
  const fs: Encoder<Fs> = (f) => (f.kind === 'plain' ? variant('Plain', plainFs(f)) : variant('Devpts', devptsFs(f)));
  type PtyHandle = Extract<Handle, { kind: 'master' | 'slave' }>;
  type FileHandle = Extract<Handle, { kind: 'file' }>;
  const ptyHandle = record<PtyHandle>({ pid: int, kind: str, fs: (id) => fsName(id), index: int, mount: str, ino: int });
  const fileHandle = record<FileHandle>({ pid: int, kind: str, fs: (id) => fsName(id), mount: str, ino: int });
  const handle: Encoder<Handle> = (h) =>
    h.kind === 'file' ? variant('File', fileHandle(h)) : variant(h.kind === 'master' ? 'Master' : 'Slave', ptyHandle(h));
  return (state) => {
    // a mount: where it is mounted (a path in its namespace) and which part of its filesystem it shows
    const mount: Encoder<Mount> = (m) => ({
      id: m.id,
      ns: option(str)(m.ns),
      fs: fsName(m.fs),
      root: mountRootPath(state, m),
      parent: option(str)(m.parent),
      target: mountTargetPath(state, m),
      flags: set(str)(m.flags),
    });
    const fss: Record<string, Fs> = {};
    for (const id of Object.keys(state.fss)) fss[fsName(id)] = state.fss[id]!;
    return {
      profile: state.profile,
      procs: intMap(proc)(state.procs),
      namespaces: stringMap(namespace)(state.namespaces),
      mounts: stringMap(mount)(state.mounts),
      fss: stringMap(fs)(fss),
      handles: stringMap(handle)(state.handles),
      sysctl: sysctl(state.sysctl),
      initialInstance: option(str)(state.initialInstance === null ? null : fsName(state.initialInstance)),
      multiInstance: state.multiInstance,
      next: counters(state.next),
    };
  };
}

/** The whole kernel state of the model as one ITF record; `labels` name the devpts instances (default: model ids). */
export function encodeKernel(state: KernelState, labels: ReadonlyMap<string, string> = new Map()): Itf {
  return kernelEncoder(labels)(state);
}

export const ITF_VARS = ['kernel', 'mode', 'result', 'mbt::actionTaken', 'mbt::nondetPicks'] as const;

export interface ItfTrace {
  '#meta': Record<string, string>;
  vars: string[];
  states: Record<string, Itf>[];
}

const NOT_PICKS = new Set(['op', 'expect', 'note', 'comment', 'result', 'kernel']);

function picksOf(op: Trace['steps'][number]): Record<string, Itf> {
  const picks: Record<string, Itf> = { pid: some(int(op.pid ?? 1)) };
  for (const [k, v] of Object.entries(op)) if (!NOT_PICKS.has(k) && k !== 'pid' && v !== undefined) picks[k] = some(json(v));
  return picks;
}

function metaOf(trace: Trace, file: string): Record<string, string> {
  return {
    format: 'ITF',
    'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
    source: file,
    description: `devpts-check: replay of ${file} on the model, profile ${trace.profile}${trace.title ? `: ${trace.title}` : ''}`,
  };
}

/** One ITF state per step plus the initial state (in memory: for short traces and tests). */
export function replayToItf(replay: ModelReplay): ItfTrace {
  const { trace } = replay;
  const labels = streamLabels(trace.profile, trace.boot, trace.steps.slice(0, replay.steps.length));
  const encode = kernelEncoder(labels);
  const initial: Record<string, Itf> = {
    '#meta': { index: 0 },
    kernel: encode(replay.states[0]!),
    mode: replay.modes[0]!,
    result: NONE,
    'mbt::actionTaken': 'init',
    'mbt::nondetPicks': {},
  };
  const steps = replay.steps.map((s, i): Record<string, Itf> => ({
    '#meta': { index: i + 1 },
    kernel: encode(replay.states[i + 1]!),
    mode: replay.modes[i + 1]!,
    result: some(json(s.result)),
    'mbt::actionTaken': s.op.op,
    'mbt::nondetPicks': picksOf(s.op),
  }));
  return { '#meta': metaOf(trace, replay.file), vars: [...ITF_VARS], states: [initial, ...steps] };
}

/** The ITF text: 2-space JSON with a trailing newline. */
export const formatItf = (itf: ItfTrace): string => `${JSON.stringify(itf, null, 2)}\n`;

const indented = (value: unknown): string => `    ${JSON.stringify(value, null, 2).replace(/\n/g, '\n    ')}`;

/**
 * The ITF text of a trace replayed on the model, state by state: the same text as
 * `formatItf(replayToItf(replayOnModel(trace)))`, without holding the states. Throws
 * TraceError for a bad boot or a tool error in a step.
 */
export function* itfChunks(trace: Trace, file: string): Generator<string> {
  const labels = streamLabels(trace.profile, trace.boot, trace.steps);
  const encode = kernelEncoder(labels);
  const actor = startKernelActor(profileOf(trace.profile), bootTrace(trace, file));
  const labeler = new FsLabeler<string>();
  try {
    const head = JSON.stringify({ '#meta': metaOf(trace, file), vars: [...ITF_VARS] }, null, 2);
    yield `${head.slice(0, -2)},\n  "states": [\n`;
    const snap0 = actor.getSnapshot();
    yield indented({ '#meta': { index: 0 }, kernel: encode(snap0.context.kernel), mode: String(snap0.value), result: NONE, 'mbt::actionTaken': 'init', 'mbt::nondetPicks': {} });
    for (const [i, op] of trace.steps.entries()) {
      actor.send(opEvent(op));
      const snap = actor.getSnapshot();
      const raw = snap.context.last!;
      if (isToolError(raw)) throw new TraceError(file, { step: i + 1, field: raw.field }, raw.error);
      yield `,\n${indented({
        '#meta': { index: i + 1 },
        kernel: encode(snap.context.kernel),
        mode: String(snap.value),
        result: some(json(labelModelResult(labeler, raw))),
        'mbt::actionTaken': op.op,
        'mbt::nondetPicks': picksOf(op),
      })}`;
    }
    yield '\n  ]\n}\n';
  } finally {
    actor.stop();
  }
}

/** Bytes of the initial state's encoding: a floor for the size of every state of the export. */
export function itfBytesPerState(trace: Trace, file: string): number {
  const chunks = itfChunks({ ...trace, steps: [] }, file);
  let bytes = 0;
  for (const c of chunks) bytes += Buffer.byteLength(c);
  return bytes;
}
