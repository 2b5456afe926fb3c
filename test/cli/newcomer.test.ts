// What a new user trips over (issue 15), command by command: one name per thing, rerun
// lines that rerun the same run, one default seed, one --profile form, --out checked
// before the run, help that shows examples and exit codes, progress off a terminal, and
// no input that crashes the tool.

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { violationLines } from '../../cli/commands/explore.ts';
import { startProgress } from '../../cli/progress.ts';
import { DEFAULT_SEED as REPORT_SEED } from '../../report/options.ts';
import { DEFAULT_SEED } from '../../properties/runner.ts';
import { renderSteps } from '../../traces/render.ts';
import { PROFILE_IDS } from '../../model/index.ts';
import type { ReplayedStep } from '../../traces/types.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'devpts-check.js');
const run = promisify(execFile);
const scratch = (): string => mkdtempSync(join(tmpdir(), 'newcomer-'));
const example = (name: string): string => join(ROOT, 'examples', name);
const corpus = (name: string): string => join(ROOT, 'traces', 'corpus', name);

interface Outcome { code: number; out: string; err: string }
async function cli(args: string[], options: { dryRun?: boolean } = {}): Promise<Outcome> {
  let out = '', err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    return { code: await main(args, options), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
/** A real process: exit code and both streams. */
async function proc(args: string[], input?: string, env: Record<string, string> = {}): Promise<Outcome> {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input: input ?? '', encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}
const oneLine = (r: Outcome): void => { expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1); expect(r.err).toMatch(/^devpts-check: /); };

afterEach(() => { vi.restoreAllMocks(); });

describe('--version, and --help with an example and the exit codes in every command', () => {
  it('--version prints the version and exits 0', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`devpts-check ${pkg.version}\n`);
    }
  });
  it.each(['check', 'explore', 'report', 'replay', 'export', 'script', 'kernel', 'bench'])('%s --help', async (command) => {
    const r = await cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nExamples:\n {2}\$ devpts-check |\nExamples:\n {2}\$ npm run bench/);
    expect(r.out).toMatch(/\nExit codes:\n( +\d+ {2}\S.*\n)+/);
    expect(r.out).toMatch(/^ +2 {2}/m);
  });
  it('kernel --help says it needs root', async () => {
    expect((await cli(['kernel', '--help'])).out).toMatch(/needs root/i);
  });
  it('the overview lists the exit codes of every command', async () => {
    const r = await cli(['--help']);
    for (const code of [0, 1, 2, 12, 75, 77]) expect(r.out).toMatch(new RegExp(`^ +${code} {2}\\S`, 'm'));
  });
});

