// No input crashes the tool. fast-check feeds mutated and random inputs to the three
// front doors a user can hand anything to:
//   - the trace loader (then the model replay, its rendering and its JSON record, the ITF export);
//   - the CLI's option parsing, in-process (main(argv, { dryRun: true }): every command
//     checks its arguments and input, then stops before the run);
//   - the script front end (the shell parser and its translation into ops);
// and runs a sample of the same argument lists as real `devpts-check` processes, for the
// exit-code path. Each input must end in a result or one clear line with exit 2: never an
// exception, an "internal error" (exit 70) or a stack trace. Seeds are fixed; the counts
// of inputs tried are printed.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { checkScript } from '../../shell/check.ts';
import { ScriptSyntaxError, ScriptTooDeep } from '../../shell/parse.ts';
import { CORPUS_DIR } from '../../traces/corpus.ts';
import { TraceError } from '../../traces/errors.ts';
import { itfChunks } from '../../traces/itf.ts';
import { decodeText, loadTraceText } from '../../traces/load.ts';
import { renderReplay } from '../../traces/render.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { replayRecord } from '../../traces/summary.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'devpts-check.js');
const SCRATCH = mkdtempSync(join(tmpdir(), 'devpts-fuzz-'));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

const tally = { traces: 0, argv: 0, scripts: 0, processes: 0 };
afterAll(() => {
  // the fuzzing figure (issue 15): how many inputs this run tried
  process.stdout.write(`fuzz: ${tally.traces} trace inputs, ${tally.argv} argument lists in-process, ${tally.scripts} scripts, ${tally.processes} real CLI processes; ${tally.traces + tally.argv + tally.scripts + tally.processes} in all\n`);
});

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;
const EXITS = new Set([0, 1, 2, 12, 75, 77]);

// ---- inputs ---------------------------------------------------------------------------------

const corpus = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json')).sort().slice(0, 40).map((f) => readFileSync(join(CORPUS_DIR, f), 'utf8'));
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.sh')).map((f) => readFileSync(join(ROOT, 'examples', f), 'utf8'));

/** JSON values that break naive code: huge and tiny numbers, long and odd strings, deep nesting. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 2 ** 53, 1e308, -1e308, '', ' ', '-', '/', '//', '/dev/pts/../../..', '\u0000', '\u001b[31m', '\u202e', 'EACCES', 'E', 'devpts1', '0666', '99999999', '__proto__', 'constructor'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 1, max: 1000 }).map((n) => '['.repeat(n) + ']'.repeat(n)).map((s) => JSON.parse(s) as unknown),
  fc.integer({ min: 1000, max: 50_000 }).map((n) => 'x'.repeat(n)),
);

/** A JSON path into a value: every object key and array index on the way down. */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = [], limit = 400): (string | number)[][] {
  if (out.length >= limit) return out;
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out, limit));
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...at, k], out, limit);
  return out;
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = JSON.parse(JSON.stringify(root)) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete cur[last]; else cur[last] = value;
  return copy;
}

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map((n): Mutation => (t) => t.slice(0, n % (t.length + 1))),                                   // truncated
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([n, b]): Mutation => (t) => {                 // a byte replaced
    const i = n % Math.max(1, t.length);
    return t.slice(0, i) + String.fromCharCode(b) + t.slice(i + 1);
  }),
  fc.tuple(fc.nat(), fc.string({ maxLength: 6 })).map(([n, s]): Mutation => (t) => { const i = n % (t.length + 1); return t.slice(0, i) + s + t.slice(i); }), // inserted
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([n, k]): Mutation => (t) => { const i = n % (t.length + 1); return t.slice(0, i) + t.slice(i + k); }),          // a range cut
  fc.tuple(fc.nat(), nasty).map(([n, v]): Mutation => (t) => {                                              // a value replaced by a nasty one (wrong type, huge, deep)
    let parsed: unknown;
    try { parsed = JSON.parse(t); } catch { return t; }
    const all = paths(parsed);
    return JSON.stringify(setAt(parsed, all[n % all.length]!, v));
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([n, m]): Mutation => (t) => {                                            // a key dropped, or a step duplicated
    let parsed: unknown;
    try { parsed = JSON.parse(t); } catch { return t; }
    const all = paths(parsed).filter((p) => p.length > 0);
    if (all.length === 0) return t;
    const p = all[n % all.length]!;
    if (m % 2 === 0) return JSON.stringify(setAt(parsed, p, undefined));
    const steps = (parsed as { steps?: unknown[] }).steps;
    if (Array.isArray(steps) && steps.length > 0) steps.splice(m % steps.length, 0, steps[m % steps.length]);
    return JSON.stringify(parsed);
  }),
);

