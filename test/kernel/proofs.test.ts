// What proved each profile is data (kernel/proofs.json, written by `kernel --record`),
// not prose: recorded, read back, described, and marked stale when the model changed.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROFILE_IDS } from '../../model/index.ts';
import { describeProof, modelHash, PROOFS_FILE, proofsOf, readProofs, recordProof } from '../../kernel/proofs.ts';

describe('kernel proofs', () => {
  it('a recorded run is read back and described as the report shows it; a later run on the same kernel replaces it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'proofs-')), 'proofs.json');
    await recordProof({ profile: '2.6.39-y', kernel: 'QEMU 2.6.39.4 =y', image: '/x/bzImage-2.6.39-y', seed: 7, runs: 2000, checked: 2000, divergences: 0, seconds: 12 }, file);
    await recordProof({ profile: '2.6.39-y', kernel: 'QEMU 2.6.39.4 =y', image: '/x/bzImage-2.6.39-y', seed: 8, runs: 2000, checked: 2000, divergences: 0, seconds: 12 }, file);
    const [p] = proofsOf('2.6.39-y', file);
    expect(readProofs(file)).toHaveLength(1);
    expect(p).toMatchObject({ seed: 8, image: 'bzImage-2.6.39-y', model: modelHash() });
    expect(describeProof(p!)).toMatch(/^2,000 sequences on QEMU 2\.6\.39\.4 =y, 0 divergences \(seed 8, \d{4}-\d\d-\d\d\)$/);
    expect(describeProof(p!, 'another-model')).toMatch(/the model changed since\)$/);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('devpts-check-proofs/1');
  });

  it('the committed proofs cover every profile, each on its own kernel with 0 divergences', () => {
    for (const profile of PROFILE_IDS) {
      const ps = proofsOf(profile, PROOFS_FILE);
      expect(ps.length, profile).toBeGreaterThan(0);
      for (const p of ps) expect(p.divergences).toBe(0);
    }
  });
});
