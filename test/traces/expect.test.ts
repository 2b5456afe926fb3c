// Expectations are partial matches (trace-format.md): every key present must equal the
// actual result's key; arrays compare whole and in order.

import { describe, expect, it } from 'vitest';
import { deepEqual, differingKeys, expectationHolds } from '../../traces/expect.ts';

const stat = { ok: true as const, type: 'chr' as const, mode: '0000', uid: 0, gid: 0, rdev: '5:2', fs: 'devpts1' };

describe('a partial match', () => {
  it('holds when every expected key is equal, whatever else the result has', () => {
    expect(expectationHolds({ ok: true }, stat)).toBe(true);
    expect(expectationHolds({ mode: '0000', fs: 'devpts1' }, stat)).toBe(true);
    expect(expectationHolds({}, stat)).toBe(true);
  });

  it('fails on any expected key that differs, and names it', () => {
    expect(differingKeys({ ok: true, mode: '0666', uid: 0 }, stat)).toEqual(['mode']);
  });

  it('{ "ok": true } against an errno result fails', () => {
    expect(expectationHolds({ ok: true }, { errno: 'EACCES' })).toBe(false);
    expect(differingKeys({ ok: true }, { errno: 'EACCES' })).toEqual(['ok']);
  });

  it('an expected errno against a success fails, and so does another errno', () => {
    expect(expectationHolds({ errno: 'EACCES' }, { ok: true, fd: 'fd1', index: 0 })).toBe(false);
    expect(expectationHolds({ errno: 'EACCES' }, { errno: 'EPERM' })).toBe(false);
    expect(expectationHolds({ errno: 'EINVAL' }, { errno: 'EINVAL', log: ['devpts: called with bogus options'] })).toBe(true);
  });

  it('arrays compare whole and in order', () => {
    const r = { ok: true as const, entries: ['0', '1', 'ptmx'] };
    expect(expectationHolds({ entries: ['0', '1', 'ptmx'] }, r)).toBe(true);
    expect(expectationHolds({ entries: ['0', 'ptmx'] }, r)).toBe(false);
    expect(expectationHolds({ entries: ['1', '0', 'ptmx'] }, r)).toBe(false);
  });

  it('an expected key the result lacks fails (a log that was not printed)', () => {
    expect(expectationHolds({ log: ['devpts: called with bogus options'] }, { ok: true })).toBe(false);
  });
});

describe('deepEqual', () => {
  it('compares JSON values structurally', () => {
    expect(deepEqual({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual(0, '0')).toBe(false);
  });
});