const traceText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...corpus), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([t, ms]) => ms.reduce((x, m) => m(x), t)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.record({ format: fc.constantFrom('devpts-trace/1', 'devpts-trace/2', 1), profile: fc.constantFrom('6.x', '2.6.39-n', '3.4-y', 'x'), steps: fc.array(fc.record({ op: fc.constantFrom('open', 'stat', 'mount', 'spawn', 'close', 'nope'), path: nasty, pid: nasty, fd: nasty, as: nasty, expect: nasty }, { requiredKeys: ['op'] }), { maxLength: 8 }), boot: nasty, violation: nasty }, { requiredKeys: ['format', 'steps'] }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
);

/** Loading either gives a trace or a TraceError: one printable line. Everything after loading must not throw but TraceError. */
function loadAndUse(text: string): void {
  tally.traces++;
  let trace;
  try {
    trace = loadTraceText(text, 'fuzzed.json');
  } catch (err) {
    expect(err).toBeInstanceOf(TraceError);
    const message = (err as Error).message;
    expect(message).not.toMatch(CONTROL);
    expect(message.length).toBeLessThan(2000);
    return;
  }
  try {
    const outcome = replayOnModel(trace, 'fuzzed.json', { keepStates: false });
    for (const line of renderReplay(outcome)) expect(line).not.toMatch(CONTROL);
    JSON.stringify(replayRecord(outcome));
    if (trace.steps.length <= 30 && tally.traces % 5 === 0) for (const _chunk of itfChunks(trace, 'fuzzed.json')) { /* streamed */ }
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(TraceError); // a bad boot or a tool error in a step
  }
}

describe('the trace loader takes any input: a trace or one clear line', () => {
  it('mutated corpus traces, wrong types, huge and deep values, random JSON and text', () => {
    fc.assert(fc.property(traceText, (t) => { loadAndUse(t); }), { numRuns: 10_000, seed: 1505 });
  }, 120_000);

  it('random bytes are refused as binary or invalid text, never echoed', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      tally.traces++;
      try {
        loadAndUse(decodeText(bytes, 'bytes.json'));
      } catch (err) {
        expect(err).toBeInstanceOf(TraceError);
        expect((err as Error).message).not.toMatch(CONTROL);
      }
    }), { numRuns: 6_000, seed: 1506 });
  });
});

// ---- the CLI's option parsing, in-process -------------------------------------------------------

mkdirSync(join(SCRATCH, 'dir'));
writeFileSync(join(SCRATCH, 'file'), 'not a directory');
writeFileSync(join(SCRATCH, 'empty.sh'), '');
writeFileSync(join(SCRATCH, 'binary.json'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0x1b, 0x5b]));
writeFileSync(join(SCRATCH, 'valid.json'), corpus[0]!);
writeFileSync(join(SCRATCH, 'ok.sh'), examples[0]!);
const fuzzedFiles: string[] = [];
fc.sample(fc.oneof(traceText, fc.constantFrom(...examples).map((s) => s.slice(0, 200))), { numRuns: 30, seed: 1507 }).forEach((t, i) => {
  const f = join(SCRATCH, `fuzzed-${i}${i % 2 ? '.json' : '.sh'}`);
  writeFileSync(f, t);
  fuzzedFiles.push(f);
});

