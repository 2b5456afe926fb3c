// The canonical key: independent of object key order, handle names and internal id
// numbering (the reductions canon.ts argues are sound), and sound in practice: states
// with equal keys give equal results, up to the renaming, for every op of the scope.

import { describe, expect, it } from 'vitest';
import { boot, stepWith, profileOf, PROFILE_IDS, type KernelState, type Op, type StepResult } from '../../model/index.ts';
import { Search } from '../../explore/bfs.ts';
import { canonical, canonicalFingerprint, stateKey } from '../../explore/canon.ts';
import { SMALL } from '../../explore/scope.ts';
import { handleOrder, KernelSystem } from '../../explore/system.ts';

/** Rebuild a record with its keys in reverse insertion order (integer keys stay sorted: JS orders them). */
const reversed = <V>(rec: Readonly<Record<string, V>>, key: (k: string) => string = (k) => k, value: (v: V) => V = (v) => v): Record<string, V> => {
  const out: Record<string, V> = {};
  for (const k of Object.keys(rec).reverse()) out[key(k)] = value(rec[k]!);
  return out;
};

/** Rename every mount, namespace, filesystem and handle of a state (a bijection), keys in reverse order. */
function renamed(s: KernelState): { state: KernelState; handle: (n: string) => string; fs: (id: string) => string } {
  const m = (id: string) => `M${id}x`;
  const n = (id: string) => (id === 'ns1' ? id : `N${id}x`); // ns1 is the initial namespace by definition
  const f = (id: string) => `F${id}x`;
  const h = (id: string) => `H${id}x`;
  const u = (id: string) => (id === 'user1' ? id : `U${id}x`); // user1 is the initial user namespace by definition
  const g = (x: number | undefined) => (x === undefined ? undefined : x + 100);
  const place = (p: { mount: string; ino: number }) => ({ mount: m(p.mount), ino: p.ino });
  const state: KernelState = {
    ...s,
    procs: Object.fromEntries(Object.entries(s.procs).map(([k, p]) => [k, { ...p, ns: n(p.ns), userns: u(p.userns), root: place(p.root), cwd: place(p.cwd) }])),
    namespaces: reversed(s.namespaces, n, (ns) => ({ id: n(ns.id), root: m(ns.root), mounts: ns.mounts.map(m), owner: u(ns.owner) })),
    userns: reversed(s.userns, u, (x) => ({ ...x, id: u(x.id), parent: x.parent === null ? null : u(x.parent) })),
    mounts: reversed(s.mounts, m, (mt) => {
      const out = { ...mt, id: m(mt.id), ns: mt.ns === null ? null : n(mt.ns), fs: f(mt.fs), parent: mt.parent === null ? null : m(mt.parent) };
      if (mt.group !== undefined) out.group = g(mt.group)!;
      if (mt.master !== undefined) out.master = g(mt.master)!;
      return out;
    }),
    fss: reversed(s.fss, f, (fs) => ({ ...fs, id: f(fs.id), ...(fs.userns ? { userns: u(fs.userns) } : {}) })),
    handles: reversed(s.handles, h, (hd) => ({ ...hd, fs: f(hd.fs), mount: m(hd.mount), file: hd.file + 100 })),
    initialInstance: s.initialInstance === null ? null : f(s.initialInstance),
    devtmpfs: f(s.devtmpfs),
    next: { mount: s.next.mount + 100, ns: s.next.ns + 100, fs: s.next.fs + 100, fd: s.next.fd + 100, file: s.next.file + 100, group: s.next.group + 100, userns: s.next.userns + 100 },
  };
  return { state, handle: h, fs: f };
}

/** States of the small scope (every 7th, to keep it quick). */
function sampleStates(profile: (typeof PROFILE_IDS)[number], depth = 4): KernelState[] {
  const search = new Search(new KernelSystem(profile, SMALL));
  search.run({ depth, exact: true });
  const out: KernelState[] = [];
  for (let id = 0; id < search.parent.length; id += 7) out.push(search.replay(search.pathTo(id)).states.at(-1)!);
  return out;
}

const withoutNames = (r: StepResult, fsName: (id: string) => string): unknown => {
  const { fd: _fd, ...rest } = r as StepResult & { fd?: string; fs?: string };
  return 'fs' in rest && typeof rest.fs === 'string' && rest.fs !== 'other' ? { ...rest, fs: fsName(rest.fs) } : rest;
};