describe('one default seed, one --profile form', () => {
  it('every command has the same default seed', async () => {
    expect(REPORT_SEED).toBe(DEFAULT_SEED);
    expect((await cli(['check', '--help'])).out).toContain(`(default ${DEFAULT_SEED})`);
    expect((await cli(['kernel', '--help'])).out).toContain(`(default ${DEFAULT_SEED}`);
    expect((await cli(['report', '--help'])).out).toContain(`(default ${DEFAULT_SEED})`);
    // and no second one hides in the sources
    const sources = ['properties', 'report', 'cli', 'kernel', 'explore'].flatMap((d) => readdirSync(join(ROOT, d), { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(join(ROOT, d, f), 'utf8')));
    expect(sources.filter((s) => /DEFAULT_SEED\s*=\s*\d/.test(s))).toHaveLength(1);
  });
  it.each([
    ['check'], ['explore'], ['report'], ['bench', 'single'], ['script', example('lxc-private-dev.sh')],
  ] as [string, string?][])('%s takes --profile a,b and repeated --profile', async (command, extra) => {
    const tail = extra && extra !== 'single' ? [extra] : [];
    const out = join(scratch(), 'o');
    const outFlag = ['check', 'explore', 'report'].includes(command) ? ['--out', out] : [];
    if (extra === 'single') {
      expect((await cli([command, '--profile', '6.x'], { dryRun: true })).code).toBe(0);
    } else {
      expect((await cli([command, ...tail, '--profile', '2.6.39-n,6.x', ...outFlag], { dryRun: true })).code).toBe(0);
      expect((await cli([command, ...tail, '--profile', '2.6.39-n', '--profile', '6.x', ...outFlag], { dryRun: true })).code).toBe(0);
    }
    const bad = await cli([command, ...tail, '--profile', '6.x,7.0', ...outFlag], { dryRun: true });
    expect(bad.code).toBe(2);
    oneLine(bad);
    expect(bad.err).toContain(`unknown profile "7.0" (one of ${PROFILE_IDS.join(', ')})`);
  });
});

describe('rerun lines run exactly the run that printed them', () => {
  it('check: the last line repeats --profile, --clause, --seed, --runs, --max-steps and --out, and gives the same verdicts', async () => {
    const dir = scratch();
    const first = await cli(['check', '--profile', '6.x', '--clause', 'U6,K4', '--runs', '100', '--out', dir, '--no-progress']);
    const line = new RegExp(`^seed ${DEFAULT_SEED}; the same run again: (devpts-check check .*)$`, 'm').exec(first.out)![1]!;
    expect(line).toBe(`devpts-check check --clause U6,K4 --profile 6.x --seed ${DEFAULT_SEED} --runs 100 --max-steps 20 --out ${dir}`);
    const again = await cli(line.split(' ').slice(1).concat('--no-progress'));
    const table = (s: string) => s.split('\n').filter((l) => /^(clause|U6|K4) /.test(l));
    expect(table(again.out)).toEqual(table(first.out));
    expect(again.code).toBe(first.code);
    // the per-violation rerun names its own clause and profile
    expect(first.code).toBe(12);
    expect(first.out).toMatch(new RegExp(`^ {2}rerun: devpts-check check --clause U6 --profile 6\\.x --seed ${DEFAULT_SEED} --runs 100 --max-steps 20 --out `, 'm'));
  }, 60_000);
  it('explore: the same run again, same summary', async () => {
    const dir = scratch();
    const first = await cli(['explore', '--profile', '6.x', '--clause', 'K7', '--depth', '2', '--out', dir, '--no-progress']);
    const line = /^the same run again: (devpts-check explore .*)$/m.exec(first.out)![1]!;
    expect(line).toBe(`devpts-check explore --profile 6.x --scope small --clause K7 --depth 2 --out ${dir}`);
    const again = await cli(line.split(' ').slice(1).concat('--no-progress'));
    const counts = (s: string) => /^[\d,]+ distinct states, [\d,]+ transitions, depth \d+/m.exec(s)![0];
    expect(counts(again.out)).toBe(counts(first.out));
  }, 60_000);
});

describe('one name per instance: the fs labels of the trace format everywhere', () => {
  it('check, explore and the ITF export never show the model\'s internal ids', async () => {
    const dir = scratch();
    const check = await cli(['check', '--profile', '6.x', '--clause', 'U6', '--out', dir, '--no-progress']);
    const checkJson = await cli(['check', '--profile', '6.x', '--clause', 'U6', '--json', '--out', dir, '--no-progress']);
    const ex = await cli(['explore', '--profile', '6.x', '--clause', 'U6', '--out', dir, '--no-progress']);
    const exJson = await cli(['explore', '--profile', '6.x', '--clause', 'U6', '--out', dir, '--json', '--no-progress']);
    const itf = await cli(['export', join(dir, 'U6-6.x.json'), '--itf']);
    for (const [what, text] of [['check', check.out], ['check --json', checkJson.out], ['explore', ex.out], ['explore --json', exJson.out], ['export --itf', itf.out]]) {
      expect(text, what).not.toMatch(/devpts#\d/);
      expect(text, what).toMatch(/devpts1/);
    }
    // ITF values read like the trace: modes as octal strings, mounts by the path they are mounted on
    expect(itf.out).toMatch(/"ptmxmode": "0000"/);
    expect(itf.out).toMatch(/"target": "\/dev\/pts"/);
  }, 60_000);
});

describe('explore words a violation as the report does', () => {
  it('a document clause is a finding; a kernel fact or invariant is a model bug', () => {
    const base = { message: 'm', length: 1, ops: [], results: [] };
    const trace = { format: 'devpts-trace/1' as const, profile: '6.x' as const, steps: [{ op: 'readdir' as const, path: '/dev/pts', expect: { ok: true } }] };
    expect(violationLines({ ...base, check: 'U6', trace: { ...trace, clauses: ['U6'] } })[0]).toBe('Finding: U6 is violated on 6.x (a finding: the document and the kernel code disagree)');
    expect(violationLines({ ...base, check: 'K4', trace: { ...trace, clauses: ['K4'] } })[0]).toBe('Model bug: K4 is violated on 6.x (a model bug: the model breaks a kernel fact or invariant it must keep)');
    expect(violationLines({ ...base, check: 'I3', trace: { ...trace, clauses: ['I3'] } })[0]).toMatch(/^Model bug: I3/);
  });
  it('`explore --profile 6.x` ends with what it found, findings apart from model bugs, and exits 12', async () => {
    const r = await cli(['explore', '--profile', '6.x', '--out', scratch(), '--no-progress']);
    expect(r.code).toBe(12);
    const tail = r.out.trimEnd().split('\n').slice(-2);
    expect(tail[0]).toBe('Found on 6.x: 2 findings (U6, R2), 0 model bugs — exit 12, a checked clause is violated');
    expect(tail[1]).toMatch(/^the same run again: devpts-check explore --profile 6\.x --scope small --out /);
    expect(r.out).not.toMatch(/^Error: /m);
  }, 60_000);
});

describe('--out is checked before the run: one line, exit 2', () => {
  it.each(['check', 'explore', 'report'])('%s --out FILE (an existing file) or a path under a file', async (command) => {
    const dir = scratch();
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'below')]) {
      const r = await cli([command, '--profile', '6.x', '--out', out, '--no-progress']);
      expect(r.code, `${command} --out ${out}`).toBe(2);
      oneLine(r);
      expect(r.err).toMatch(/is not a directory/);
      expect(r.out).toBe(''); // nothing ran
    }
  });
  const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
  it.skipIf(!canUnshare)('check, explore, report, export with --out on a read-only file system (a private read-only tmpfs)', () => {
    const dir = scratch();
    const trace = corpus('U6--6.x.json');
    const script = [
      `mount -t tmpfs -o ro tmpfs ${dir}`,
      `for c in check explore report; do node ${BIN} $c --profile 6.x --out ${dir}/out --no-progress; echo "exit $?"; done`,
      `node ${BIN} export ${trace} --itf --out ${dir}/t.itf; echo "exit $?"`,
    ].join('\n');
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout.trim().split('\n')).toEqual(['exit 2', 'exit 2', 'exit 2', 'exit 2']);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l).toMatch(/^devpts-check: .*: the file system is read-only$/);
  }, 120_000);
});

