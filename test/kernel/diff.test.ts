// The differential runner's pure parts: comparison rule, divergence traces, generated
// sequences. No kernel needed.

import { describe, expect, it } from 'vitest';
import { step, boot, type KernelResult, type Op } from '../../model/index.ts';
import { parseTrace } from '../../traces/load.ts';
import { formatTrace } from '../../traces/save.ts';
import {
  compareRuns, divergenceTrace, KERNEL_GEN, kernelRuns, kernelSequences, runOnModel, sameResult, withExplicitHandles,
  type Divergence,
} from '../../kernel/diff.ts';
import { kernelReplayProblem, runsLive } from '../../kernel/replay.ts';
import { hostSafe } from '../../properties/generators/index.ts';
import type { HarnessRun } from '../../kernel/driver.ts';

const ok = (v: Partial<KernelResult> = {}): KernelResult => ({ ok: true, ...v }) as KernelResult;

describe('sameResult: labelled results equal, log only where both have it', () => {
  it('equal values are the same, any differing value is not', () => {
    expect(sameResult(ok({ fd: 'm', index: 0 }), ok({ fd: 'm', index: 0 }))).toBe(true);
    expect(sameResult(ok({ fd: 'm', index: 0 }), ok({ fd: 'm', index: 1 }))).toBe(false);
    expect(sameResult({ errno: 'EIO' }, { errno: 'ENOENT' })).toBe(false);
    expect(sameResult(ok(), { errno: 'EIO' })).toBe(false);
    expect(sameResult(ok({ entries: ['0', 'ptmx'] }), ok({ entries: ['ptmx', '0'] }))).toBe(false);
    expect(sameResult(ok({ fs: 'devpts1' }), ok({ fs: 'devpts2' }))).toBe(false);
    expect(sameResult(ok({ fd: 'm' }), ok({ fd: 'm', index: 0 }))).toBe(false); // an extra key differs too
  });
  it('log counts only when both sides report one', () => {
    expect(sameResult({ errno: 'EINVAL', log: ['devpts: x'] }, { errno: 'EINVAL' })).toBe(true);
    expect(sameResult({ errno: 'EINVAL' }, { errno: 'EINVAL', log: ['devpts: x'] })).toBe(true);
    expect(sameResult({ errno: 'EINVAL', log: ['devpts: x'] }, { errno: 'EINVAL', log: ['devpts: x'] })).toBe(true);
    expect(sameResult({ errno: 'EINVAL', log: ['devpts: x'] }, { errno: 'EINVAL', log: ['devpts: x', 'devpts: x'] })).toBe(false);
  });
  it('an error of the tool itself never equals anything', () => {
    expect(sameResult({ error: 'x', field: 'fd' }, { error: 'x' })).toBe(false);
    expect(sameResult(ok(), { error: 'harness: refuses' })).toBe(false);
  });
});

describe('compareRuns', () => {
  const seq = { boot: {}, ops: [{ op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'readdir', path: '/dev/pts' }] as Op[] };
  const model = runOnModel(seq);
  it('finds nothing where the kernel says what the model says', () => {
    expect(model.results).toEqual([ok({ fd: 'm', index: 0 }), ok({ entries: ['0', 'ptmx'] })]);
    expect(compareRuns(seq, model, { bootError: null, results: model.results as HarnessRun['results'] })).toBeNull();
  });
  it('names the first differing step', () => {
    const d = compareRuns(seq, model, { bootError: null, results: [ok({ fd: 'm', index: 0 }), ok({ entries: ['ptmx'] })] });
    expect(d?.step).toBe(1);
  });
  it('a boot one side refuses is a divergence at step -1', () => {
    expect(compareRuns(seq, model, { bootError: 'world: x', results: [] })?.step).toBe(-1);
  });
});

