// ITF export (Apalache ADR-015 / Quint): one state per step plus the initial state, every
// value JSON-serialisable without null, Map or unsafe numbers.

import { describe, expect, it } from 'vitest';
import { boot } from '../../model/index.ts';
import { encodeKernel, ITF_VARS, replayToItf } from '../../traces/itf.ts';
import { int, json, NONE, option, set, some, stringMap } from '../../traces/itf-values.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { u5Trace } from './helpers.ts';

/** Every place in a JSON value that ITF cannot hold. */
function nonItf(v: unknown, path = '$'): string[] {
  if (v === null || v === undefined) return [path];
  if (typeof v === 'number') return Number.isSafeInteger(v) ? [] : [path];
  if (typeof v === 'string' || typeof v === 'boolean') return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => nonItf(x, `${path}[${i}]`));
  if (v instanceof Map || v instanceof Set) return [path];
  if (typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => nonItf(x, `${path}.${k}`));
  return [path];
}

describe('ITF values', () => {
  it('integers are numbers while safe, #bigint beyond 2^53', () => {
    expect(int(42)).toBe(42);
    expect(int(2 ** 53)).toEqual({ '#bigint': '9007199254740992' });
    expect(int(2n ** 64n)).toEqual({ '#bigint': '18446744073709551616' });
    expect(int(7n)).toBe(7);
    expect(() => int(1.5)).toThrow();
  });

  it('absent values are Quint Options; sets and maps are sorted, so equal values encode equally', () => {
    expect(option(int)(null)).toEqual(NONE);
    expect(NONE).toEqual({ tag: 'None', value: { '#tup': [] } });
    expect(option(int)(5)).toEqual(some(5));
    expect(set(int)([3, 1, 2])).toEqual({ '#set': [1, 2, 3] });
    expect(stringMap(int)({ b: 2, a: 1 })).toEqual({ '#map': [['a', 1], ['b', 2]] });
    expect(json({ a: [1, 'x', true], b: null, c: undefined })).toEqual({ a: [1, 'x', true], b: NONE });
  });
});

describe('the kernel state in ITF', () => {
  it('encodes every profile\'s boot state with nothing ITF cannot hold', () => {
    for (const p of ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const) {
      const encoded = JSON.parse(JSON.stringify(encodeKernel(boot(p))));
      expect(nonItf(encoded)).toEqual([]);
      expect(Object.keys(encoded)).toEqual(['profile', 'procs', 'namespaces', 'mounts', 'fss', 'handles', 'sysctl', 'initialInstance', 'multiInstance', 'next']);
    }
  });

  it('uses maps for dictionaries, sets for mount flags, variants for sum types and Options for nullable fields', () => {
    const k = encodeKernel(boot('2.6.39-y')) as Record<string, any>;
    expect(k.procs).toEqual({ '#map': [[1, { pid: 1, uid: 0, gid: 0, ns: 'ns1' }]] });
    expect(k.initialInstance.tag).toBe('Some');
    const fss = new Map(k.fss['#map']);
    const initial = fss.get(k.initialInstance.value) as any;
    expect(initial.tag).toBe('Devpts');
    expect(initial.value.opts.uid).toEqual(NONE);
    expect(initial.value.ptmx).toEqual(some({ mode: '0000', uid: 0, gid: 0 })); // modes as octal strings, as results print them
    expect((fss.get('root') as any).tag).toBe('Plain');
    const mounts = new Map(k.mounts['#map']);
    expect((mounts.get('m1') as any).flags).toEqual({ '#set': [] });
    expect((mounts.get('m1') as any).parent).toEqual(NONE);
    expect((mounts.get('m1') as any).target).toBe('/');
  });

  it('names instances by the `fs` labels of the results, modes as octal strings, mounts by the paths they are mounted on', () => {
    const itf = replayToItf(replayOnModel(u5Trace(), 'u5.json'));
    const last = itf.states.at(-1)!.kernel as Record<string, any>;
    const fss = new Map(last.fss['#map'] as [string, any][]);
    // no result names an instance here: the labels follow creation (the initial instance first)
    expect([...fss.keys()].filter((k) => k.startsWith('devpts')).sort()).toEqual(['devpts1', 'devpts2']);
    expect(JSON.stringify(last)).not.toMatch(/devpts#/);
    expect(fss.get('devpts2').value.opts.mode).toBe('0600');
    expect(fss.get('devpts2').value.opts.newinstance).toBe(true);
    const mounts = [...new Map(last.mounts['#map'] as [string, any][]).values()];
    expect(mounts.filter((m) => m.fs === 'devpts2').map((m) => m.target)).toEqual(['/dev/pts']);
    const readdir = itf.states.at(-1)!.result as any;
    expect(readdir.value.ok).toBe(true);
    const open = itf.states[4]!.result as any;
    expect(open.value).toMatchObject({ ok: true, index: 0 });
  });
});

describe('a replay in ITF', () => {
  const itf = replayToItf(replayOnModel(u5Trace(), 'u5.json'));

  it('has the ITF envelope', () => {
    expect(itf['#meta'].format).toBe('ITF');
    expect(itf['#meta']['format-description']).toBe('https://apalache-mc.org/docs/adr/015adr-trace.html');
    expect(itf.vars).toEqual([...ITF_VARS]);
  });

  it('holds one state per step plus the initial state, each with every variable', () => {
    expect(itf.states).toHaveLength(6);
    itf.states.forEach((s, i) => {
      expect(s['#meta']).toEqual({ index: i });
      expect(Object.keys(s).filter((k) => k !== '#meta').sort()).toEqual([...ITF_VARS].sort());
    });
    expect(nonItf(JSON.parse(JSON.stringify(itf)))).toEqual([]);
  });

  it('records the action, its picks and its result, Quint style', () => {
    expect(itf.states.map((s) => s['mbt::actionTaken'])).toEqual(['init', 'spawn', 'umount', 'mount', 'open', 'readdir']);
    expect(itf.states[0]!['mbt::nondetPicks']).toEqual({});
    expect(itf.states[0]!.result).toEqual(NONE);
    expect(itf.states[3]!['mbt::nondetPicks']).toEqual({ pid: some(2), fstype: some('devpts'), target: some('/dev/pts'), options: some('newinstance') });
    expect(itf.states[4]!.result).toEqual(some({ ok: true, fd: 'm', index: 0 }));
    expect(itf.states.map((s) => s.mode)).toEqual(['singleInstance', 'singleInstance', 'singleInstance', 'multiInstance', 'multiInstance', 'multiInstance']);
  });
});
