// Chart transition coverage by the exhaustive search: every transition the explorer takes
// in a scope, observed by the charts (model/charts/observe.ts). Counts per
// "chart:transition" (the boots count as the mode chart's boot transitions).

import { profileOf, type KernelState, type ProfileId } from '../model/index.ts';
import { bootTransition, observeCharts } from '../model/charts/index.ts';
import { Search, type SearchCheck } from './bfs.ts';
import type { Scope } from './scope.ts';
import { KernelSystem } from './system.ts';

export function chartCoverageOfScope(profile: ProfileId, scope: Scope, depth = scope.depth, into = new Map<string, number>()): { counts: Map<string, number>; states: number } {
  const p = profileOf(profile);
  const add = (key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  const sys = new KernelSystem(p, scope);
  for (const s of sys.initial()) add(`mode:${bootTransition(p, s)}`);
  const observe: SearchCheck<KernelState> = {
    id: 'charts',
    check: (before, op, result, after) => {
      for (const o of observeCharts(p, before, op, result, after)) for (const t of o.taken) if (t !== 'init') add(`${o.chart}:${t}`);
      return null;
    },
  };
  const r = new Search(sys).run({ depth, checks: [observe] });
  return { counts: into, states: r.distinct };
}
