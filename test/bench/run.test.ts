// The benchmark compares like with like: the explorer and the @xstate/graph traversal
// walk the same scope (same state count), and the model-alone measurement replays
// exactly the explorer's steps. (Rates are measured by `npm run bench`, never asserted.)

import { describe, expect, it } from 'vitest';
import { benchExplore } from '../../bench/run.ts';
import { SMALL } from '../../explore/scope.ts';
import { SMALL_COUNTS } from '../explore/small-counts.ts';

describe('bench (b): explore vs @xstate/graph', () => {
  it('traverses the same states of the same scope through @xstate/graph as the explorer does', () => {
    const b = benchExplore('2.6.39-y', SMALL, 2, 0);
    expect(b.sameStateCount).toBe(true);
    expect(b.graph.distinct).toBe(b.explore.distinct);
    const levels = SMALL_COUNTS['2.6.39-y'].levels;
    expect(b.explore.distinct).toBe(levels[0]! + levels[1]! + levels[2]!); // levels 0–2 of the small scope
    // the model-alone pass steps every action of every expanded state (those leaving the scope too)
    expect(b.modelOnly.steps).toBeGreaterThanOrEqual(b.explore.transitions);
    // @xstate/graph's default serializer tells apart states the canonical key merges
    expect(b.graphDefault.snapshots).toBeGreaterThanOrEqual(b.graph.distinct);
    expect(b.explore.runs).toBeGreaterThanOrEqual(2);
  });
});