describe('script: empty input, --trace-out, stdin', () => {
  it('an empty script (or comments only) is one clear line and exit 2, not a report', async () => {
    const dir = scratch();
    for (const [name, text] of [['empty.sh', ''], ['comments.sh', '#!/bin/sh\n# nothing yet\n\n']]) {
      writeFileSync(join(dir, name!), text!);
      const r = await cli(['script', join(dir, name!)]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`devpts-check: ${join(dir, name!)}: the script is empty (no commands): nothing to check\n`);
    }
  });
  it('--trace-out DIR writes into DIR, one file per profile, named after the script', async () => {
    const dir = scratch();
    const r = await cli(['script', example('doc-note4.sh'), '--profile', '2.6.39-y,6.x', '--trace-out', dir]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['doc-note4.2.6.39-y.json', 'doc-note4.6.x.json']);
    expect(readdirSync(join(dir, '..')).filter((n) => n.startsWith(`${dir.split('/').at(-1)}.`))).toEqual([]); // nothing beside it
  });
  it('--trace-out into a missing directory fails before the run: one line, exit 2, no report', async () => {
    const dir = scratch();
    for (const target of [join(dir, 'missing', 'x.json'), join(dir, 'missing') + '/']) {
      const r = await cli(['script', example('doc-note4.sh'), '--trace-out', target]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      oneLine(r);
      expect(r.err).toMatch(/does not exist/);
    }
  });
  it('`script -` reads the script from standard input', async () => {
    const r = await proc(['script', '-', '--profile', '6.x'], readFileSync(example('lxc-private-dev.sh'), 'utf8'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('6.x      yes        yes       yes            yes              0');
    const empty = await proc(['script', '-'], '');
    expect(empty.code).toBe(2);
    expect(empty.err).toBe('devpts-check: standard input: the script is empty (no commands): nothing to check\n');
  }, 30_000);
});

describe('traces: no input crashes replay or export', () => {
  it('the step table of a huge replay has no spread of a million rows (Math.max(...rows) overflowed the stack)', () => {
    const step = { index: 1, op: { op: 'stat', pid: 1, path: '/dev/pts' }, result: { ok: true }, holds: null } as unknown as ReplayedStep;
    const steps = Array.from({ length: 600_000 }, (_, i) => ({ ...step, index: i + 1 }));
    const lines = renderSteps(steps);
    expect(lines).toHaveLength(600_001);
    expect(lines.at(-1)).toMatch(/^ +600000 +1 {2}stat/);
  });
  it('replay of a 200,000-step trace: exit 0, every step shown', async () => {
    const dir = scratch();
    const steps = Array.from({ length: 100_000 }, () => [{ op: 'open', path: '/dev/ptmx', as: 'm', expect: { ok: true, index: 0 } }, { op: 'close', fd: 'm' }]).flat();
    writeFileSync(join(dir, 'long.json'), JSON.stringify({ format: 'devpts-trace/1', profile: '6.x', steps }));
    const r = await proc(['replay', join(dir, 'long.json')]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('');
    expect(r.out.trimEnd().split('\n').at(-1)).toBe('  100000 expectations hold');
  }, 120_000);
  it('export --itf refuses a trace over the step limit with one line, exit 2, before writing anything', async () => {
    const dir = scratch();
    const r = await cli(['export', corpus('U6--6.x.json'), '--itf', '--max-steps', '1', '--out', join(dir, 'x.itf')]);
    expect(r.code).toBe(2);
    oneLine(r);
    expect(r.err).toMatch(/has \d+ steps; its ITF would hold the whole kernel state \d+ times \(at least \d+ MB\): the limit is 1 steps \(--max-steps N raises it\)/);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('export: `export TRACE --itf` and `export --itf TRACE` write the same streamed ITF', async () => {
    const a = await cli(['export', corpus('U5--2.6.39-y.json'), '--itf']);
    const b = await cli(['export', '--itf', corpus('U5--2.6.39-y.json')]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out)['#meta'].format).toBe('ITF');
  });
  it('export write errors are sentences, not errno names', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'a-dir'));
    const intoDir = await cli(['export', corpus('U5--2.6.39-y.json'), '--itf', '--out', join(dir, 'a-dir')]);
    expect(intoDir.code).toBe(2);
    oneLine(intoDir);
    expect(intoDir.err).toMatch(/cannot write .*a-dir: it is a directory\n$/);
    const missing = await cli(['export', corpus('U5--2.6.39-y.json'), '--itf', '--out', join(dir, 'no', 'x.itf')]);
    expect(missing.err).toMatch(/: the folder .* does not exist\n$/);
    for (const r of [intoDir, missing]) expect(r.err).not.toMatch(/\bE[A-Z]{3,}\b/);
  });
  it('a binary trace is refused without echoing its bytes; an unknown errno name is a load error (exit 2)', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'bin.json'), Buffer.concat([Buffer.from('\x7fELF\x02\x01\x1b[31m'), Buffer.alloc(8)]));
    writeFileSync(join(dir, 'esc.json'), '\x1b]0;pwned\x07{"format":1}');
    writeFileSync(join(dir, 'efoo.json'), JSON.stringify({ format: 'devpts-trace/1', profile: '6.x', steps: [{ op: 'open', path: '/dev/ptmx', expect: { errno: 'EACESS' } }] }));
    for (const f of ['bin.json', 'esc.json']) {
      const r = await cli(['replay', join(dir, f)]);
      expect(r.code).toBe(2);
      oneLine(r);
      expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      expect(r.err).toMatch(/not a trace: (a binary file|control byte)/);
    }
    const efoo = await cli(['replay', join(dir, 'efoo.json')]);
    expect(efoo.code).toBe(2);
    expect(efoo.err).toBe(`devpts-check: ${join(dir, 'efoo.json')}: step 1: field "expect.errno": unknown errno name "EACESS" (did you mean EACCES?)\n`);
  });
});

