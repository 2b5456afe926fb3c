// The charts drive coverage: @xstate/graph finds, on each profile, the shortest op
// sequence to every chart transition the profile can take (explore/chart-paths.ts); each
// runs on the model, takes its transition on its last step, and agrees with every chart
// on the way. Together the profiles cover every transition of every chart (only the ops
// of the vocabulary the model does not model yet are left, and named).

import { beforeAll, describe, expect, it } from 'vitest';
import { bootWith, OP_NAMES, PROFILE_IDS, PROFILES, stepWith, type ProfileId } from '../../model/index.ts';
import { CHARTS, observeCharts, refinementViolation } from '../../model/charts/index.ts';
import { HANDLERS } from '../../model/handlers.ts';
import { coveringPaths, type ChartPath } from '../../explore/chart-paths.ts';

const found = new Map<ProfileId, { paths: ChartPath[]; unreached: { chart: string; transition: string }[] }>();
beforeAll(() => { for (const p of PROFILE_IDS) found.set(p, coveringPaths(p)); }, 120_000);

describe('chart paths (@xstate/graph shortest paths over the kernel machine)', () => {
  it.each(PROFILE_IDS)('each path of %s runs on the model, agrees with every chart and takes its transition last', (p) => {
    const { paths } = found.get(p)!;
    expect(paths.length).toBeGreaterThan(30);
    for (const path of paths) {
      let s = bootWith(PROFILES[p], path.boot);
      let last: string[] = [];
      for (const op of path.ops) {
        const out = stepWith(PROFILES[p], s, op);
        expect(refinementViolation(PROFILES[p], s, op, out.result, out.state), `${path.transition}: ${JSON.stringify(op)}`).toBeNull();
        last = observeCharts(PROFILES[p], s, op, out.result, out.state).filter((o) => o.chart === path.chart).flatMap((o) => o.taken);
        s = out.state;
      }
      if (path.ops.length > 0) expect(last, `${path.chart} ${path.transition} on ${p}`).toContain(path.transition);
      else expect(path.transition).toMatch(/^boot\.always#/);
    }
  });

  it('are the shortest: no path is longer than it needs (a pty hung up with two slaves is six steps from boot)', () => {
    const pty = found.get('6.x')!.paths.filter((x) => x.chart === 'pty');
    const len = (t: string) => pty.find((x) => x.transition === t)!.ops.length;
    expect(len('locked.unlockpt#0')).toBe(2);
    expect(len('slaveOpen.closeSlave#1')).toBe(4);
    expect(len('hungUp.closeSlave#0')).toBe(6);
  });

  it('cover, over the profiles together, every transition of every chart but those of ops not modelled yet', () => {
    const notModelled = OP_NAMES.filter((op) => HANDLERS[op].name === 'notModelled').map((op) => `mode:devpts.${op}#0`);
    const covered = new Set(PROFILE_IDS.flatMap((p) => found.get(p)!.paths.map((x) => `${x.chart}:${x.transition}`)));
    const missing = CHARTS.flatMap((c) => c.table.all.map((t) => `${c.name}:${t.id}`)).filter((id) => !covered.has(id));
    expect(missing).toEqual(notModelled);
  });

  it('leave on each profile exactly what its kernel cannot do (6.x: no single-instance mode, no options replaced on a mounted instance)', () => {
    const unreached = (p: ProfileId) => found.get(p)!.unreached.map((u) => `${u.chart}:${u.transition}`).filter((id) => !/^mode:devpts\./.test(id));
    expect(unreached('6.x')).toEqual([
      'mode:boot.always#0', 'mode:boot.always#2', 'mode:boot.always#3', 'mode:legacy.peer#0', 'mode:singleInstance.mount#0',
      'mode:singleInstance.mount#1', 'mode:singleInstance.peer#0', 'mode:multiInstance.peer#0',
      'ptmxNode:followsOptions.optionsReplaced#0', 'ptmxNode:followsOptions.optionsReplaced#1', 'ptmxNode:setApart.optionsReplaced#0', 'ptmxNode:setApart.optionsReplaced#1',
    ]);
    // CONFIG=n: one instance that never dies, and no ptmx node
    expect(unreached('2.6.39-n').filter((id) => !id.startsWith('mode:'))).toEqual([
      'instance:mounted.detach#2', 'instance:detached.release#1',
      ...CHARTS.find((c) => c.name === 'ptmxNode')!.table.all.map((t) => `ptmxNode:${t.id}`),
    ]);
  });
});