describe('canonical state key', () => {
  it('does not depend on key order, handle names or id numbering', () => {
    for (const profile of PROFILE_IDS) {
      for (const s of sampleStates(profile, 3)) expect(stateKey(renamed(s).state)).toBe(stateKey(s));
    }
  });

  it('is sound: a renamed state answers every op of the scope with the same results (up to the renaming)', () => {
    for (const profile of PROFILE_IDS) {
      const p = profileOf(profile);
      const system = new KernelSystem(profile, SMALL);
      for (const s of sampleStates(profile, 3)) {
        const r = renamed(s);
        for (const op of system.expand(s).actions) {
          const opR = ('fd' in op ? { ...op, fd: r.handle(op.fd) } : op) as Op;
          const a = stepWith(p, s, op), b = stepWith(p, r.state, opR);
          expect(withoutNames(b.result, (x) => x)).toEqual(withoutNames(a.result, r.fs));
          expect(stateKey(b.state)).toBe(stateKey(a.state));
        }
      }
    }
  });

  it('tells different states apart', () => {
    const s0 = boot('6.x');
    const one = stepWith(profileOf('6.x'), s0, { op: 'open', path: '/dev/pts/ptmx' }).state;
    const two = stepWith(profileOf('6.x'), one, { op: 'open', path: '/dev/pts/ptmx' }).state;
    const closedFirst = stepWith(profileOf('6.x'), two, { op: 'close', fd: 'fd1' }).state; // index 1 left: not the same as index 0 left
    const keys = [s0, one, two, closedFirst].map(stateKey);
    expect(new Set(keys).size).toBe(4);
    expect(stateKey(stepWith(profileOf('6.x'), two, { op: 'close', fd: 'fd2' }).state)).toBe(stateKey(one));
  });

  it('merges commuting steps, and paths that rename the same handles differently', () => {
    const p = profileOf('2.6.39-y');
    const run = (ops: Op[]) => ops.reduce((s, op) => stepWith(p, s, op).state, boot('2.6.39-y'));
    const a = run([{ op: 'spawn', child: 2 }, { op: 'open', pid: 2, path: '/dev/ptmx' }, { op: 'open', path: '/dev/ptmx' }, { op: 'close', pid: 2, fd: 'fd1' }]);
    const b = run([{ op: 'open', path: '/dev/ptmx' }, { op: 'spawn', child: 2 }]);
    // a: pid 1 holds fd2 on index 1; b: pid 1 holds fd1 on index 0 — different indices, different states
    expect(stateKey(a)).not.toBe(stateKey(b));
    const c = run([{ op: 'spawn', child: 2 }, { op: 'open', path: '/dev/ptmx' }]);
    expect(stateKey(c)).toBe(stateKey(b));
    // a namespace copied twice (unshare twice) is the same as copied once
    const u1 = run([{ op: 'spawn', child: 2 }, { op: 'unshare', pid: 2 }]);
    const u2 = run([{ op: 'spawn', child: 2 }, { op: 'unshare', pid: 2 }, { op: 'unshare', pid: 2 }]);
    expect(stateKey(u2)).toBe(stateKey(u1));
  });

  it('orders handles canonically, whatever their names', () => {
    const p = profileOf('6.x');
    let s = boot('6.x');
    for (const op of [{ op: 'open', path: '/dev/pts/ptmx' }, { op: 'open', path: '/dev/pts/ptmx' }] as Op[]) s = stepWith(p, s, op).state;
    const r = renamed(s);
    expect(canonical(r.state).handles).toEqual(canonical(s).handles.map(r.handle));
    expect(handleOrder(s)).toEqual(canonical(s).handles);
  });

  it('gives the same fingerprint to states with the same key, whatever the caches hold', () => {
    const fp = (s: KernelState): string => { const out = new Uint32Array(2); canonicalFingerprint(s, out); return `${out[0]}:${out[1]}`; };
    for (const profile of PROFILE_IDS) {
      const states = sampleStates(profile, 3);
      // first pass: mostly cache misses, in BFS order; second pass: reversed, renamed copies
      const first = states.map(fp);
      const again = [...states].reverse().map((s) => fp(renamed(s).state)).reverse();
      expect(again).toEqual(first);
      const byKey = new Map<string, string>();
      states.forEach((s, i) => {
        const k = stateKey(s);
        const seen = byKey.get(k);
        if (seen !== undefined) expect(first[i]).toBe(seen); else byKey.set(k, first[i]!);
      });
      // different keys, different fingerprints (no collision among these few)
      expect(new Set(first).size).toBe(byKey.size);
    }
  });
});
