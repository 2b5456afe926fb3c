// Acceptance: the `small` scope explored exhaustively on every profile, invariants I1–I5
// on every transition, with its exact state space size asserted. A semantic change of the
// model that alters the state space shows here first.
//
// THE ONE PLACE FOR STATE COUNTS. When the model changes on purpose, rerun
//   npx vitest run test/explore/counts.test.ts
// and copy the new numbers from the failure message into SMALL_COUNTS (./small-counts.ts)
// (`devpts-check explore --profile P --scope small --exact` prints the same numbers).

import { describe, expect, it } from 'vitest';
import type { ProfileId } from '../../model/index.ts';
import { Search } from '../../explore/bfs.ts';
import { planChecks } from '../../explore/checks.ts';
import { SMALL, WORLD } from '../../explore/scope.ts';
import { KernelSystem } from '../../explore/system.ts';
import { profileOf } from '../../model/index.ts';
import { SMALL_COUNTS, WORLD_COUNTS } from './small-counts.ts';


describe('explore: scope small, exact state counts (invariants on)', () => {
  for (const profile of Object.keys(SMALL_COUNTS) as ProfileId[]) {
    it(`${profile}`, () => {
      const system = new KernelSystem(profile, SMALL);
      const invariants = planChecks(profileOf(profile), ['I1', 'I2', 'I3', 'I4', 'I5']).checks;
      const r = new Search(system).run({ depth: SMALL.depth, checks: invariants, exact: true });
      expect(r.stop).toBe('done');
      expect(r.violations).toEqual([]);
      const got = { distinct: r.distinct, transitions: r.transitions, levels: r.levels };
      const line = `'${profile}': { distinct: ${got.distinct}, transitions: ${got.transitions}, levels: [${got.levels.join(', ')}] },`;
      expect(got, `the state space of scope small changed; if on purpose, put this line into SMALL_COUNTS:\n  ${line}\n`).toEqual(SMALL_COUNTS[profile]);
    });
  }

  it('64-bit fingerprints give the same count as exact keys', () => {
    const fp = new Search(new KernelSystem('6.x', SMALL)).run({ depth: SMALL.depth });
    const exact = new Search(new KernelSystem('6.x', SMALL)).run({ depth: SMALL.depth, exact: true });
    expect(fp.distinct).toBe(exact.distinct);
  });
});

describe('explore: scope world (issue 13\'s ops), exact state counts (invariants on)', () => {
  for (const profile of Object.keys(WORLD_COUNTS) as ProfileId[]) {
    it(`${profile}`, () => {
      const system = new KernelSystem(profile, WORLD);
      const invariants = planChecks(profileOf(profile), ['I1', 'I2', 'I3', 'I4', 'I5']).checks;
      const r = new Search(system).run({ depth: WORLD.depth, checks: invariants, exact: true });
      expect(r.stop).toBe('done');
      expect(r.violations).toEqual([]);
      const got = { distinct: r.distinct, transitions: r.transitions, levels: r.levels };
      const line = `'${profile}': { distinct: ${got.distinct}, transitions: ${got.transitions}, levels: [${got.levels.join(', ')}] },`;
      expect(got, `the state space of scope world changed; if on purpose, put this line into WORLD_COUNTS:\n  ${line}\n`).toEqual(WORLD_COUNTS[profile]);
    });
  }

  it('the world scope keeps mountinfo order in its key (it has `mounts`), small does not', () => {
    expect(new KernelSystem('6.x', WORLD).observes).toEqual({ mountOrder: true, ptyNr: false });
    expect(new KernelSystem('6.x', SMALL).observes).toEqual({ mountOrder: false, ptyNr: false });
  });
});