const COMMANDS = ['check', 'explore', 'report', 'replay', 'export', 'script', 'kernel', 'bench'];
const OPTIONS = [
  '--profile', '--clause', '--runs', '--seed', '--max-steps', '--json', '--out', '--no-progress', '--depth', '--scope', '--max-states',
  '--max-seconds', '--exact', '--budget', '--format', '--corpus', '--kernel', '--itf', '--boot-options', '--trace-out', '-v', '--help',
  '--version', '--seconds', '--quick', '--doc-profiles', '--compare-random', '--bogus', '-x', '--', '-',
];
const inScratch = fc.constantFrom('dir', 'file', 'file/below', 'missing/deeper', 'dir/new', 'out dir', '').map((p) => join(SCRATCH, p));
const value: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('6.x', '2.6.39-n,6.x', '6.x,,', ',', 'U6', 'u6,K4', 'D9', 'quick', 'thorough', 'small', 'doc', '{"name":"x"}', '{', 'md,html', 'x', '0', '-1', '1e999', 'NaN', '9007199254740993', '0x10', '12abc', ' ', '', '\u001b[2J', '\u202e', '∞', 'gid=5,mode=620', 'bogus'),
  fc.integer().map(String),
  fc.string({ maxLength: 10 }),
  inScratch,
  fc.constantFrom(...fuzzedFiles, join(SCRATCH, 'empty.sh'), join(SCRATCH, 'binary.json'), join(SCRATCH, 'valid.json'), join(SCRATCH, 'ok.sh'), '/nonexistent/x.json'),
);
const argv: fc.Arbitrary<string[]> = fc.tuple(
  fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: fc.constantFrom('', 'nosuch', '--budget', '-h') }),
  fc.array(fc.oneof({ weight: 3, arbitrary: fc.tuple(fc.constantFrom(...OPTIONS), value).map(([o, v]) => [o, v]) }, { weight: 1, arbitrary: value.map((v) => [v]) }), { maxLength: 5 }),
).map(([cmd, rest]) => [cmd, ...rest.flat()].filter((a, i) => i > 0 || a !== ''))
  // only scratch paths are ever written to (a probe folder, removed); `-` would wait for stdin here (the process runs cover it)
  .filter((a) => !a.some((x, i) => (['--out', '--trace-out'].includes(a[i - 1] ?? '') && !x.startsWith(SCRATCH)) || (x === '-' && a[0] === 'script')));

interface Outcome { code: number; out: string; err: string }

async function inProcess(args: string[]): Promise<Outcome> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    return { code: await main(args, { dryRun: true }), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/**
 * One clear line for exit 2 (one per file for `replay`, which reads several; a parse
 * error adds the script line and a caret), no stack trace, no control bytes.
 */
function expectClear(args: string[], r: Outcome): void {
  const what = JSON.stringify(args);
  expect(EXITS.has(r.code), `${what} → exit ${r.code}: ${r.err}`).toBe(true);
  expect(r.err, what).not.toMatch(/internal error|\n\s+at /);
  if (r.code === 2) {
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0], what).toMatch(/^devpts-check: \S/);
    const perFile = args[0] === 'replay';
    expect(lines.slice(1).every((l) => /^ {2}\S* ?\|/.test(l) || (perFile && /^devpts-check: \S/.test(l))), `${what}: ${r.err}`).toBe(true);
    if (!perFile) expect(lines.filter((l) => l.startsWith('devpts-check: ')), `${what}: ${r.err}`).toHaveLength(1);
  }
  expect(r.err.replace(/\n/g, ''), what).not.toMatch(CONTROL);
}

const planned: { args: string[]; r: Outcome }[] = [];

describe('the CLI parses any arguments: a result or one clear line with exit 2', () => {
  it('random commands, options and values, in-process', async () => {
    await fc.assert(fc.asyncProperty(argv, async (args) => {
      tally.argv++;
      const r = await inProcess(args);
      expectClear(args, r);
      if (planned.length < 400) planned.push({ args, r });
    }), { numRuns: 4_000, seed: 1508 });
  }, 120_000);
});

// ---- the script front end ------------------------------------------------------------------------

