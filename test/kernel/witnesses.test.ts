// Issue 16: a kernel fact's witness replays on the kernel of its profile. Every K cell
// the report shows links a corpus trace (report/witness.ts); each runs on its profile's
// kernel (the live kernel for 6.x, a QEMU guest for the older ones: kernel/targets.ts)
// and the kernel gives the model's result at every step. (sysctl steps, host-wide, do not
// run on the live kernel: such a witness is named, not run.)

import { beforeAll, describe, expect, it } from 'vitest';
import type { Op, ProfileId } from '../../model/index.ts';
import { CLAUSES } from '../../clauses/index.ts';
import { findWitness } from '../../report/witness.ts';
import { compareRuns, runOnModel } from '../../kernel/diff.ts';
import { profileKernelRunner, runsLive } from '../../kernel/chart-paths.ts';
import { loadTrace } from '../../traces/load.ts';
import { CORPUS_DIR } from '../../traces/corpus.ts';
import { NO_KERNEL } from './helpers.ts';
import { bootWith, FsLabeler, labelModelResult, PROFILES, stepWith, type StepResult } from '../../model/index.ts';
import { join } from 'node:path';

/** The model's labelled results of a trace on its own profile (kernel/diff.ts runOnModel is 6.x's). */
function modelRun(profile: ProfileId, boot: object, ops: readonly Op[]) {
  if (profile === '6.x') return runOnModel({ boot, ops });
  let s = bootWith(PROFILES[profile], boot);
  const labeler = new FsLabeler<string>();
  const results: StepResult[] = [];
  for (const op of ops) { const out = stepWith(PROFILES[profile], s, op); results.push(labelModelResult(labeler, out.result)); s = out.state; }
  return { bootError: null, results, toolError: -1 };
}

describe.skipIf(NO_KERNEL)('kernel facts\' witnesses on their kernels', () => {
  const witnesses: { clause: string; profile: ProfileId; corpus: string }[] = [];
  beforeAll(async () => {
    for (const c of CLAUSES.filter((x) => x.kind === 'K')) {
      for (const p of c.profiles) {
        const w = await findWitness(c, p, 'out');
        if (w) witnesses.push({ clause: c.id, profile: p, corpus: w.witness.corpus });
      }
    }
  }, 120_000);

  it('every kernel fact has a witness on every profile it names', () => {
    for (const c of CLAUSES.filter((x) => x.kind === 'K')) {
      for (const p of c.profiles) expect(witnesses.some((w) => w.clause === c.id && w.profile === p), `${c.id} × ${p}`).toBe(true);
    }
  });

  it('each witness replays on its profile\'s kernel with the model\'s result at every step (K11: the refused mount rewrites the host\'s options there too)', async () => {
    const byProfile = new Map<ProfileId, { name: string; boot: object; ops: Op[] }[]>();
    for (const w of witnesses) {
      const trace = await loadTrace(join(CORPUS_DIR, w.corpus.replace('traces/corpus/', '')));
      const ops = trace.steps.map(({ expect: _e, note: _n, ...op }) => op as Op);
      if (runsLive(w.profile) && ops.some((op) => op.op === 'sysctl')) continue; // host-wide: named in the report, not run here
      byProfile.set(w.profile, [...(byProfile.get(w.profile) ?? []), { name: `${w.clause} ${w.corpus}`, boot: trace.boot ?? {}, ops }]);
    }
    let ran = 0;
    for (const [profile, list] of byProfile) {
      const r = await profileKernelRunner(profile, list.map((x) => ({ boot: x.boot, ops: x.ops })));
      if ('unavailable' in r) { console.log(`witnesses of ${profile}: not run (${r.unavailable})`); continue; }
      list.forEach((x, i) => {
        const d = compareRuns({ boot: x.boot, ops: x.ops }, modelRun(profile, x.boot, x.ops), r.runs[i]!);
        expect(d, `${x.name} on ${r.label}: ${d ? `step ${d.step + 1}` : ''}`).toBeNull();
        ran++;
      });
    }
    expect(ran).toBeGreaterThan(15);
  }, 600_000);
});
