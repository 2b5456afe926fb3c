// The pictures' data comes from the model and the machine, not from a hand-drawn list.

import { describe, expect, it } from 'vitest';
import { boot, step, type KernelState, type Op } from '../../model/index.ts';
import { modeChart } from '../../report/diagram/machine.ts';
import { machineMermaid, stateMermaid } from '../../report/diagram/mermaid.ts';
import { stateDiagram } from '../../report/diagram/state.ts';
import { machineSvg, stateSvg } from '../../report/diagram/svg.ts';

const run = (profile: Parameters<typeof boot>[0], ops: Op[]): KernelState => ops.reduce((s, op) => step(s, op).state, boot(profile));

describe('mode chart', () => {
  it('shows the document\'s modes, the guarded moves between them and which profile boots where', () => {
    const c = modeChart();
    expect(c.initial).toBe('boot');
    expect(c.states.map((s) => s.id)).toEqual(['boot', 'legacy', 'singleInstance', 'multiInstance', 'perMountInstances']);
    // the kernel's configuration decides the mode at boot; the last choice has no guard
    expect(c.transitions.filter((t) => t.from === 'boot').map((t) => [t.to, t.guard])).toEqual([
      ['legacy', 'legacyKernel'], ['perMountInstances', 'perMountKernel'], ['multiInstance', 'bootedMultiInstance'], ['singleInstance', null],
    ]);
    // devpts.txt: a successful newinstance mount puts the kernel in multi-instance mode, and nothing leaves it
    expect(c.transitions.filter((t) => t.from !== 'boot').map((t) => [t.from, t.to, t.event, t.guard])).toEqual([['singleInstance', 'multiInstance', 'mount', 'newinstanceMounted']]);
    expect(c.states.find((s) => s.id === 'legacy')!.profiles).toEqual(['2.6.39-n', '4.4-n']);
    expect(c.states.find((s) => s.id === 'singleInstance')!.profiles).toEqual(['2.6.39-y', '3.4-y', '4.4-y']);
    expect(c.states.find((s) => s.id === 'perMountInstances')!.profiles).toEqual(['6.1', '6.x']);
    expect(c.states.find((s) => s.id === 'perMountInstances')!.selfLoops).toEqual(['peer / peer']);
  });
  it('renders as Mermaid and SVG', () => {
    const c = modeChart();
    expect(machineMermaid(c)).toMatch(/^stateDiagram-v2\n/);
    for (const s of c.states) expect(machineSvg(c, 'x')).toContain(`>${s.id}<`);
  });
});

describe('final-state picture', () => {
  it('a container with its own newinstance mount and no redirect: /dev/ptmx still leads to the initial instance (U5)', () => {
    const s = run('2.6.39-y', [
      { op: 'spawn', child: 2, newns: true },
      { op: 'umount', pid: 2, target: '/dev/pts' },
      { op: 'mount', pid: 2, fstype: 'devpts', target: '/dev/pts', options: 'newinstance' },
      { op: 'open', pid: 2, path: '/dev/ptmx', as: 'm' },
    ]);
    const d = stateDiagram(s);
    expect(d.namespaces.map((n) => n.id)).toEqual(['ns1', 'ns2']);
    const initial = d.instances.find((i) => i.initial)!;
    const fresh = d.instances.find((i) => !i.initial)!;
    expect(d.namespaces.every((n) => n.leads[0]!.instance === initial.id)).toBe(true);
    expect(d.sees).toContainEqual({ ns: 'ns2', instance: fresh.id, path: '/dev/pts' });
    expect(d.sees).toContainEqual({ ns: 'ns1', instance: initial.id, path: '/dev/pts' });
    expect(d.ptys).toEqual([{ instance: initial.id, index: 0, master: true, slaves: 0, locked: true, node: true }]);
  });
  it('a symlink redirect leads to the instance mounted at /dev/pts; a bind keeps the old one', () => {
    const s = run('2.6.39-y', [
      { op: 'mount', fstype: 'devpts', target: '/dev/pts', options: 'newinstance' },
      { op: 'unlink', path: '/dev/ptmx' },
      { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' },
    ]);
    const d = stateDiagram(s);
    expect(d.namespaces[0]!.leads[0]!.via).toMatch(/^symlink → pts\/ptmx/);
    const top = d.mounts.filter((m) => m.path === '/dev/pts');
    expect(top.map((m) => m.hidden)).toEqual([true, false]); // init's mount is covered by the new one
    expect(d.namespaces[0]!.leads[0]!.instance).toBe(top[1]!.fs);
    const b = stateDiagram(run('6.x', [{ op: 'bind', source: '/dev/pts/ptmx', target: '/dev/ptmx' }, { op: 'umount', target: '/dev/pts', lazy: true }]));
    expect(b.namespaces[0]!.leads[0]!.via).toMatch(/^bind of devpts1/);
    expect(b.namespaces[0]!.leads[0]!.instance).toBe('devpts1');
    expect(b.mounts.find((m) => m.path === '/dev/ptmx')!.kind).toBe('bind');
  });
  it('6.x: no pts next to the ptmx node → open fails ENOENT, shown as such', () => {
    const s = run('6.x', [{ op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2 }, { op: 'unlink', path: '/dev/ptmx' }, { op: 'symlink', target: '/tmp/ptmx', path: '/dev/ptmx' }]);
    const d = stateDiagram(s);
    expect(d.namespaces[0]!.leads[0]).toMatchObject({ instance: null, errno: 'ENOENT' });
    expect(stateSvg(d, 'p', 'x').replace(/<[^>]*>/g, '')).toContain('open fails ENOENT'); // wrapped in tspans, never cut
  });
  it('other ptmx nodes the counterexample opened get their own lead (6.x: a c 5:2 node in /tmp has no sibling pts)', () => {
    const s = run('6.x', [{ op: 'mknod', path: '/tmp/ptmx', major: 5, minor: 2, mode: '0666' }]);
    const d = stateDiagram(s, new Map(), ['/tmp/ptmx', '/dev/pts/ptmx', '/nonexistent']);
    expect(d.namespaces[0]!.leads.map((l) => [l.path, l.instance, l.errno])).toEqual([
      ['/dev/ptmx', 'devpts1', null], ['/tmp/ptmx', null, 'ENOENT'], ['/dev/pts/ptmx', 'devpts1', null],
    ]);
    expect(d.namespaces[0]!.leads[2]!.via).toBe("devpts1's own ptmx node");
  });
  it('Mermaid and SVG name every instance and pty', () => {
    const s = run('6.x', [{ op: 'open', path: '/dev/ptmx' }, { op: 'open', path: '/dev/ptmx' }]);
    const d = stateDiagram(s);
    const mm = stateMermaid(d);
    const svg = stateSvg(d, 'p', 'caption');
    for (const i of d.instances) { expect(mm).toContain(i.id); expect(svg).toContain(i.id); }
    expect(svg).toContain('pts/0');
    expect(svg).toContain('pts/1');
  });
});
