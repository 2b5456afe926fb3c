// devpts-check explore: exit codes (0, 12, 2, 75), the TLC-style summary, the saved
// counterexample with its replay line, --json.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const QUIET = JSON.stringify({ name: 'quiet', depth: 3, processes: 1, maxPtys: 1, ops: [{ op: 'open', path: '/dev/pts/ptmx' }, { op: 'close' }, { op: 'readdir', path: '/dev/pts' }] });

describe('devpts-check explore', () => {
  it('exit 0 and a TLC-style summary when nothing is violated', async () => {
    const r = await cli(['explore', '--profile', '6.x', '--scope', QUIET, '--no-progress']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Model checking completed\. No error has been found\./);
    expect(r.out).toMatch(/^2 distinct states, \d+ transitions, depth 1, scope quiet, 0 left in queue$/m);
    expect(r.out).toMatch(/state space exhausted at depth 1/);
  });

  it('exit 12 with the violation, the saved trace and its replay command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'explore-cli-'));
    dirs.push(dir);
    const r = await cli(['explore', '--profile', '2.6.39-y', '--scope', 'small', '--clause', 'U6', '--out', dir, '--no-progress']);
    expect(r.code).toBe(12);
    // a document finding is worded as in the report, and said to be a finding (not a model bug)
    expect(r.out).toMatch(/^Finding: U6 is violated on 2\.6\.39-y \(a finding: the document and the kernel code disagree\)$/m);
    expect(r.out).toMatch(/What breaks: remount "" changed the mode of devpts1's ptmx node from 0666 to 0000/);
    expect(r.out).not.toMatch(/devpts#/);
    expect(r.out).toMatch(/shortest counterexample in this scope: 2 steps, then 2 observations \(evidence\), saved as .*U6-2\.6\.39-y-small\.json/);
    expect(r.out).toMatch(/^the same run again: devpts-check explore --profile 2\.6\.39-y --scope small --clause U6 --out \S+$/m);
    const replay = r.out.match(/^ {2}replay: devpts-check (replay \S+)$/m);
    expect(replay).not.toBeNull();
    const again = await cli(replay![1]!.split(' '));
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/4 expectations hold: the trace reproduces the violation of U6 at step 3 on the model; steps 2, 4 show what it did/);
  });

  it('exit 2 with one line for bad usage', async () => {
    for (const args of [['explore', '--profile', ''], ['explore', '--profile', '5.0'], ['explore', '--profile', '6.x,4.0'], ['explore', '--profile', '6.x', '--scope', 'huge'],
      ['explore', '--profile', '6.x', '--depth', 'x'], ['explore', '--profile', '6.x', '--clause', 'Z9'], ['explore', '--profile', '6.x', '--clause', 'D9']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('exit 75 when a budget runs out, with what was covered', async () => {
    const r = await cli(['explore', '--profile', '2.6.39-y', '--scope', 'small', '--clause', 'I1', '--max-states', '100', '--no-progress']);
    expect(r.code).toBe(75);
    expect(r.out).toMatch(/Budget exhausted: stopped by the state budget/);
    expect(r.out).toMatch(/^100 distinct states, \d+ transitions, depth \d, scope small, \d+ left in queue$/m);
  });

  it('--json prints one object with the search and the verdicts', async () => {
    const r = await cli(['explore', '--profile', '6.x', '--scope', QUIET, '--json', '--no-progress']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.profile).toBe('6.x');
    expect(j.searches[0].distinct).toBe(2);
    expect(j.verdicts.find((v: { id: string }) => v.id === 'I1').verdict).toBe('holds');
  });
});
