// The paths that cover the charts (explore/chart-paths.ts) run on the kernels: every
// transition a profile can take is checked on that profile's kernel (the kernel gives
// the model's result at every step of its shortest path): the live kernel for 6.x, the
// QEMU guests (kernel/targets.ts) for the others. A transition whose every kernel cannot
// run here (a missing image) waits, named, and is never counted as checked.

import { beforeAll, describe, expect, it } from 'vitest';
import { OP_NAMES, PROFILE_IDS } from '../../model/index.ts';
import { HANDLERS } from '../../model/handlers.ts';
import { CHARTS } from '../../model/charts/index.ts';
import { coveringPaths, type ChartPath } from '../../explore/chart-paths.ts';
import { checkPathsOnKernels, type PathCheck } from '../../kernel/chart-paths.ts';
import { NO_KERNEL } from './helpers.ts';

describe.skipIf(NO_KERNEL)('chart paths on the kernels', () => {
  let checks: PathCheck[] = [];
  const paths: ChartPath[] = [];
  beforeAll(async () => {
    for (const p of PROFILE_IDS) paths.push(...coveringPaths(p).paths);
    checks = await checkPathsOnKernels(paths);
  }, 300_000);

  it('runs every 6.x path on the live kernel, which answers as the model does at every step', () => {
    const live = checks.filter((c) => c.path.profile === '6.x' && c.kernel !== null);
    expect(live.length).toBeGreaterThan(40);
    for (const c of live) expect(c.kernel).toMatch(/^live/);
    // the one 6.x path the live kernel does not run: kernel.pty.max is host-wide
    expect(checks.filter((c) => c.path.profile === '6.x' && c.kernel === null).map((c) => c.path.transition)).toEqual(['devpts.sysctl#0']);
  });

  it('every path that ran on a kernel: the model takes its transition and the kernel gives the model\'s result at every step', () => {
    const ran = checks.filter((c) => c.kernel !== null);
    expect(ran.length).toBeGreaterThan(100);
    for (const c of ran) {
      expect(c.modelTakesIt, `${c.path.profile} ${c.path.chart} ${c.path.transition}: ${c.modelProblem}`).toBe(true);
      expect(c.kernelAgrees, `${c.path.profile} ${c.path.chart} ${c.path.transition} on ${c.kernel}: ${c.note}`).toBe(true);
    }
  });

  it('checks every chart transition on a kernel (only those whose kernels cannot run here may wait, named)', () => {
    const checked = new Set(checks.filter((c) => c.kernelAgrees === true).map((c) => `${c.path.chart}:${c.path.transition}`));
    const reached = [...new Set(paths.map((p) => `${p.chart}:${p.transition}`))];
    const waiting = reached.filter((id) => !checked.has(id));
    // a transition may wait only when every profile reaching it had no kernel here (a missing QEMU image)
    for (const id of waiting) {
      const why = checks.filter((c) => `${c.path.chart}:${c.path.transition}` === id).map((c) => `${c.path.profile}: ${c.note}`);
      for (const c of checks.filter((x) => `${x.path.chart}:${x.path.transition}` === id)) expect(c.kernel, `${id} ${why.join('; ')}`).toBeNull();
    }
    const unavailable = new Set(checks.filter((c) => c.kernel === null && c.note !== null && !/sysctl/.test(c.note)).map((c) => c.path.profile));
    if (unavailable.size === 0) expect(waiting).toEqual([]);
    // every transition of every chart is reached (the ops the model does not model yet aside)
    const notModelled = new Set(OP_NAMES.filter((op) => HANDLERS[op].name === 'notModelled').map((op) => `mode:devpts.${op}#0`));
    for (const ch of CHARTS) for (const t of ch.table.all) if (!notModelled.has(`${ch.name}:${t.id}`)) expect(reached, `${ch.name}:${t.id}`).toContain(`${ch.name}:${t.id}`);
  });
});