describe('progress off a terminal: a line at a steady interval', () => {
  it('not on a terminal: one line per interval, none before the first interval', () => {
    const lines: string[] = [];
    const stream = { write: (s: string) => { lines.push(s); return true; }, isTTY: false };
    const quiet = startProgress({ label: 'check', stream, intervalSeconds: 3600 });
    quiet.update('U6 on 6.x', 1, 10);
    expect(lines).toEqual([]); // a short run prints nothing
    const every = startProgress({ label: 'check', stream, intervalSeconds: 0 });
    every.update('U6 on 6.x: violated', 3, 12);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^check 3\/12 \(25%\) · 0:00 elapsed · U6 on 6\.x: violated\n$/);
  });
  it('on a terminal: one line rewritten in place, cleared at the end', () => {
    const writes: string[] = [];
    const p = startProgress({ label: 'report', stream: { write: (s: string) => { writes.push(s); return true; }, isTTY: true, columns: 80 } });
    p.update('exploring 6.x');
    p.end();
    expect(writes[0]).toMatch(/^\r\x1b\[2Kreport · 0:00 elapsed · exploring 6\.x$/);
    expect(writes.at(-1)).toBe('\r\x1b[2K');
  });
  it('check, report, explore and kernel print progress lines on a pipe (interval 0 here)', async () => {
    const dir = scratch();
    const env = { DEVPTS_CHECK_PROGRESS_SECONDS: '0', NO_COLOR: '1' };
    const check = await proc(['check', '--profile', '6.x', '--clause', 'K7,K9', '--runs', '20', '--out', dir], '', env);
    expect(check.err).toMatch(/^check 1\/2 \(50%\) · \d+:\d\d elapsed · K7 on 6\.x: holds$/m);
    const report = await proc(['report', '--budget', 'quick', '--profile', '6.x', '--clause', 'K7', '--out', join(dir, 'r')], '', env);
    expect(report.err).toMatch(/^report · \d+:\d\d elapsed · /m);
    const ex = await proc(['explore', '--profile', '6.x', '--clause', 'K7', '--depth', '3', '--out', dir], '', env);
    expect(ex.err).toMatch(/^explore 6\.x · \d+:\d\d elapsed · model 6\.x: [\d,]+ distinct states/m);
    expect((await cli(['kernel', '--help'])).out).toContain('--no-progress');
  }, 120_000);
});
