// Counterexamples carry their evidence (issue 15): every saved counterexample ends with
// observation steps whose expectations show what breaks, in one violation-note shape,
// and `replay` says which violation a trace demonstrates (never "holds" in --json).

import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { explore } from '../../explore/run.ts';
import { SCOPES } from '../../explore/scope.ts';
import type { Op } from '../../model/index.ts';
import { runChecks } from '../../properties/runner.ts';
import { OBSERVERS, withEvidence, withoutEvidence, type Observer } from '../../traces/evidence.ts';
import { loadTrace, loadTraceText, TraceError } from '../../traces/load.ts';
import { renderReplay } from '../../traces/render.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { replayRecord } from '../../traces/summary.ts';
import type { Trace } from '../../traces/types.ts';
import { violationOf } from '../../traces/violation.ts';

const U6_STEPS: Op[] = [
  { op: 'remount', pid: 1, target: '/dev/pts', options: 'ptmxmode=0666' },
  { op: 'remount', pid: 1, target: '/dev/pts' },
];
const u6 = (): Trace => ({ format: 'devpts-trace/1', profile: '6.x', clauses: ['U6'], steps: U6_STEPS.map((s) => ({ ...s, expect: { ok: true } })) });
// the check's words, naming the model's instance id (6.x boots into devpts#0)
const U6 = { clause: 'U6', step: 2, message: 'remount "" changed the mode of devpts#0\'s ptmx node from 0666 to 0000 (only ptmxmode= and chmod should)' };

