// The generators (properties/generators/): state-aware sequences, well-formed even while
// shrinking, that reach the states the document talks about; the intent table.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOk, isToolError, PROFILE_IDS, validateOp, type ProfileId } from '../../model/index.ts';
import { execute, subjectOf } from '../../clauses/run.ts';
import { allocation } from '../../clauses/observe.ts';
import { d8Scenario } from '../../clauses/scenarios.ts';
import { generatedArbitrary, interpret, runs, scenarioRuns, INTENTS } from '../../properties/generators/index.ts';

describe('state-aware generators', () => {
  const sample = (p: ProfileId, n: number, opts = {}) => fc.sample(runs(p, { maxSteps: 20, ...opts }), { numRuns: n, seed: 7 });

  it.each(PROFILE_IDS)('produce well-formed sequences only: every op validates and no step is a tool error (%s)', (p) => {
    for (const r of sample(p, 300)) {
      expect(r.ops.length).toBeLessThanOrEqual(20);
      for (const op of r.ops) expect(validateOp(op)).toBeNull();
      expect(r.results.some(isToolError)).toBe(false);
      const again = execute(subjectOf(p), r.boot, r.ops);
      expect(again?.results).toEqual(r.results);
    }
  });

  it.each(PROFILE_IDS)('make most steps do something (%s)', (p) => {
    let steps = 0, failed = 0;
    for (const r of sample(p, 400)) { steps += r.ops.length; failed += r.results.filter((x) => !isOk(x)).length; }
    expect(steps / 400).toBeGreaterThan(8);
    expect(failed / steps).toBeLessThan(0.3);
  });

  it('reach the states the document talks about', () => {
    const seen = new Set<string>();
    for (const p of PROFILE_IDS) {
      for (const r of sample(p, 400)) {
        r.ops.forEach((op, i) => {
          const res = r.results[i]!;
          const after = r.states[i + 1]!;
          if (op.op === 'mount' && op.fstype === 'devpts' && isOk(res) && (op.options ?? '').includes('newinstance') && p !== '2.6.39-n') seen.add('newinstance mount');
          if (op.op === 'symlink' && op.target === 'pts/ptmx' && isOk(res)) seen.add('symlink redirect');
          if (op.op === 'bind' && op.source === '/dev/pts/ptmx' && op.target === '/dev/ptmx' && isOk(res)) seen.add('bind redirect');
          if (op.op === 'spawn' && op.newns && isOk(res)) seen.add('new namespace');
          if (op.op === 'umount' && op.target === '/dev/pts' && isOk(res)) seen.add('umount /dev/pts');
          if (op.op === 'open' && after.procs[op.pid ?? 1]?.uid !== 0 && allocation(after, op, res)) seen.add('unprivileged pty');
          if (op.op === 'open' && 'errno' in res && res.errno === 'EACCES') seen.add('EACCES');
          if (p === '6.x' && op.op === 'open' && 'errno' in res && res.errno === 'ENODEV') seen.add('6.x ENODEV');
          if (op.op === 'open' && 'errno' in res && (res.errno === 'EIO' || res.errno === 'ENOSPC') && op.path.endsWith('ptmx')) seen.add('limit');
          if (op.op === 'remount' && isOk(res)) seen.add('remount');
          if (op.op === 'mount' && (op.options ?? '').includes('bogus')) seen.add('bogus option');
          if (Object.values(after.fss).filter((f) => f.kind === 'devpts').length >= 3) seen.add('3 instances');
        });
      }
    }
    expect([...seen].sort()).toEqual(['3 instances', '6.x ENODEV', 'EACCES', 'bind redirect', 'bogus option', 'limit', 'new namespace', 'newinstance mount',
      'remount', 'symlink redirect', 'umount /dev/pts', 'unprivileged pty'].sort());
  });

  it('honour exclude, maxOpenPtys and maxSteps (the kernel harness options)', () => {
    for (const p of PROFILE_IDS) {
      for (const r of sample(p, 200, { maxSteps: 12, exclude: ['sysctl', 'peer'], maxOpenPtys: 2 })) {
        expect(r.ops.length).toBeLessThanOrEqual(12);
        expect(r.ops.some((op) => op.op === 'sysctl' || op.op === 'peer')).toBe(false);
        for (const s of r.states) expect(Object.values(s.handles).filter((h) => h.kind === 'master').length).toBeLessThanOrEqual(2);
      }
    }
  });

  it('are deterministic: the same seed gives the same sequences', () => {
    const a = sample('6.x', 50).map((r) => r.ops);
    const b = sample('6.x', 50).map((r) => r.ops);
    expect(a).toEqual(b);
  });

  it('stay valid while shrinking: a shrunk counterexample of any property is a well-formed sequence', () => {
    const s = subjectOf('2.6.39-y');
    const details = fc.check(fc.property(generatedArbitrary(20), (g) => {
      const r = interpret(s, {}, g);
      expect(r.results.some(isToolError)).toBe(false);
      return r.results.filter((x) => 'index' in x).length < 3; // fails once three ptys were opened
    }), { seed: 11, numRuns: 500 });
    expect(details.failed).toBe(true);
    const shrunk = interpret(s, {}, details.counterexample![0]);
    expect(shrunk.results.filter((x) => 'index' in x).length).toBe(3);
    expect(execute(s, shrunk.boot, shrunk.ops)).not.toBeNull();
    expect(shrunk.ops.length).toBeLessThanOrEqual(4);
  });

  it('embed scenarios after a random prefix, with marks on the scenario steps', () => {
    for (const r of fc.sample(scenarioRuns('2.6.39-y', d8Scenario, { maxSteps: 10 }), { numRuns: 50, seed: 3 })) {
      expect(r.ops[r.marks.ln!]).toMatchObject({ op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' });
      expect(r.ops[r.marks.mount!]).toMatchObject({ op: 'mount', options: 'newinstance' });
    }
  });
});


describe('the intent table', () => {
  it('has one entry per intent: kind, weight, what it is for, and a fallback that is another intent', () => {
    const kinds = INTENTS.map((i) => i.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    for (const i of INTENTS) {
      expect(i.weight, i.kind).toBeGreaterThan(0);
      expect(i.about.length, i.kind).toBeGreaterThan(10);
      if ('otherwise' in i) expect(kinds, i.kind).toContain(i.otherwise);
    }
  });

  it('runs an intent that does not apply as its fallback, with the same choices', () => {
    // no master is open at boot: "unlockpt" cannot unlock anything, so it opens a ptmx (its fallback)
    const only = (kind: string) => Object.fromEntries(INTENTS.map((i) => [i.kind, i.kind === kind ? 1 : 0]));
    const r = interpret(subjectOf('6.x'), { weights: only('unlockpt') }, { boot: 0, intents: [[0, 0, 0, []], [0, 0, 0, []]] });
    expect(r.ops.map((op) => op.op)).toEqual(['open', 'unlockpt']);
    expect(r.ops[0]).toMatchObject({ op: 'open', path: '/dev/ptmx' });
    // "close" has no fallback: with no handle open, it emits nothing
    expect(interpret(subjectOf('6.x'), { weights: only('close') }, { boot: 0, intents: [[0, 0, 0, []]] }).ops).toEqual([]);
  });

  it('weighs intents as the table says, and a clause\'s hints override a weight', () => {
    const draws = (weights: Record<string, number>) => {
      const count = new Map<string, number>();
      for (const r of fc.sample(runs('6.x', { maxSteps: 20, weights }), { numRuns: 300, seed: 5 })) for (const op of r.ops) count.set(op.op, (count.get(op.op) ?? 0) + 1);
      return count;
    };
    expect(draws({ sysctl: 40 }).get('sysctl') ?? 0).toBeGreaterThan(5 * (draws({}).get('sysctl') ?? 1));
    expect(draws({ sysctl: 0 }).get('sysctl') ?? 0).toBe(0);
  });
});
