// The charts are the model's spine (model/charts/): the model refines them. After every
// step of random sequences, each chart's state read from the model's state is the one
// the chart's own transition gives (a refinement check, as a TLA+ spec refines an
// abstract one), and a model that breaks a lifecycle is caught (test/model/chart-mutants.ts).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getNextSnapshot } from 'xstate';
import { PROFILE_IDS, PROFILES, type Op } from '../../model/index.ts';
import { CHARTS, observeCharts, ptyChart, ptyStateOf, ptyTransition, refinementViolation } from '../../model/charts/index.ts';
import { runs } from '../../properties/generators/index.ts';
import { subjectOf } from '../../clauses/run.ts';
import { CHART_MUTANTS } from './chart-mutants.ts';

describe('the model refines its charts', () => {
  it.each(PROFILE_IDS)('every step of 300 random 20-step sequences takes a transition of every chart it touches (%s)', (p) => {
    fc.assert(fc.property(runs(p, { maxSteps: 20 }), (run) => {
      for (let i = 0; i < run.ops.length; i++) {
        const v = refinementViolation(PROFILES[p], run.states[i]!, run.ops[i]!, run.results[i]!, run.states[i + 1]!);
        if (v !== null) throw new Error(`step ${i + 1} ${JSON.stringify(run.ops[i])}: ${v}`);
      }
    }), { numRuns: 300, seed: 20_260_004 });
  });

  it('the observations name real transitions of the charts', () => {
    const ids = new Set(CHARTS.flatMap((c) => c.table.all.map((t) => t.id)));
    const run = fc.sample(runs('6.x', { maxSteps: 20 }), { numRuns: 40, seed: 1 });
    let seen = 0;
    for (const r of run) {
      r.ops.forEach((op: Op, i: number) => {
        for (const o of observeCharts(PROFILES['6.x'], r.states[i]!, op, r.results[i]!, r.states[i + 1]!)) {
          for (const t of o.taken) { if (t !== 'init') { expect(ids).toContain(t); seen++; } }
        }
      });
    }
    expect(seen).toBeGreaterThan(100);
  });
});

describe('a model that breaks a lifecycle is caught', () => {
  it.each(CHART_MUTANTS.map((m) => [m.name, m] as const))('"%s"', (_name, m) => {
    const subject = { name: m.name, profile: m.profile, step: m.step };
    const details = fc.check(fc.property(runs(subject, { maxSteps: 20 }), (run) => {
      for (let i = 0; i < run.ops.length; i++) {
        if (refinementViolation(m.profile, run.states[i]!, run.ops[i]!, run.results[i]!, run.states[i + 1]!) !== null) return false;
      }
      return true;
    }), { numRuns: 2000, seed: 20_260_004 });
    expect(details.failed, 'the refinement check finds the mutant').toBe(true);
    const run = details.counterexample![0];
    const i = run.ops.findIndex((op: Op, k: number) => refinementViolation(m.profile, run.states[k]!, op, run.results[k]!, run.states[k + 1]!) !== null);
    const v = refinementViolation(m.profile, run.states[i]!, run.ops[i]!, run.results[i]!, run.states[i + 1]!)!;
    expect(v.startsWith(`${m.breaks} chart`), v).toBe(true);
    // the real profile takes the same steps without a disagreement
    const real = subjectOf(m.base);
    let s = run.states[0]!;
    for (const op of run.ops.slice(0, i + 1)) {
      const out = real.step(s, op);
      expect(refinementViolation(PROFILES[m.base], s, op, out.result, out.state)).toBeNull();
      s = out.state;
    }
  });
});

describe('the pty chart as an xstate machine', () => {
  it('takes the same transitions as the table the model applies, on every event in every state', () => {
    const node = { mode: 0o600, uid: 0, gid: 0 };
    const records = [
      { masterOpen: true, slaveOpens: 0, locked: true, node },
      { masterOpen: true, slaveOpens: 0, locked: false, node },
      { masterOpen: true, slaveOpens: 1, locked: false, node },
      { masterOpen: true, slaveOpens: 2, locked: false, node },
      { masterOpen: false, slaveOpens: 1, locked: false, node: null },
      { masterOpen: false, slaveOpens: 2, locked: false, node: null },
    ];
    let accepted = 0;
    for (const r of records) {
      for (const type of ['unlockpt', 'openSlave', 'closeSlave', 'closeMaster'] as const) {
        const from = ptyChart.resolveState({ value: ptyStateOf(r), context: r });
        const next = getNextSnapshot(ptyChart, from, { type });
        const t = ptyTransition(r, type);
        if (t === null) {
          expect(next.value, `${ptyStateOf(r)} refuses ${type}`).toBe(from.value);
          expect(next.context).toEqual(r);
          continue;
        }
        accepted++;
        expect(next.value, `${ptyStateOf(r)} on ${type}`).toBe(t.to ?? from.value);
        if (t.pty !== null) expect(next.context).toEqual(t.pty);
      }
    }
    expect(accepted).toBe(15);
  });
});