/** A counterexample file as every saver writes it: the note in its one shape, observation steps after the violating step, each with `expect`. */
function expectEvidence(t: Trace, file: string): void {
  const v = violationOf(t);
  expect(v, file).not.toBeNull();
  expect(Object.keys(t.violation as object).sort(), file).toEqual(['clause', 'evidence', 'message', 'step']);
  expect(v!.message, file).not.toMatch(/devpts#/); // instances by their fs labels
  expect(v!.evidence!.length, `${file}: observation steps`).toBeGreaterThan(0);
  expect(Math.max(...v!.evidence!), file).toBe(t.steps.length); // it ends with them
  for (const n of v!.evidence!) {
    const st = t.steps[n - 1]!;
    expect(['stat', 'readdir', 'mounts', 'fstat'], file).toContain(st.op);
    expect(st.expect, `${file} step ${n}`).toBeDefined();
  }
  expect(replayOnModel(t, file).verdict, file).toBe('holds');
}

describe('the evidence builder', () => {
  it('shows a violation by what it changed: /dev/pts/ptmx is 0666 before the remount and 0000 after (U6)', () => {
    const [t] = withEvidence([u6()], U6);
    expect(t!.steps.map((s) => `${s.op} ${'path' in s ? s.path : ''}`.trim())).toEqual(['remount', 'stat /dev/pts/ptmx', 'remount', 'stat /dev/pts/ptmx']);
    expect(t!.steps[1]!.expect).toMatchObject({ ok: true, mode: '0666', fs: 'devpts1' });
    expect(t!.steps[3]!.expect).toMatchObject({ ok: true, mode: '0000', fs: 'devpts1' });
    expect(t!.violation).toEqual({ clause: 'U6', step: 3, message: U6.message.replace('devpts#0', 'devpts1'), evidence: [2, 4] });
    expectEvidence(t!, 'U6');
  });

  it('shows a failing open by the node it opened and, on 6.x, the sibling pts that is missing', () => {
    const steps: Op[] = [{ op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2, mode: '0666' }, { op: 'open', path: '/tmp/ptmx' }];
    const [t] = withEvidence([{ format: 'devpts-trace/1', profile: '6.x', steps }], { clause: 'K8', step: 2, message: 'ENOENT' });
    expect(t!.steps.slice(2).map((s) => [s.op, 'path' in s ? s.path : '', s.expect])).toEqual([
      ['stat', '/tmp/ptmx', expect.objectContaining({ type: 'chr', mode: '0666', rdev: '5:2' })],
      ['stat', '/tmp/pts', { errno: 'ENOENT' }],
    ]);
  });

  it('gives both sides of a comparison the same observation steps, so they stay step-aligned', () => {
    const ops: Op[] = [{ op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'gid=5,bogus' }];
    const sides = (['2.6.39-y', '2.6.39-n'] as const).map((profile): Trace => ({ format: 'devpts-trace/1', profile, steps: ops }));
    const [a, b] = withEvidence(sides, { clause: 'D5', step: 1, message: 'EINVAL on 2.6.39-y but ok on 2.6.39-n' });
    expect(a!.steps.map((s) => JSON.stringify({ ...s, expect: undefined }))).toEqual(b!.steps.map((s) => JSON.stringify({ ...s, expect: undefined })));
    expect(a!.violation).toEqual(b!.violation);
    expectEvidence(a!, 'D5 2.6.39-y');
    expectEvidence(b!, 'D5 2.6.39-n');
  });

  it('is undone by withoutEvidence (the runner re-judges the steps it found), and applying it twice adds nothing', () => {
    const [t] = withEvidence([u6()], U6);
    const bare = withoutEvidence(t!);
    expect(bare.steps.map((s) => s.op)).toEqual(['remount', 'remount']);
    expect(violationOf(bare)!.step).toBe(2);
    expect(withEvidence([t!], U6)[0]!.steps).toEqual(t!.steps);
  });

  it('takes new observation ops as observers, and skips ops the model does not know (yet)', () => {
    const lstat: Observer = (ctx) => [{ op: 'stat', pid: ctx.pid, path: '/dev/ptmx', nofollow: true }];
    const xray: Observer = (ctx) => [{ op: 'xray', pid: ctx.pid }];
    const steps: Op[] = [{ op: 'unlink', path: '/dev/ptmx' }, { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' }];
    const [t] = withEvidence([{ format: 'devpts-trace/1', profile: '6.x', steps }], { clause: 'U2', step: 2, message: 'x' }, [xray, lstat, ...OBSERVERS]);
    expect(t!.steps.some((s) => s.op === 'stat' && s.nofollow === true && (s.expect as { type?: string }).type === 'lnk')).toBe(true);
    expect(t!.steps.some((s) => (s.op as string) === 'xray')).toBe(false);
  });
});

describe('every saver writes its counterexamples with their evidence', () => {
  it('check (the property runner)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-check-'));
    const r = await runChecks({ profiles: ['6.x', '2.6.39-y'], clauses: ['U6', 'R2'], runs: 150, outDir: dir });
    expect(r.violated).toBeGreaterThanOrEqual(2);
    for (const f of r.files) expectEvidence(await loadTrace(f), f);
  }, 60_000);

  it('explore (shortest counterexamples, a product\'s two sides included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-explore-'));
    const out = await explore({ profile: '6.x', scope: SCOPES.small!, clauses: ['U6', 'R2'], outDir: dir });
    expect(out.status).toBe('violation');
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files.length).toBe(3);
    for (const f of files) expectEvidence(await loadTrace(f), f);
  }, 60_000);
  // the report's traces: test/report/report.e2e.test.ts
});