describe('divergence traces', () => {
  const seq = { boot: { devptsOptions: 'gid=5' }, ops: [{ op: 'mount', fstype: 'devpts', target: '/tmp', options: 'bogus' }, { op: 'stat', path: '/tmp' }] as Op[] };
  const model = runOnModel(seq);
  const kernel: HarnessRun = { bootError: null, results: [{ errno: 'EINVAL', log: ['devpts: Unknown parameter \'bogus\''] }, ok({ type: 'dir', mode: '01777', uid: 0, gid: 0, fs: 'other' })] };
  const d: Divergence = { seq, step: 1, model: { ...model, results: [model.results[0]!, ok({ type: 'dir', mode: '0755', uid: 0, gid: 0, fs: 'other' })] }, kernel };
  const trace = divergenceTrace(d, { seed: 7, index: 3 });
  it('expects what the kernel did, keeps both results, marks the diverging step', () => {
    expect(trace.profile).toBe('6.x');
    expect(trace.boot).toEqual({ devptsOptions: 'gid=5' });
    expect(trace.steps[1]!.expect).toEqual(kernel.results[1]);
    expect((trace.steps[1] as unknown as Record<string, unknown>).result).toEqual(d.model.results[1]);
    expect((trace.steps[1] as unknown as Record<string, unknown>).kernel).toEqual(kernel.results[1]);
    expect(trace.steps[1]!.note).toMatch(/diverge/);
    expect(trace.steps[0]!.note).toBeUndefined();
    expect(trace).toMatchObject({ seed: 7, index: 3, source: 'kernel' });
  });
  it('keeps `log` in an expectation only where the model has one as well', () => {
    expect(trace.steps[0]!.expect).toEqual({ errno: 'EINVAL', log: ["devpts: Unknown parameter 'bogus'"] });
    const noLog = divergenceTrace({ ...d, model: { ...d.model, results: [{ errno: 'EINVAL' }, d.model.results[1]!] } });
    expect(noLog.steps[0]!.expect).toEqual({ errno: 'EINVAL' });
  });
  it('is a valid devpts-trace/1 file', () => {
    expect(() => parseTrace(JSON.parse(formatTrace(trace)), 'x.json')).not.toThrow();
  });
});

describe('shrinking keeps handle names stable', () => {
  it('gives every successful open its name explicitly', () => {
    const seq = { boot: {}, ops: [{ op: 'open', path: '/dev/ptmx' }, { op: 'open', path: '/nope' }, { op: 'open', path: '/dev/ptmx', as: 'x' }, { op: 'close', fd: 'fd1' }] as Op[] };
    const named = withExplicitHandles(seq);
    expect(named.ops.map((o) => (o as { as?: string }).as)).toEqual(['fd1', undefined, 'x', undefined]);
    expect(runOnModel(named).results).toEqual(runOnModel(seq).results);
  });
});

describe('generated sequences for the kernel', () => {
  const checked = kernelRuns(4242, 300);
  it('are deterministic for a seed, and any range can be made on its own', () => {
    expect(kernelSequences(4242, 20)).toEqual(checked.slice(0, 20).map((c) => c.seq));
    expect(kernelRuns(4242, 50, KERNEL_GEN, 180).map((c) => c.seq)).toEqual(checked.slice(180, 230).map((c) => c.seq));
    expect(kernelSequences(4243, 5)).not.toEqual(kernelSequences(4242, 5));
  });
  it('never change host-wide settings, never write into the kernel\'s devtmpfs (the host\'s /dev) and keep few ptys open', () => {
    for (const { seq } of checked) {
      // sysctl: reads of kernel.pty.max and .reserve only (kernel.pty.nr counts the machine's ptys)
      expect(seq.ops.every(runsLive)).toBe(true);
      let s = boot('6.x', seq.boot);
      for (const op of seq.ops) {
        expect(hostSafe(s, op), JSON.stringify(op)).toBe(true);
        s = step(s, op).state;
        // ptys open at once: a dup'ed or inherited master is the same open file
        const masters = new Set(Object.values(s.handles).filter((h) => h.kind === 'master').map((h) => h.file)).size;
        expect(masters).toBeLessThanOrEqual(KERNEL_GEN.maxOpenPtys!);
      }
    }
  });
  it('carry the model results the generator computed (labelled)', () => {
    for (const { seq, model } of checked.slice(0, 100)) expect(model.results).toEqual(runOnModel(seq).results);
  });
  it('cover limit cases with max= and several instances', () => {
    const all = checked.flatMap((c) => c.seq.ops);
    expect(all.some((o) => o.op === 'mount' && o.fstype === 'devpts' && /max=/.test(o.options ?? ''))).toBe(true);
    expect(checked.some((c) => c.model.results.some((r) => 'errno' in r && r.errno === 'ENOSPC'))).toBe(true);
  });
});

describe('replay --kernel accepts 6.x traces without sysctl only', () => {
  const trace = (profile: string, ops: Op[]) => ({ format: 'devpts-trace/1' as const, profile: profile as '6.x', steps: ops });
  it('refuses other profiles and sysctl steps, with the place', () => {
    expect(kernelReplayProblem(trace('2.6.39-y', []))).toMatchObject({ field: 'profile' });
    expect(kernelReplayProblem(trace('6.x', [{ op: 'open', path: '/dev/ptmx' }, { op: 'sysctl', name: 'kernel.pty.max', value: 2 }]))).toMatchObject({ step: 2, field: 'op' });
    expect(kernelReplayProblem(trace('6.x', [{ op: 'open', path: '/dev/ptmx' }]))).toBeNull();
  });
});
