// Mermaid text for the Markdown report (GitHub renders ```mermaid blocks).

import type { ModeChart, StateDiagram } from '../data.ts';

/** A Mermaid label in double quotes: quotes and angle brackets as entities. */
const label = (s: string): string => `"${s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')}"`;
const ident = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, '_');

/** Which mounts a picture shows: everything but the plain root mounts of namespaces. */
export const drawnMounts = (d: StateDiagram): StateDiagram['mounts'] => d.mounts.filter((m) => m.kind !== 'root');

export function stateMermaid(d: StateDiagram): string {
  const out: string[] = ['flowchart LR'];
  const inst = (id: string) => `i_${ident(id)}`;
  const mounts = drawnMounts(d);
  for (const ns of d.namespaces) {
    const pids = ns.procs.map((p) => `pid ${p.pid}${p.uid !== 0 ? ` uid ${p.uid}` : ''}${p.userns ? ` in ${p.userns}` : ''}${p.root ? ` root ${p.root}` : ''}`).join(', ') || 'no process';
    out.push(`  subgraph ${ident(ns.id)}[${label(`${ns.label}${ns.owner ? ` (owned by ${ns.owner})` : ''} · ${pids}`)}]`);
    out.push('    direction TB');
    ns.leads.forEach((l, k) => {
      const lead = l.instance ? l.via : `${l.via} · open fails ${l.errno}`;
      out.push(`    ${ident(ns.id)}_ptmx${k}[${label(`${l.path} · ${lead}`)}]`);
    });
    for (const m of mounts.filter((x) => x.ns === ns.id)) {
      const text = `${m.path} · ${m.kind === 'bind' ? `bind of ${m.fs}` : m.fs}${m.propagation ? ` · ${m.propagation}` : ''}${m.hidden ? ' · covered' : ''}`;
      out.push(`    ${ident(m.id)}[${label(text)}]`);
    }
    out.push('  end');
  }
  const detached = mounts.filter((m) => m.ns === null);
  if (detached.length > 0) {
    out.push(`  subgraph detached[${label('detached (lazily umounted, held open)')}]`);
    for (const m of detached) out.push(`    ${ident(m.id)}[${label(`${m.fs} (detached)`)}]`);
    out.push('  end');
  }
  for (const i of d.instances) {
    const node = i.ptmxMode === null ? ' · no ptmx node' : ` · ptmx node ${i.ptmxMode}${i.ptmxOption !== null && i.ptmxOption !== i.ptmxMode ? ` ≠ ptmxmode=${i.ptmxOption}` : ''}`;
    const text = `${i.id}${i.initial ? ' (initial)' : ''} · ${i.options}${node}`;
    out.push(`  ${inst(i.id)}[(${label(text)})]`);
  }
  for (const p of d.ptys) {
    const state = [p.master ? 'master open' : 'master closed', p.slaves > 0 ? `${p.slaves} slave open` : null, p.locked ? 'locked' : null, p.node ? null : 'no /dev/pts name']
      .filter(Boolean).join(', ');
    out.push(`  p_${ident(p.instance)}_${p.index}([${label(`pty ${p.index} · ${state}`)}])`);
  }
  for (const m of mounts) {
    const target = d.instances.find((i) => i.id === m.fs);
    if (target) out.push(`  ${ident(m.id)} ${m.hidden ? '-.->' : '-->'} ${inst(target.id)}`);
  }
  for (const p of d.ptys) out.push(`  ${inst(p.instance)} --- p_${ident(p.instance)}_${p.index}`);
  for (const ns of d.namespaces) {
    ns.leads.forEach((l, k) => {
      if (l.instance) out.push(`  ${ident(ns.id)}_ptmx${k} -.->|${label('open allocates in')}| ${inst(l.instance)}`);
    });
  }
  return out.join('\n');
}

export function machineMermaid(c: ModeChart): string {
  const out: string[] = ['stateDiagram-v2'];
  for (const s of c.states) {
    const boots = s.profiles.length ? `boots: ${s.profiles.join(', ')}` : 'no profile boots here';
    out.push(`  state ${label(`${s.id} — ${boots}`)} as ${ident(s.id)}`);
  }
  out.push(`  [*] --> ${ident(c.initial)}`);
  for (const t of c.transitions) out.push(`  ${ident(t.from)} --> ${ident(t.to)}: ${t.label.replace(/:/g, ' ')}`);
  for (const s of c.states) {
    if (s.selfLoops.length) out.push(`  note right of ${ident(s.id)}: ${s.selfLoops.join('; ')}`);
  }
  return out.join('\n');
}
