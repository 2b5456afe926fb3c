// Loading a trace: every problem is one line naming the file, the step (1-based) and the field.

import { describe, expect, it } from 'vitest';
import { loadTrace, loadTraceText, TraceError } from '../../traces/load.ts';
import { u5Text, u5Trace } from './helpers.ts';

const F = 'traces/x.json';

function problem(text: string): string {
  try {
    loadTraceText(text, F);
  } catch (err) {
    expect(err).toBeInstanceOf(TraceError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('the trace was accepted');
}

describe('a valid trace', () => {
  it('loads as it is written, unknown top-level keys kept', () => {
    const t = loadTraceText(u5Text((t) => { t.seed = 42; t.notes = 'kept'; }), F);
    expect(t.profile).toBe('2.6.39-y');
    expect(t.steps).toHaveLength(5);
    expect(t.seed).toBe(42);
    expect(t.notes).toBe('kept');
  });

  it('may have no boot, no title, no clauses and no steps', () => {
    expect(loadTraceText('{"format":"devpts-trace/1","profile":"6.x","steps":[]}', F).steps).toEqual([]);
  });
});

describe('a bad step names the file, the step number and the field', () => {
  it('unknown op', () => {
    expect(problem(u5Text((t) => { t.steps[2]!.op = 'mout'; }))).toBe('traces/x.json: step 3: field "op": unknown op "mout"');
  });

  it('missing field', () => {
    expect(problem(u5Text((t) => { delete t.steps[2]!.target; }))).toBe('traces/x.json: step 3: field "target": missing "target" for op "mount"');
  });

  it('missing op', () => {
    expect(problem(u5Text((t) => { delete t.steps[0]!.op; }))).toBe('traces/x.json: step 1: field "op": missing "op"');
  });

  it('a path that is not a string', () => {
    expect(problem(u5Text((t) => { t.steps[3]!.path = 7; }))).toBe('traces/x.json: step 4: field "path": "path" must be a path (a string without NUL bytes)');
  });

  it('an unknown field', () => {
    expect(problem(u5Text((t) => { t.steps[1]!.targte = '/x'; }))).toBe('traces/x.json: step 2: field "targte": unknown field "targte" for op "umount"');
  });

  it('a step that is not an object', () => {
    expect(problem(u5Text((t) => { t.steps[4] = 'readdir' as never; }))).toBe('traces/x.json: step 5: field "op": a step must be a JSON object');
  });
});

describe('a bad expectation names its key', () => {
  it('an unknown result key', () => {
    expect(problem(u5Text((t) => { t.steps[3]!.expect = { ok: true, indx: 0 }; }))).toMatch(/^traces\/x\.json: step 4: field "expect\.indx": unknown result key "indx"/);
  });

  it('ok must be true', () => {
    expect(problem(u5Text((t) => { t.steps[3]!.expect = { ok: false }; }))).toMatch(/^traces\/x\.json: step 4: field "expect\.ok": must be true/);
  });

  it('a mode spelled differently from results could never match', () => {
    expect(problem(u5Text((t) => { t.steps[3]!.expect = { ok: true, mode: '620' }; }))).toMatch(/^traces\/x\.json: step 4: field "expect\.mode": /);
  });

  it('ok and errno together', () => {
    expect(problem(u5Text((t) => { t.steps[3]!.expect = { ok: true, errno: 'EIO' }; }))).toBe('traces/x.json: step 4: field "expect": cannot expect both "ok" and "errno"');
  });
});

describe('a bad envelope names the field', () => {
  it('bad JSON, with where', () => {
    expect(problem('{"format": "devpts-trace/1",\n "profile": }')).toMatch(/^traces\/x\.json: not valid JSON: Unexpected token/);
    expect(problem('{"format": "devpts-trace/1",\n "profile": "6.x"')).toMatch(/^traces\/x\.json: not valid JSON: .+ \(line 2, column 18\)$/);
    expect(problem('')).toMatch(/^traces\/x\.json: not valid JSON: Unexpected end of JSON input/);
  });

  it('missing or unknown format', () => {
    expect(problem(u5Text((t) => { delete t.format; }))).toBe('traces/x.json: field "format": missing (expected "devpts-trace/1")');
    expect(problem(u5Text((t) => { t.format = 'devpts-trace/2'; }))).toBe('traces/x.json: field "format": unknown format "devpts-trace/2" (expected "devpts-trace/1")');
    expect(problem('[]')).toMatch(/^traces\/x\.json: field "format": a trace must be a JSON object/);
  });

  it('unknown profile', () => {
    expect(problem(u5Text((t) => { t.profile = '2.6.40-y'; }))).toBe('traces/x.json: field "profile": unknown profile "2.6.40-y" (one of 2.6.39-n, 2.6.39-y, 3.4-y, 4.4-n, 4.4-y, 6.1, 6.x)');
  });

  it('bad boot', () => {
    expect(problem(u5Text((t) => { t.boot = { ptmxMode: 'rw' }; }))).toMatch(/^traces\/x\.json: field "boot\.ptmxMode": must be an octal mode/);
    expect(problem(u5Text((t) => { t.boot = { devptsOption: 'gid=5' }; }))).toMatch(/^traces\/x\.json: field "boot\.devptsOption": unknown boot field/);
    expect(problem(u5Text((t) => { t.boot = 'gid=5'; }))).toBe('traces/x.json: field "boot": must be an object');
  });

  it('missing steps', () => {
    expect(problem(u5Text((t) => { delete (t as Record<string, unknown>).steps; }))).toBe('traces/x.json: field "steps": missing (a list of steps)');
  });

  it('clauses must be a list of IDs', () => {
    expect(problem(u5Text((t) => { t.clauses = 'U5'; }))).toMatch(/^traces\/x\.json: field "clauses": /);
  });
});

describe('reading a file', () => {
  it('an unreadable file is a one-line trace error', async () => {
    await expect(loadTrace('/nonexistent/x.json')).rejects.toThrow(new TraceError('/nonexistent/x.json', {}, 'cannot read: no such file'));
  });

  it('the example of trace-format.md is valid', () => {
    expect(() => loadTraceText(JSON.stringify(u5Trace()), F)).not.toThrow();
  });
});

describe('the vocabulary of issue 13 (operations.md)', () => {
  const trace = (steps: unknown[], boot: unknown = undefined): string =>
    JSON.stringify({ format: 'devpts-trace/1', profile: '6.x', ...(boot ? { boot } : {}), steps });

  it('loads every new op with its fields', () => {
    const steps = [
      { op: 'spawn', child: 2, newns: true, inherit: true, propagation: 'keep' },
      { op: 'unshare', pid: 2, mount: true, user: true, propagation: 'private' },
      { op: 'chroot', path: 'rel/dir' }, { op: 'chdir', path: '..' }, { op: 'pivotRoot', newRoot: '.', putOld: 'old' },
      { op: 'mount', fstype: 'devtmpfs', target: '/dev' }, { op: 'remount', target: '/tmp', bind: true, flags: ['ro'] },
      { op: 'move', source: '/a', target: '/b' }, { op: 'propagate', target: '/', type: 'shared', recursive: true },
      { op: 'rename', from: 'a', to: 'b' }, { op: 'link', target: '/a', path: '/b' },
      { op: 'dup', fd: 'm', as: '__proto__' }, { op: 'fstat', fd: 'constructor' }, { op: 'mounts', expect: { ok: true, mounts: [{ target: '/', fstype: 'tmpfs', fs: 'other' }] } },
      { op: 'sysctl', name: 'kernel.pty.nr', expect: { ok: true, value: 0 } }, { op: 'stat', path: '' },
    ];
    expect(loadTraceText(trace(steps, { dev: 'devtmpfs', rootPropagation: 'shared' }), F).steps).toHaveLength(steps.length);
  });

  it('rejects unknown propagation types and boot values by field', () => {
    expect(problem(trace([{ op: 'propagate', target: '/', type: 'rshared' }]))).toBe('traces/x.json: step 1: field "type": "type" must be one of shared, private, slave, unbindable');
    expect(problem(trace([{ op: 'unshare', propagation: 'rprivate' }]))).toMatch(/^traces\/x\.json: step 1: field "propagation": "propagation" must be one of private, keep/);
    expect(problem(trace([], { dev: 'tmpfs' }))).toBe('traces/x.json: field "boot.dev": must be "dir" or "devtmpfs"');
    expect(problem(trace([], { rootPropagation: 'slave' }))).toBe('traces/x.json: field "boot.rootPropagation": must be "private" or "shared"');
  });

  it('checks the lines of a mounts expectation', () => {
    expect(problem(trace([{ op: 'mounts', expect: { mounts: [{ target: '/', fstype: 'tmpfs', fs: 'devpts0' }] } }]))).toMatch(/field "expect\.mounts": \[0\]\.fs must be/);
    expect(problem(trace([{ op: 'mounts', expect: { mounts: [{ target: '/', fstype: 'tmpfs', fs: 'other', shared: 1 }] } }]))).toMatch(/unknown key "shared"/);
  });
});
