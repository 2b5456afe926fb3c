// The paths that cover the charts (explore/chart-paths.ts) run on the kernels: every
// transition a profile can take is checked on that profile's kernel (the kernel gives
// the model's result at every step of its shortest path). The live kernel checks 6.x;
// the older profiles need their QEMU guests (issue 11), and until a runner for them is
// wired in, their transitions are listed as waiting for it, never counted as checked.

import { beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
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
    for (const c of live) {
      expect(c.modelTakesIt, `${c.path.chart} ${c.path.transition}: ${c.modelProblem}`).toBe(true);
      expect(c.kernelAgrees, `${c.path.chart} ${c.path.transition}: ${c.note}`).toBe(true);
    }
    // the one 6.x path the live kernel does not run: kernel.pty.max is host-wide
    expect(checks.filter((c) => c.path.profile === '6.x' && c.kernel === null).map((c) => c.path.transition)).toEqual(['devpts.sysctl#0']);
  });

  it('checks every transition on a kernel, except those whose only kernels are not here yet (named)', () => {
    const checked = new Set(checks.filter((c) => c.kernelAgrees === true).map((c) => `${c.path.chart}:${c.path.transition}`));
    const waiting = new Map<string, ProfileId[]>();
    for (const c of checks) {
      const id = `${c.path.chart}:${c.path.transition}`;
      if (c.kernel === null && !checked.has(id)) waiting.set(id, [...(waiting.get(id) ?? []), c.path.profile]);
    }
    const all = CHARTS.flatMap((ch) => ch.table.all.map((t) => `${ch.name}:${t.id}`));
    const reached = new Set(paths.map((p) => `${p.chart}:${p.transition}`));
    for (const id of all.filter((x) => reached.has(x))) expect(checked.has(id) || waiting.has(id), id).toBe(true);
    // what only CONFIG=n/=y kernels (QEMU) can show, and sysctl (host-wide on the live kernel)
    expect([...waiting.keys()].sort()).toEqual([
      'mode:boot.always#0', 'mode:boot.always#2', 'mode:boot.always#3', 'mode:devpts.sysctl#0', 'mode:legacy.peer#0',
      'mode:multiInstance.peer#0', 'mode:singleInstance.mount#0', 'mode:singleInstance.mount#1', 'mode:singleInstance.peer#0',
      'ptmxNode:followsOptions.optionsReplaced#0', 'ptmxNode:followsOptions.optionsReplaced#1', 'ptmxNode:setApart.optionsReplaced#0', 'ptmxNode:setApart.optionsReplaced#1',
    ]);
  });
});
