// The charts of the model (model/charts/) as the report shows them: every transition with
// how often the random runs took it (the runner's generator, seed and budget, on every
// selected profile) and the exhaustive search (scope small: every profile's states to
// depth 4, cheap enough to run in any budget).

import type { ProfileId } from '../model/index.ts';
import { CHARTS } from '../model/charts/index.ts';
import { chartCoverageOfScope } from '../explore/coverage.ts';
import { SMALL } from '../explore/scope.ts';
import { chartCoverageOfRuns } from '../properties/coverage.ts';
import type { ConformanceData } from './data.ts';

const num = (n: number): string => n.toLocaleString('en-US').replace(/,/g, ' ');

export function chartSections(profiles: readonly ProfileId[], random: { runs: number; maxSteps: number; seed: number }): NonNullable<ConformanceData['charts']> {
  const byRandom = new Map<string, number>();
  const byExplorer = new Map<string, number>();
  let states = 0;
  for (const p of profiles) {
    chartCoverageOfRuns(p, random.runs, random.maxSteps, random.seed, byRandom);
    states += chartCoverageOfScope(p, SMALL, SMALL.depth, byExplorer).states;
  }
  return {
    random: `${num(random.runs)} random sequences per profile (seed ${random.seed}, up to ${random.maxSteps} steps) on ${profiles.join(', ')}`,
    explorer: `scope ${SMALL.name} to depth ${SMALL.depth} on ${profiles.join(', ')}: ${num(states)} states`,
    sections: CHARTS.map((c) => ({
      name: c.name,
      about: c.about,
      initial: c.table.initial,
      states: c.table.states,
      transitions: c.table.all.map((t) => ({
        id: t.id, from: t.from, event: t.event, guard: t.guard, target: t.target, actions: t.actions,
        random: byRandom.get(`${c.name}:${t.id}`) ?? 0,
        explorer: byExplorer.get(`${c.name}:${t.id}`) ?? 0,
      })),
    })),
  };
}
