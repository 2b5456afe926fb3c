// Scopes: the `doc` scope contains every scenario of the document on every profile;
// scopes given as JSON are validated with one-line usage errors.

import { describe, expect, it } from 'vitest';
import { PROFILE_IDS, type Op } from '../../model/index.ts';
import { UsageError } from '../../cli/exit-codes.ts';
import { DOC_SCENARIOS, outsideScope } from '../../explore/doc-scenarios.ts';
import { DOC, SMALL, resolveScope, scopeProblem } from '../../explore/scope.ts';

describe('scope doc', () => {
  for (const profile of PROFILE_IDS) {
    it(`contains every scenario of the document on ${profile}`, () => {
      const outside = DOC_SCENARIOS.map((s) => ({ name: s.name, why: outsideScope(DOC, profile, s.ops, s.boot) })).filter((x) => x.why !== null);
      expect(outside).toEqual([]);
    });
  }

  it('its depth is the longest scenario', () => {
    expect(Math.max(...DOC_SCENARIOS.map((s) => s.ops.length))).toBe(DOC.depth);
  });

  it('rejects a sequence that leaves it', () => {
    expect(outsideScope(DOC, '6.x', [{ op: 'mkdir', pid: 1, path: '/tmp/a' }])).toMatch(/not an action/);
    // the host's set-up happens while it is alone
    expect(outsideScope(DOC, '6.x', [{ op: 'spawn', pid: 1, child: 2 }, { op: 'unlink', pid: 1, path: '/dev/ptmx' }])).toMatch(/step 2/);
    expect(outsideScope(SMALL, '6.x', Array(5).fill({ op: 'readdir', pid: 1, path: '/dev/pts' }))).toMatch(/depth/);
  });
});

describe('resolveScope', () => {
  it('knows the named scopes', () => {
    expect(resolveScope('small')).toBe(SMALL);
    expect(resolveScope('doc')).toBe(DOC);
  });

  it('accepts a JSON scope', () => {
    const s = resolveScope('{"name":"mine","depth":2,"processes":1,"maxPtys":1,"ops":[{"op":"open","path":"/dev/ptmx"},{"op":"close"}]}');
    expect(s.name).toBe('mine');
  });

  it('gives one-line usage errors', () => {
    for (const bad of ['nope', '{', '{"name":"x","depth":-1,"processes":1,"maxPtys":1,"ops":[]}',
      '{"name":"x","depth":1,"processes":1,"maxPtys":1,"ops":[{"op":"open"}]}',
      '{"name":"x","depth":1,"processes":1,"maxPtys":1,"ops":[{"op":"open","path":"/dev/ptmx","as":"m"}]}',
      '{"name":"x","depth":1,"processes":1,"maxPtys":1,"ops":[{"op":"close","fd":"fd1"}]}']) {
      let err: unknown;
      try { resolveScope(bad); } catch (e) { err = e; }
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toMatch(/\n/);
    }
    expect(scopeProblem(SMALL)).toBeNull();
    expect(scopeProblem(DOC)).toBeNull();
  });
});

describe('outsideScope: whether a sequence is a path of a scope', () => {
  it('names its handles as it likes; a read-only mount or a foreign boot is outside scope small', () => {
    const inside: Op[] = [{ op: 'open', pid: 1, path: '/dev/ptmx', as: 'm' }, { op: 'close', pid: 1, fd: 'm' }];
    expect(outsideScope(SMALL, '2.6.39-y', inside)).toBeNull();
    expect(outsideScope(SMALL, '2.6.39-n', [{ op: 'mount', pid: 1, fstype: 'devpts', target: '/dev/pts', flags: ['ro'] }])).toMatch(/step 1 .*not an action/);
    expect(outsideScope(SMALL, '2.6.39-y', inside, { devptsOptions: 'gid=5' })).toMatch(/boot/);
  });
});
