// `devpts-check report` as a user meets it: bad options are one line and exit 2 before
// anything runs; an unwritable --out fails cleanly (exit 2, no partial files); --json
// prints conformance.json; the exit code is 0 when the run completed, findings included.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ConformanceData } from '../../report/data.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'devpts-check.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('devpts-check report: usage errors', () => {
  it.each([
    [['--budget', 'huge'], /unknown budget "huge"/],
    [['--profile', '5.0'], /unknown profile "5\.0"/],
    [['--clause', 'Q1'], /unknown clause "Q1"/],
    [['--format', 'pdf'], /unknown format "pdf"/],
    [['--seed', 'x'], /--seed must be an integer/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('%j: exit 2, one line on stderr, nothing on stdout', async (args, message) => {
    const out = join(mkdtempSync(join(tmpdir(), 'report-cli-')), 'out');
    const r = await cli(['report', ...args, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  }, 30_000);

  it('an unwritable --out: exit 2 with the reason, before running, and no partial files', async () => {
    const base = mkdtempSync(join(tmpdir(), 'report-cli-'));
    writeFileSync(join(base, 'a-file'), 'x');
    const r = await cli(['report', '--budget', 'quick', '--out', join(base, 'a-file', 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^devpts-check: report: cannot write the report to .*a-file\/out: a path component is not a directory$/);
    expect(readdirSync(base)).toEqual(['a-file']);
  }, 30_000);
});

describe('devpts-check report: a small selection', () => {
  it('--json prints conformance.json; files only in the requested formats; exit 0 (findings are results)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'report-cli-')), 'out');
    const r = await cli(['report', '--clause', 'D3,K1', '--profile', '2.6.39-n', '--budget', 'quick', '--format', 'json,junit', '--seed', '7', '--json', '--out', out]);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout) as ConformanceData;
    expect(data.budget).toMatchObject({ name: 'quick', seed: 7 });
    expect(data.clauses.map((c) => c.id)).toEqual(['D3', 'K1']);
    expect(data.profiles.map((p) => p.id)).toEqual(['2.6.39-n']);
    expect(readdirSync(out).sort()).toEqual(['conformance.json', 'junit.xml', ...(data.counterexamples.length ? ['traces'] : [])].sort());
    expect(JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8'))).toEqual(data);
  }, 60_000);

  it('the terminal: the matrix, a paragraph per violation, no colour when not a TTY', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'report-cli-')), 'out');
    const r = await cli(['report', '--clause', 'U6', '--profile', '6.x', '--budget', 'quick', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stdout).toMatch(/^clause +6\.x +statement$/m);
    expect(r.stdout).toMatch(/^U6 +\S+ +ptmxmode sets/m);
    expect(r.stdout).toMatch(/Wrote conformance\.md, conformance\.json, conformance\.html, junit\.xml/);
  }, 60_000);
});
