// conformance.json: the ConformanceData record itself (report/data.ts), 2-space JSON.
// Per clause and profile: the verdict, its evidence (runs, seed, scope, states) and,
// for violated cells, the counterexample with its trace path relative to the out dir.

import type { ConformanceData } from '../data.ts';

export function renderJson(data: ConformanceData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}