describe('replay says what a counterexample demonstrates', () => {
  const output = () => {
    const out: string[] = [], err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
    return { out, err };
  };
  afterEach(() => { vi.restoreAllMocks(); });
  const saved = (t: Trace): string => {
    const f = join(mkdtempSync(join(tmpdir(), 'evidence-replay-')), 'U6-6.x.json');
    writeFileSync(f, JSON.stringify(t));
    return f;
  };

  it('prints the boot, the violation, its kind and the evidence steps', async () => {
    const f = saved(withEvidence([{ ...u6(), boot: { devptsOptions: 'gid=5,mode=620' } }], U6)[0]!);
    const { out } = output();
    expect(await main(['replay', f])).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/^ {2}boot: init mounts devpts at \/dev\/pts with -o gid=5,mode=620; \/dev\/ptmx mode 0666 \(as the trace's "boot" says\)$/m);
    expect(text).toMatch(/^ {2}demonstrates: U6 violated at step 3 \(a finding: the document and the kernel code disagree\)$/m);
    expect(text).toMatch(/^ {2}what breaks: remount "" changed the mode of devpts1's ptmx node from 0666 to 0000/m);
    expect(text).toMatch(/stat +path=\/dev\/pts\/ptmx +ok type=chr mode=0000 .*✓ · evidence$/m);
    expect(text).toMatch(/remount +target=\/dev\/pts +ok +✓ ◀ violation$/m);
    expect(text).toMatch(/4 expectations hold: the trace reproduces the violation of U6 at step 3 on the model; steps 2, 4 show what it did/);
  });

  it('prints the default boot too (a trace depends on it)', () => {
    const lines = renderReplay(replayOnModel(u6(), 'u6.json'));
    expect(lines).toContain('  boot: init mounts devpts at /dev/pts with no options; /dev/ptmx mode 0666 (the default boot)');
  });

  it('--json: a violation trace whose expectations hold is "reproduced", never "holds"', async () => {
    const f = saved(withEvidence([u6()], U6)[0]!);
    const { out } = output();
    expect(await main(['replay', '--json', f])).toBe(0);
    const r = JSON.parse(out.join(''));
    expect(r).toMatchObject({ verdict: 'reproduced', expectations: 'hold', boot: {}, violation: { clause: 'U6', step: 3, evidence: [2, 4], kind: 'finding' } });
    const plain = replayRecord(replayOnModel({ ...u6(), violation: undefined }, 'plain.json'));
    expect(plain).toMatchObject({ verdict: 'holds', violation: null });
  });

  it('a counterexample that no longer reproduces fails, and says so', () => {
    const [t] = withEvidence([u6()], U6);
    t!.steps[3]!.expect = { ok: true, mode: '0666' };
    const outcome = replayOnModel(t!, 'u6.json', { stopAtFirstFailure: true });
    expect(replayRecord(outcome)).toMatchObject({ verdict: 'fails', expectations: 'fail' });
    expect(renderReplay(outcome).at(-1)).toBe('  the trace does not reproduce the violation of U6 on the model');
  });
});

describe('one shape of violation note', () => {
  const text = (violation: unknown): string => JSON.stringify({ ...u6(), violation });
  it('loads the one shape, and reads the older ones (a string, { step, message }) as it', () => {
    expect(violationOf(loadTraceText(text({ clause: 'U6', step: 2, message: 'm', evidence: [1] }), 'a'))).toEqual({ clause: 'U6', step: 2, message: 'm', evidence: [1] });
    expect(violationOf(loadTraceText(text('m'), 'b'))).toEqual({ clause: 'U6', step: 2, message: 'm' });
    expect(violationOf(loadTraceText(text({ step: 1, message: 'm' }), 'c'))).toEqual({ clause: 'U6', step: 1, message: 'm' });
  });
  it.each([
    [42, /field "violation": must be an object/],
    [{ step: 9, message: 'm' }, /field "violation.step": must be a step number from 1 to 2/],
    [{ step: 1 }, /field "violation.message": must be a string/],
    [{ step: 1, message: 'm', evidence: [0] }, /field "violation.evidence"/],
    [{ step: 1, message: 'm', why: 'x' }, /field "violation.why": unknown key/],
  ])('refuses a malformed note %j with one line naming the field', (violation, message) => {
    expect(() => loadTraceText(text(violation), 'x.json')).toThrow(TraceError);
    expect(() => loadTraceText(text(violation), 'x.json')).toThrow(message);
  });
});
