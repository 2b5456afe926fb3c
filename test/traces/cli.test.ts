// The CLI, spawned as users run it: devpts-check replay / export. Exit codes: 0 every
// expectation holds, 1 one fails, 2 bad input or usage (one line on stderr).

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { CORPUS_DIR, corpusFiles } from '../../traces/corpus.ts';
import { scratchDir, u5Text } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'devpts-check.js');
const CORPUS_FILE = join(CORPUS_DIR, 'U5--2.6.39-y.json');

interface Ran { code: number; stdout: string; stderr: string }
function spawnCli(args: readonly string[]): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
const lines = (s: string) => s.split('\n').filter((l) => l !== '');

// Each CLI start costs about half a second (tsx); at most three run at once, and every
// run starts as soon as the scratch files exist, so the tests mostly wait in parallel.
const MAX_RUNNING = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function cli(...args: string[]): Promise<Ran> {
  while (running >= MAX_RUNNING) await new Promise<void>((go) => waiting.push(go));
  running++;
  try {
    return await spawnCli(args);
  } finally {
    running--;
    waiting.shift()?.();
  }
}
/** The same CLI in this process (main), for the cases that need no separate process. */
async function inProcess(...args: string[]): Promise<Ran> {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

const started = new Map<string, Promise<Ran>>();
/** The run of these arguments, started once. */
const run = (...args: string[]): Promise<Ran> => {
  const key = JSON.stringify(args);
  if (!started.has(key)) started.set(key, cli(...args));
  return started.get(key)!;
};

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string) => join(dir, name);
beforeAll(async () => {
  ({ dir, cleanup } = await scratchDir());
  const u5 = await readFile(CORPUS_FILE, 'utf8');
  await writeFile(file('unknown-op.json'), u5.replace('"op": "mount"', '"op": "mout"'));
  await writeFile(file('missing-field.json'), u5Text((t) => { delete t.steps[2]!.target; }));
  await writeFile(file('bad-json.json'), u5.slice(0, u5.length / 2));
  await writeFile(file('wrong-expectation.json'), u5Text((t) => { t.steps[3]!.expect = { ok: true, index: 7 }; }));
  await writeFile(file('unknown-handle.json'), u5Text((t) => { t.steps.push({ op: 'close', pid: 2, fd: 'nope' }); }));
  for (const args of ARGS()) void run(...args);
});

/** Every command line the tests below run, so they can all start at once. */
const ARGS = (): string[][] => [
  ['replay', CORPUS_FILE],
  ...['unknown-op.json', 'missing-field.json', 'bad-json.json'].map((n) => ['replay', file(n)]),
  ['replay', file('wrong-expectation.json')],
];
afterAll(() => cleanup());

describe('devpts-check replay', () => {
  it('a corpus trace: exit 0, a header, one row per step, every expectation marked as holding', async () => {
    const r = await run('replay', CORPUS_FILE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('traces/corpus/U5--2.6.39-y.json');
    expect(out[2]).toMatch(/profile 2\.6\.39-y · clauses U5/);
    expect(out.filter((l) => /^\s+\d+\s+\d+\s+\w+/.test(l))).toHaveLength(8);
    expect(r.stdout).toMatch(/4\s+2\s+open\s+path=\/dev\/ptmx as=m\s+ok fd=m index=0\s+✓/);
    expect(r.stdout).not.toContain('✗');
  });

  it.each([
    ['unknown-op.json', /^devpts-check: .*unknown-op\.json: step 3: field "op": unknown op "mout"$/],
    ['missing-field.json', /^devpts-check: .*missing-field\.json: step 3: field "target": missing "target" for op "mount"$/],
    ['bad-json.json', /^devpts-check: .*bad-json\.json: not valid JSON: /],
  ])('a corrupted copy, %s: exit 2 with exactly one line on stderr naming the problem', async (name, message) => {
    const r = await run('replay', file(name));
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(lines(r.stderr)[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['unknown-handle.json', /^devpts-check: .*unknown-handle\.json: step 6: field "fd": process 2 has no open handle "nope"$/],
    ['does-not-exist.json', /^devpts-check: .*does-not-exist\.json: cannot read: no such file$/],
  ])('%s (in process): exit 2 with exactly one line on stderr naming the problem', async (name, message) => {
    const r = await inProcess('replay', file(name));
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(lines(r.stderr)[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('a wrong expectation: exit 1, expected and actual side by side, and the file stops there', async () => {
    const r = await run('replay', file('wrong-expectation.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ step 4 \(open\): the expectation does not hold/);
    expect(r.stdout).toMatch(/key\s+expected\s+actual/);
    expect(r.stdout).toMatch(/index\s+7\s+0\s+≠/);
    expect(r.stdout).not.toMatch(/^\s+5\s+2\s+readdir/m);
  });

  it('--json: one object per file, per line, with file, profile, verdict, steps and firstFailure', async () => {
    const r = await inProcess('replay', '--json', CORPUS_FILE, file('wrong-expectation.json'));
    expect(r.code).toBe(1);
    const [a, b] = lines(r.stdout).map((l) => JSON.parse(l));
    expect(lines(r.stdout)).toHaveLength(2);
    expect(a).toMatchObject({ file: 'traces/corpus/U5--2.6.39-y.json', profile: '2.6.39-y', verdict: 'holds', firstFailure: null });
    expect(a.steps[3]).toMatchObject({ step: 4, pid: 2, op: 'open', args: { path: '/dev/ptmx', as: 'm' }, result: { ok: true, fd: 'm', index: 0 }, holds: true });
    expect(b).toMatchObject({ verdict: 'fails', firstFailure: { step: 4, expected: { ok: true, index: 7 }, actual: { ok: true, fd: 'm', index: 0 }, differingKeys: ['index'] } });
  });

  it('--corpus replays the whole corpus: exit 0', async () => {
    const r = await inProcess('replay', '--corpus');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const n = (await corpusFiles()).length;
    expect(lines(r.stdout).at(-1)).toBe(`${n} traces: ${n} hold, 0 fail`);
  });

  it('no files and no --corpus is a usage error: exit 2, one line', async () => {
    const r = await inProcess('replay');
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual(['devpts-check: replay: name trace files, or --corpus for the saved corpus']);
  });
});

describe('devpts-check export --itf', () => {
  it('writes the ITF of a trace to --out', async () => {
    const r = await inProcess('export', '--itf', CORPUS_FILE, '--out', file('u5.itf.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const itf = JSON.parse(await readFile(file('u5.itf.json'), 'utf8'));
    expect(itf['#meta'].format).toBe('ITF');
    expect(itf.states).toHaveLength(9);
  });

  it('an invalid trace or no --itf: exit 2, one line', async () => {
    const bad = await inProcess('export', '--itf', file('unknown-op.json'));
    const none = await inProcess('export');
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toHaveLength(1);
    expect(bad.stderr).toMatch(/step 3: field "op": unknown op "mout"/);
    expect(none.code).toBe(2);
    expect(lines(none.stderr)).toEqual(['devpts-check: export: say which format: devpts-check export TRACE --itf']);
  });
});
