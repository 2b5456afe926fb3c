// Replay on the model, through the xstate machine: labelled results, expectation
// verdicts, the kernel's mode after each step, and tool errors as bad input.

import { describe, expect, it } from 'vitest';
import { TraceError } from '../../traces/load.ts';
import { modelReplayer, replayOnModel } from '../../traces/replay.ts';
import type { Trace } from '../../traces/types.ts';
import { u5Trace } from './helpers.ts';

const trace = (profile: Trace['profile'], steps: Trace['steps'], extra: Partial<Trace> = {}): Trace => ({ format: 'devpts-trace/1', profile, steps, ...extra });

describe('replaying a trace on the model', () => {
  it('checks every expectation: the trace-format.md example holds', () => {
    const r = replayOnModel(u5Trace(), 'u5.json');
    expect(r.verdict).toBe('holds');
    expect(r.firstFailure).toBeNull();
    expect(r.engine).toBe('model');
    expect(r.steps.map((s) => s.holds)).toEqual([null, null, true, true, true]);
    expect(r.steps.map((s) => s.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('runs through the machine: the mode becomes multiInstance with the newinstance mount (2.6.39-y)', () => {
    const r = replayOnModel(u5Trace(), 'u5.json');
    expect(r.modes).toEqual(['singleInstance', 'singleInstance', 'singleInstance', 'multiInstance', 'multiInstance', 'multiInstance']);
    expect(r.final.mode).toBe('multiInstance');
    expect(r.states).toHaveLength(6);
    expect(r.final.state).toBe(r.states[5]);
  });

  it('names the mode of each profile at boot', () => {
    const modes = (['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as const).map((p) => replayOnModel(trace(p, []), 'x').final.mode);
    expect(modes).toEqual(['legacy', 'singleInstance', 'singleInstance', 'perMountInstances']);
  });

  it('labels fs values devpts1, devpts2, ... in order of first appearance, other for the rest', () => {
    const r = replayOnModel(trace('6.x', [
      { op: 'mkdir', path: '/tmp/x' },
      { op: 'mount', fstype: 'devpts', target: '/tmp/x' },
      { op: 'stat', path: '/tmp/x/ptmx', expect: { fs: 'devpts1' } },
      { op: 'stat', path: '/dev/pts/ptmx', expect: { fs: 'devpts2' } },
      { op: 'stat', path: '/tmp/x', expect: { fs: 'devpts1' } },
      { op: 'stat', path: '/dev/ptmx', expect: { fs: 'other' } },
    ]), 'x');
    expect(r.verdict).toBe('holds');
  });

  it('a failing expectation is the first failure; the replay goes on unless asked to stop', () => {
    const t = trace('6.x', [
      { op: 'open', path: '/dev/ptmx', expect: { ok: true, index: 1 } },
      { op: 'open', path: '/dev/ptmx', expect: { ok: true, index: 7 } },
      { op: 'open', path: '/dev/ptmx', expect: { ok: true, index: 2 } },
    ]);
    const all = replayOnModel(t, 'x');
    expect(all.verdict).toBe('fails');
    expect(all.firstFailure?.index).toBe(1);
    expect(all.steps.map((s) => s.holds)).toEqual([false, false, true]);
    const stopped = replayOnModel(t, 'x', { stopAtFirstFailure: true });
    expect(stopped.steps).toHaveLength(1);
    expect(stopped.firstFailure?.result).toEqual({ ok: true, fd: 'fd1', index: 0 });
  });

  it('the Replayer form gives the same outcome', async () => {
    const r = await modelReplayer(u5Trace(), 'u5.json');
    expect(r.verdict).toBe('holds');
  });
});

describe('a trace that cannot be replayed is bad input, named by step and field', () => {
  it('an unknown handle', () => {
    const t = trace('6.x', [{ op: 'open', path: '/dev/ptmx', as: 'm' }, { op: 'unlockpt', fd: 'n' }]);
    expect(() => replayOnModel(t, 'x.json')).toThrow(new TraceError('x.json', { step: 2, field: 'fd' }, 'process 1 has no open handle "n"'));
    expect(() => replayOnModel(t, 'x.json')).toThrow('x.json: step 2: field "fd": process 1 has no open handle "n"');
  });

  it('a process that does not exist', () => {
    const t = trace('6.x', [{ op: 'open', pid: 3, path: '/dev/ptmx' }]);
    expect(() => replayOnModel(t, 'x.json')).toThrow('x.json: step 1: field "pid": process 3 does not exist');
  });

  it('a boot the profile rejects', () => {
    const t = trace('6.x', [], { boot: { devptsOptions: 'bogus' } });
    expect(() => replayOnModel(t, 'x.json')).toThrow(/^x\.json: field "boot": init's devpts mount with options "bogus" fails on 6\.x \(EINVAL\)$/);
  });

  it('the same boot is fine on 2.6.39-n, where a bogus option does not fail a mount', () => {
    expect(replayOnModel(trace('2.6.39-n', [], { boot: { devptsOptions: 'bogus' } }), 'x').verdict).toBe('holds');
  });
});
