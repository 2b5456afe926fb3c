// The search: shortest counterexamples (BFS), saved as replayable devpts-trace/1 files,
// products of two profiles, budgets, several boot configurations.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isOk, profileOf, type KernelState, type Op, type StepResult } from '../../model/index.ts';
import { clauseById } from '../../clauses/index.ts';
import { planChecks } from '../../explore/checks.ts';
import { loadTrace } from '../../traces/load.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { Search, type SearchCheck } from '../../explore/bfs.ts';
import { explore } from '../../explore/run.ts';
import { SMALL, type Scope } from '../../explore/scope.ts';
import { KernelSystem } from '../../explore/system.ts';

const dirs: string[] = [];
const tmp = async () => { const d = await mkdtemp(join(tmpdir(), 'explore-test-')); dirs.push(d); return d; };
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

const TINY: Scope = {
  name: 'tiny', depth: 4, processes: 2, maxPtys: 3,
  ops: [{ op: 'spawn' }, { op: 'setuid', uid: 1000 }, { op: 'open', path: '/dev/pts/ptmx' }, { op: 'open', path: '/dev/ptmx' }, { op: 'close' }],
};

/** A made-up property: "index 2 is never allocated" — violated after three opens, not before. */
const noIndexTwo: SearchCheck<KernelState> = {
  id: 'X2', check: (_b: KernelState, _op: Op, r: StepResult) => (isOk(r) && r.index === 2 ? 'index 2 allocated' : null),
};

describe('explore', () => {
  it('finds the shortest counterexample, and replays it to the violation', () => {
    const search = new Search(new KernelSystem('6.x', TINY));
    const r = search.run({ depth: 4, checks: [noIndexTwo] });
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]!.length).toBe(3);
    const rep = search.replay(search.pathOf(r.violations[0]!));
    expect(rep.ops.map((o) => o.op)).toEqual(['open', 'open', 'open']);
    expect((rep.results[2] as { index: number }).index).toBe(2);
  });

  it('counts every state up to the bound, and says when the space is exhausted', () => {
    const search = new Search(new KernelSystem('6.x', { ...TINY, ops: [{ op: 'open', path: '/dev/pts/ptmx' }, { op: 'close' }] }));
    const r = search.run({ depth: 10 });
    // 0, 1, 2 or 3 ptys of indices drawn from what opens and closes leave: every subset of {0,1,2} reachable
    expect(r.exhausted).toBe(true);
    expect(r.distinct).toBe(8);
  });

  it('stops at a state budget or a time budget and says so', () => {
    const search = new Search(new KernelSystem('2.6.39-y', SMALL));
    const r = search.run({ depth: 4, maxStates: 50 });
    expect(r.stop).toBe('states');
    expect(r.distinct).toBe(50);
    expect(r.queueLeft).toBeGreaterThan(0);
    const t = new Search(new KernelSystem('2.6.39-y', SMALL)).run({ depth: 20, maxSeconds: 0.2 });
    expect(t.stop).toBe('time');
  });

  it('explores every boot configuration of a scope, and the trace names the right one', async () => {
    const scope: Scope = { ...TINY, boots: [{ devptsOptions: 'max=1' }, {}] };
    const out = await explore({ profile: '6.x', scope, clauses: ['I1'] });
    expect(out.status).toBe('ok');
    const sys = new KernelSystem('6.x', scope);
    expect(sys.boots).toEqual([{ devptsOptions: 'max=1' }, {}]);
    const search = new Search(sys);
    const r = search.run({ depth: 2, checks: [{ id: 'X', check: (_b, _o, res) => ('errno' in res && res.errno === 'ENOSPC' ? 'limit' : null) }] });
    const rep = search.replay(search.pathOf(r.violations[0]!));
    expect(rep.root).toBe(0);
    expect(rep.ops).toHaveLength(2);
  });

  it('saves counterexamples that replay on the model with every expectation holding', async () => {
    const dir = await tmp();
    const out = await explore({ profile: '2.6.39-y', scope: SMALL, clauses: ['U6', 'D5'], outDir: dir });
    expect(out.status).toBe('violation');
    const paths = out.verdicts.filter((v) => v.verdict === 'violated').flatMap((v) => [v.counterexample!.path!, v.counterexample!.otherPath].filter(Boolean)) as string[];
    expect(paths.length).toBeGreaterThanOrEqual(3); // U6, and D5 on both sides
    for (const path of paths) {
      const trace = await loadTrace(path);
      expect(trace.format).toBe('devpts-trace/1');
      const replayed = replayOnModel(trace, path);
      expect(replayed.verdict).toBe('holds');
    }
    const u6 = out.verdicts.find((v) => v.id === 'U6')!;
    expect(u6.counterexample!.length).toBe(2); // a ptmxmode mount, then a remount
  });
});

describe('explore: products of two profiles', () => {
  it('searches every comparison clause of the catalogue on the product of its pair, from either profile of it', () => {
    const products = (p: Parameters<typeof profileOf>[0]) => planChecks(profileOf(p)).product.map((c) => c.id);
    expect(products('2.6.39-y')).toEqual(['D5', 'U1', 'R1', 'R2']);
    expect(products('2.6.39-n')).toEqual(['D5', 'U1', 'R1']);
    expect(products('6.x')).toEqual(['R2']);
    expect(products('3.4-y')).toEqual([]);
  });

  it('finds D5 (a bogus option fails the mount on one kernel only) and judges R1 and R2 in scope small', async () => {
    const y = await explore({ profile: '2.6.39-y', scope: SMALL, clauses: ['D5', 'R1', 'R2'] });
    const verdict = (id: string) => y.verdicts.find((v) => v.id === id)!;
    expect(verdict('D5').verdict).toBe('violated');
    expect(verdict('D5').counterexample!.length).toBe(1);
    expect(verdict('R1').verdict).toBe('holds');
    // R2: a ptmx node with no sibling pts allocates in the initial instance on 2.6.39, ENOENT on 6.x (K8)
    expect(verdict('R2').verdict).toBe('violated');
    // (R2's record starts every sequence with rm /dev/ptmx; ln -s pts/ptmx /dev/ptmx)
    const r2 = clauseById('R2')!.check;
    expect(verdict('R2').counterexample!.ops.slice(0, 2)).toEqual(r2.kind === 'comparison' ? r2.prefix : null);
    expect(verdict('R2').counterexample!.ops.slice(0, 2).map((op) => op.op)).toEqual(['unlink', 'symlink']);
  });
});
