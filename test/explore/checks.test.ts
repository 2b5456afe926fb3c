// What the explorer checks: every clause of the catalogue is judged on transitions, on
// the product of two profiles, or reported as not judged; I2 and I3 are state invariants
// (their verdict does not depend on the step that reaches a state), which is what lets
// the explorer judge them once per distinct state.

import { describe, expect, it } from 'vitest';
import { PROFILE_IDS, profileOf, type KernelState } from '../../model/index.ts';
import { CLAUSES, INVARIANTS } from '../../clauses/index.ts';
import { Search } from '../../explore/bfs.ts';
import { explorerMode, planChecks } from '../../explore/checks.ts';
import { SMALL } from '../../explore/scope.ts';
import { KernelSystem } from '../../explore/system.ts';

describe('planChecks', () => {
  it('accounts for every clause that speaks about a profile', () => {
    for (const profile of PROFILE_IDS) {
      const plan = planChecks(profileOf(profile));
      const accounted = new Set([...plan.checks.map((c) => c.id), ...plan.product.map((c) => c.id), ...plan.notJudged.map((n) => n.id)]);
      const speaking = CLAUSES.filter((c) => c.profiles.includes(profile)).map((c) => c.id);
      expect([...accounted].sort()).toEqual([...speaking].sort());
      for (const n of plan.notJudged) expect(explorerMode(CLAUSES.find((c) => c.id === n.id)!)).toBe('scenario');
    }
  });

  it('reports a named clause that does not apply', () => {
    const plan = planChecks(profileOf('6.x'), ['D3', 'I1']);
    expect(plan.checks.map((c) => c.id)).toEqual(['I1']);
    expect(plan.notJudged[0]!.id).toBe('D3');
  });
});

describe('state invariants', () => {
  it('the records mark I2 and I3, and only them, as judged on the state after a step', () => {
    const stateOnly = CLAUSES.filter((c) => c.check.kind === 'transition' && c.check.stateOnly).map((c) => c.id);
    expect(stateOnly).toEqual(['I2', 'I3']);
    expect(planChecks(profileOf('6.x')).checks.filter((c) => c.stateOnly).map((c) => c.id)).toEqual(['I2', 'I3']);
  });

  it('I2 and I3 judge the state after a step, whatever the step', () => {
    for (const profile of PROFILE_IDS) {
      const p = profileOf(profile);
      const system = new KernelSystem(profile, SMALL);
      const search = new Search(system);
      search.run({ depth: 3, exact: true });
      for (let id = 0; id < search.parent.length; id += 11) {
        const s = search.replay(search.pathTo(id)).states.at(-1)!;
        const { actions, ctx } = system.expand(s);
        for (const op of actions) {
          const out = system.apply(s, ctx, op);
          if (!out) continue;
          const a = out.state;
          if (s.fss === a.fss && s.handles === a.handles && s.mounts === a.mounts) continue;
          const fresh: KernelState = { ...a, fss: {}, handles: {}, mounts: {} }; // a "before" that shares nothing with `a`
          for (const inv of ['I2', 'I3']) {
            const f = INVARIANTS[inv as keyof typeof INVARIANTS];
            expect(f(p, s, op, out.result, a)).toBe(f(p, fresh, op, out.result, a));
          }
        }
      }
    }
  });
});
