// Option parsing: every problem is one line and a UsageError (exit 2).

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/exit-codes.ts';
import { DEFAULT_SEED, FORMATS, parseReportOptions } from '../../report/options.ts';

const IDS = ['D1', 'D3', 'K1', 'I1'];
const parse = (flags: Parameters<typeof parseReportOptions>[0]) => parseReportOptions(flags, IDS, '/tmp/out');

describe('parseReportOptions', () => {
  it('defaults: every profile, every clause, default budget, all four formats, fixed seed', () => {
    expect(parse({})).toEqual({ profiles: ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y', '6.1', '6.x'], clauses: null, budget: 'default', outDir: '/tmp/out', formats: [...FORMATS], seed: DEFAULT_SEED, json: false, rerun: `devpts-check report --budget default --seed ${DEFAULT_SEED}` });
  });
  it('the rerun line names exactly what was given (defaults left out), so it runs the same report again', () => {
    expect(parse({ profile: ['6.x', '2.6.39-n'], clause: 'i1,D3', seed: '42', budget: 'quick', out: '/tmp/my out' }).rerun)
      .toBe("devpts-check report --budget quick --seed 42 --profile 2.6.39-n,6.x --clause D3,I1 --out '/tmp/my out'");
  });
  it('lists: comma-separated or repeated, case-insensitive clause IDs, catalogue order', () => {
    const o = parse({ profile: '6.x,2.6.39-n', clause: ['i1', 'D3'], format: 'html,md', seed: '42', budget: 'quick', json: true });
    expect(o).toMatchObject({ profiles: ['2.6.39-n', '6.x'], clauses: ['D3', 'I1'], formats: ['md', 'html'], seed: 42, budget: 'quick', json: true });
  });
  it.each([
    [{ profile: '5.0' }, /^report: unknown profile "5.0" \(one of 2\.6\.39-n, 2\.6\.39-y, 3\.4-y, 4\.4-n, 4\.4-y, 6\.1, 6\.x\)$/],
    [{ clause: 'Z9' }, /^report: unknown clause "Z9" \(known: D1 D3 K1 I1\)$/],
    [{ budget: 'huge' }, /^report: unknown budget "huge" \(one of quick, default, thorough\)$/],
    [{ format: 'pdf' }, /^report: unknown format "pdf"/],
    [{ seed: '-1' }, /^report: --seed must be an integer/],
    [{ seed: 'abc' }, /^report: --seed must be an integer/],
    [{ profile: ',' }, /^report: --profile needs a profile/],
    [{ out: ' ' }, /^report: --out needs a directory$/],
  ])('%j → one clear line', (flags, message) => {
    let err: unknown;
    try { parse(flags); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