const WORDS = ['mount', '-t', 'devpts', '-o', 'newinstance,ptmxmode=0666', 'devpts', '/dev/pts', 'umount', 'ln', '-s', 'pts/ptmx', '/dev/ptmx', 'rm', '-f',
  'chmod', '0666', 'unshare', '-m', 'ns_exec', '-cm', 'mknod', 'c', '5', '2', 'if', 'then', 'else', 'fi', 'for', 'x', 'in', 'do', 'done', 'while', 'case', 'esac',
  '$(', ')', '`', '"', "'", '${', '}', '{', '(', '))', '&&', '||', '|', ';', ';;', '&', '>', '<<EOF', 'EOF', '\\', '#', '=', 'f()', 'exit', 'exec', 'sh', '-c', '$1', '$@', '*', '~', '\t'];
const shell: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...WORDS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }, { weight: 1, arbitrary: fc.constant('\n') }), { maxLength: 40 }).map((w) => w.join(' ')),
  fc.tuple(fc.constantFrom(...examples), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([t, ms]) => ms.reduce((x, m) => m(x), t)),
  fc.integer({ min: 50, max: 3000 }).map((n) => `${'('.repeat(n)}true${')'.repeat(n)}`),
  fc.integer({ min: 50, max: 2000 }).map((n) => `${'if true; then '.repeat(n)}:${'; fi'.repeat(n)}`),
);

describe('the script front end takes any shell: a verdict or one clear line', () => {
  it('random and mutated scripts', async () => {
    await fc.assert(fc.asyncProperty(shell, async (text) => {
      tally.scripts++;
      if (text.includes('\u0000')) return;
      try {
        const report = await checkScript(text, { profiles: ['6.x'] });
        expect(report.profiles).toHaveLength(1);
      } catch (err) {
        expect(err instanceof ScriptSyntaxError || err instanceof ScriptTooDeep, String(err)).toBe(true);
      }
    }), { numRuns: 250, seed: 1509 });
  }, 120_000);
});

// ---- real processes, for the exit-code path --------------------------------------------------------

function run(args: string[], input?: string): Promise<Outcome> {
  return new Promise((resolveRun) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: SCRATCH, timeout: 60_000, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolveRun({ code, out: stdout, err: stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

describe('real devpts-check processes exit as the in-process parse says', () => {
  it('a sample of the fuzzed argument lists, plus stdin, empty and binary inputs', async () => {
    // the cheap ones: those refused before any run (the exit-code path), help, and replays and exports (whose dry run is the whole run)
    const cheap = planned.filter(({ args, r }) => r.code === 2 || args.includes('--help') || args.includes('-h') || (['replay', 'export'].includes(args[0] ?? '') && r.code !== 0));
    const sample = cheap.slice(0, 32);
    const fixed: { args: string[]; input?: string; code: number; err?: RegExp }[] = [
      { args: ['script', '-', '--profile', '6.x'], input: examples[0]!, code: -1 },
      { args: ['script', '-'], input: '', code: 2, err: /^devpts-check: standard input: the script is empty/ },
      { args: ['script', join(SCRATCH, 'empty.sh')], code: 2, err: /the script is empty \(no commands\): nothing to check\n$/ },
      { args: ['replay', join(SCRATCH, 'binary.json')], code: 2, err: /not a trace: a binary file/ },
      { args: ['--version'], code: 0 },
    ];
    const jobs = [...sample.map((p) => ({ args: p.args, code: p.r.code, input: undefined as string | undefined, err: undefined as RegExp | undefined })), ...fixed];
    for (let i = 0; i < jobs.length; i += 2) {
      const batch = jobs.slice(i, i + 2);
      const results = await Promise.all(batch.map((j) => run(j.args, j.input)));
      batch.forEach((j, k) => {
        tally.processes++;
        const r = results[k]!;
        expectClear(j.args, r);
        if (j.code >= 0) expect(r.code, `${JSON.stringify(j.args)}: ${r.err}`).toBe(j.code);
        if (j.err) expect(r.err).toMatch(j.err);
      });
    }
    expect(tally.processes).toBe(jobs.length);
  }, 240_000);
});
