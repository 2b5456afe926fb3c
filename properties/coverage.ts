// Chart transition coverage by random runs: the runner's general generator (the same
// intents, seed and budget as its runs), every step observed by the charts
// (model/charts/observe.ts). Counts per "chart:transition".

import fc from 'fast-check';
import { PROFILES, type ProfileId } from '../model/index.ts';
import { bootTransition, observeCharts } from '../model/charts/index.ts';
import { runs } from './generators/index.ts';

/** How often each chart transition was taken in `count` random sequences of `profile` (boots count as the mode chart's boot transitions). */
export function chartCoverageOfRuns(profile: ProfileId, count: number, maxSteps: number, seed: number, into = new Map<string, number>()): Map<string, number> {
  const p = PROFILES[profile];
  const add = (key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  for (const run of fc.sample(runs(profile, { maxSteps }), { numRuns: count, seed })) {
    add(`mode:${bootTransition(p, run.states[0]!)}`);
    for (let i = 0; i < run.ops.length; i++) {
      for (const o of observeCharts(p, run.states[i]!, run.ops[i]!, run.results[i]!, run.states[i + 1]!)) for (const t of o.taken) if (t !== 'init') add(`${o.chart}:${t}`);
    }
  }
  return into;
}
