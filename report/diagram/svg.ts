// Hand-built inline SVG for the HTML report: no library, no fonts, no network. Two
// pictures: a counterexample's final state (namespaces → mounts → instances → ptys,
// and where /dev/ptmx leads) and the machine's mode chart (layered left to right).

import type { ModeChart, StateDiagram } from '../data.ts';
import { drawnMounts } from './mermaid.ts';

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const SANS = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';
const MONO = 'ui-monospace, SFMono-Regular, Menlo, Consolas, Liberation Mono, monospace';
/** Instance colours: distinct hues that stay readable on white. */
export const PALETTE = ['#2563eb', '#c2410c', '#047857', '#be185d', '#6d28d9', '#0e7490', '#4d7c0f', '#b91c1c'];

/** Fit text into a width (approximate glyph widths); the full text goes into a <title>. */
function fit(text: string, width: number, size: number, mono: boolean): string {
  const per = size * (mono ? 0.62 : 0.56);
  const max = Math.max(4, Math.floor(width / per));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function txt(x: number, y: number, text: string, o: { size?: number; mono?: boolean; weight?: number; fill?: string; width?: number; anchor?: string } = {}): string {
  const size = o.size ?? 12;
  const shown = o.width ? fit(text, o.width, size, o.mono ?? false) : text;
  const title = shown !== text ? `<title>${esc(text)}</title>` : '';
  return `<text x="${x}" y="${y}" font-family="${o.mono ? MONO : SANS}" font-size="${size}"${o.weight ? ` font-weight="${o.weight}"` : ''} fill="${o.fill ?? '#1f2937'}"${o.anchor ? ` text-anchor="${o.anchor}"` : ''}>${title}${esc(shown)}</text>`;
}

const rect = (x: number, y: number, w: number, h: number, o: { fill?: string; stroke?: string; dash?: boolean; r?: number; sw?: number } = {}): string =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${o.r ?? 6}" fill="${o.fill ?? '#fff'}" stroke="${o.stroke ?? '#9ca3af'}" stroke-width="${o.sw ?? 1}"${o.dash ? ' stroke-dasharray="5 4"' : ''}/>`;

const curve = (x1: number, y1: number, x2: number, y2: number): string => {
  const dx = Math.max(30, (x2 - x1) / 2);
  return `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
};

function markers(prefix: string, colours: readonly string[]): string {
  return `<defs>${colours.map((c, i) =>
    `<marker id="${prefix}-a${i}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`).join('')}</defs>`;
}

/** The final state of a counterexample. `prefix` keeps marker ids unique within one HTML page. */
export function stateSvg(d: StateDiagram, prefix: string, caption: string): string {
  const X_NS = 12, W_NS = 200, X_M = 236, W_M = 220, X_I = 520, W_I = 260, X_P = 840, W_P = 180, WIDTH = X_P + W_P + 14;
  const ROW = 40, BOX = 32;
  const colour = new Map(d.instances.map((i, k) => [i.id, PALETTE[k % PALETTE.length]!]));
  const colourIndex = (id: string): number => d.instances.findIndex((i) => i.id === id) % PALETTE.length;
  const GREY = PALETTE.length;
  const parts: string[] = [];
  const edges: string[] = [];
  const mounts = drawnMounts(d);

  // left: one band per namespace (and one for detached mounts), rows = ptmx + mounts
  type Row = { kind: 'ptmx' | 'mount'; y: number; ns: string; target: string | null; hidden?: boolean };
  const rows: Row[] = [];
  let y = 34;
  const bands: { ns: StateDiagram['namespaces'][number] | null; mounts: StateDiagram['mounts'][number][] }[] =
    d.namespaces.map((ns) => ({ ns, mounts: mounts.filter((m) => m.ns === ns.id) }));
  const detached = mounts.filter((m) => m.ns === null);
  if (detached.length) bands.push({ ns: null, mounts: detached });
  for (const band of bands) {
    const leadRows = band.ns ? band.ns.leads.length : 0;
    const n = band.mounts.length + leadRows;
    const h = Math.max(92, 14 + n * ROW);
    parts.push(rect(X_NS - 6, y - 8, X_M + W_M + 12 - X_NS, h + 8, { fill: '#f3f4f6', stroke: '#e5e7eb', r: 10 }));
    if (band.ns) {
      const ns = band.ns;
      parts.push(rect(X_NS, y, W_NS, h - 8, { fill: '#fff', stroke: '#6b7280' }));
      parts.push(txt(X_NS + 10, y + 20, ns.label, { weight: 700, size: 13, width: W_NS - 20 }));
      parts.push(txt(X_NS + 10, y + 38, ns.owner ? `mount namespace of ${ns.owner}` : 'mount namespace', { size: 11, fill: '#6b7280', width: W_NS - 20 }));
      const pids = ns.procs.length ? ns.procs.map((p) => `pid ${p.pid}${p.uid ? ` (uid ${p.uid})` : ''}${p.userns ? ` in ${p.userns}` : ''}${p.root ? ` root ${p.root}` : ''}`).join(', ') : 'no process left';
      parts.push(txt(X_NS + 10, y + 58, pids, { size: 12, width: W_NS - 20 }));
      // one row per ptmx path: /dev/ptmx, then other ptmx nodes the counterexample opened
      ns.leads.forEach((l, k) => {
        const ry = y + k * ROW;
        const ok = l.instance !== null;
        parts.push(rect(X_M, ry, W_M, BOX, { dash: true, stroke: ok ? colour.get(l.instance!)! : '#b91c1c', fill: ok ? '#fff' : '#fef2f2' }));
        parts.push(txt(X_M + 8, ry + 14, ok ? l.path : `${l.path} → open fails ${l.errno}`, { mono: true, size: 12, weight: 700, width: W_M - 16, fill: ok ? '#111827' : '#b91c1c' }));
        parts.push(txt(X_M + 8, ry + 27, l.via, { size: 10.5, fill: '#4b5563', width: W_M - 16 }));
        rows.push({ kind: 'ptmx', y: ry + BOX / 2, ns: ns.id, target: l.instance });
      });
    } else {
      parts.push(rect(X_NS, y, W_NS, h - 8, { fill: '#fff', stroke: '#9ca3af', dash: true }));
      parts.push(txt(X_NS + 10, y + 20, 'detached mounts', { weight: 700, size: 13 }));
      parts.push(txt(X_NS + 10, y + 38, 'umount -l: no namespace', { size: 11, fill: '#6b7280' }));
      parts.push(txt(X_NS + 10, y + 54, 'held by open files', { size: 11, fill: '#6b7280' }));
    }
    band.mounts.forEach((m, k) => {
      const my = y + (leadRows + k) * ROW;
      const target = d.instances.some((i) => i.id === m.fs) ? m.fs : null;
      const stroke = m.hidden || !target ? '#9ca3af' : colour.get(target)!;
      parts.push(rect(X_M, my, W_M, BOX, { stroke, dash: m.hidden, fill: m.hidden ? '#f9fafb' : '#fff', sw: target && !m.hidden ? 1.5 : 1 }));
      parts.push(txt(X_M + 8, my + 14, m.path, { mono: true, size: 12, weight: 700, width: W_M - 16, fill: m.hidden ? '#9ca3af' : '#111827' }));
      const what = `${m.kind === 'bind' ? `bind mount of ${m.fs}` : `${m.fs} mount`}${m.propagation ? ` · ${m.propagation}` : ''}${m.hidden ? ' · covered' : ''}`;
      parts.push(txt(X_M + 8, my + 27, what, { size: 10.5, fill: '#4b5563', width: W_M - 16 }));
      rows.push({ kind: 'mount', y: my + BOX / 2, ns: m.ns ?? '', target, hidden: m.hidden });
    });
    y += h + 18;
  }
  const leftBottom = y;

  // right: instances with their ptys
  let iy = 34;
  const instY = new Map<string, number>();
  for (const inst of d.instances) {
    const ptys = d.ptys.filter((p) => p.instance === inst.id);
    const h = Math.max(74, ptys.length * 30 + 8);
    const c = colour.get(inst.id)!;
    parts.push(rect(X_I, iy, W_I, 70, { stroke: c, sw: 2 }));
    parts.push(`<rect x="${X_I}" y="${iy}" width="8" height="70" rx="3" fill="${c}"/>`);
    parts.push(txt(X_I + 16, iy + 19, `${inst.id}${inst.initial ? ' (initial instance)' : ''}`, { weight: 700, size: 13, fill: c, width: W_I - 24 }));
    parts.push(txt(X_I + 16, iy + 38, inst.options, { mono: true, size: 11, width: W_I - 24 }));
    const differs = inst.ptmxMode !== null && inst.ptmxOption !== null && inst.ptmxMode !== inst.ptmxOption;
    const nodeLine = inst.ptmxMode === null ? 'no ptmx node (CONFIG=n)'
      : differs ? `/dev/pts/ptmx node: mode ${inst.ptmxMode} ≠ ptmxmode=${inst.ptmxOption}` : `/dev/pts/ptmx node: mode ${inst.ptmxMode}`;
    parts.push(txt(X_I + 16, iy + 57, nodeLine, { size: 11, fill: differs ? '#b45309' : '#4b5563', weight: differs ? 700 : 400, width: W_I - 24 }));
    instY.set(inst.id, iy + 35);
    ptys.forEach((p, k) => {
      const py = iy + k * 30;
      const status = [p.master ? 'master' : 'master closed', p.slaves ? `slave×${p.slaves}` : null, p.locked ? 'locked' : null].filter(Boolean).join(' · ');
      parts.push(rect(X_P, py, W_P, 24, { stroke: c, dash: !p.node, fill: p.node ? '#fff' : '#f9fafb' }));
      parts.push(txt(X_P + 8, py + 16, `${p.node ? `pts/${p.index}` : `pty ${p.index} (no name)`}  ${status}`, { size: 11, width: W_P - 14, mono: false }));
      edges.push(`<path d="${curve(X_I + W_I, iy + 35, X_P, py + 12)}" fill="none" stroke="${c}" stroke-width="1.2" opacity="0.7"/>`);
    });
    if (ptys.length === 0) parts.push(txt(X_P + 4, iy + 39, 'no ptys', { size: 11, fill: '#9ca3af' }));
    iy += h + 18;
  }
  const height = Math.max(leftBottom, iy) + 8;

  for (const r of rows) {
    if (r.target === null || !instY.has(r.target)) continue;
    const ci = r.hidden ? GREY : colourIndex(r.target);
    const c = r.hidden ? '#9ca3af' : colour.get(r.target)!;
    const dash = r.kind === 'ptmx' || r.hidden ? ' stroke-dasharray="6 4"' : '';
    edges.push(`<path d="${curve(X_M + W_M, r.y, X_I, instY.get(r.target)!)}" fill="none" stroke="${c}" stroke-width="${r.kind === 'ptmx' ? 2 : 1.6}"${dash} marker-end="url(#${prefix}-a${ci})"/>`);
  }

  const head = [
    txt(X_NS, 18, 'mount namespaces', { size: 11, weight: 700, fill: '#6b7280' }),
    txt(X_M, 18, 'ptmx paths and mounts', { size: 11, weight: 700, fill: '#6b7280' }),
    txt(X_I, 18, 'devpts instances', { size: 11, weight: 700, fill: '#6b7280' }),
    txt(X_P, 18, 'ptys', { size: 11, weight: 700, fill: '#6b7280' }),
  ];
  const colours = [...PALETTE, '#9ca3af'];
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(caption)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" class="diagram"><title>${esc(caption)}</title>${markers(prefix, colours)}${head.join('')}${edges.join('')}${parts.join('')}</svg>`;
}

/** The mode chart: layers by longest path from the initial state; long edges take a lane below. */
export function machineSvg(c: ModeChart, prefix: string): string {
  const W = 200, H = 78, GAP_X = 170, GAP_Y = 26, X0 = 40, Y0 = 30;
  const layer = new Map<string, number>([[c.initial, 0]]);
  for (let pass = 0; pass < c.states.length; pass++) {
    for (const t of c.transitions) {
      const from = layer.get(t.from);
      if (from === undefined || t.from === t.to) continue;
      if ((layer.get(t.to) ?? -1) < from + 1 && from + 1 < c.states.length) layer.set(t.to, from + 1);
    }
  }
  for (const s of c.states) if (!layer.has(s.id)) layer.set(s.id, 0);
  const layers: string[][] = [];
  for (const s of c.states) (layers[layer.get(s.id)!] ??= []).push(s.id);
  const tallest = Math.max(...layers.map((l) => l.length));
  const pos = new Map<string, { x: number; y: number }>();
  layers.forEach((ids, li) => {
    const offset = ((tallest - ids.length) * (H + GAP_Y)) / 2;
    ids.forEach((id, k) => pos.set(id, { x: X0 + li * (W + GAP_X), y: Y0 + offset + k * (H + GAP_Y) }));
  });
  const bottom = Y0 + tallest * (H + GAP_Y);
  const parts: string[] = [];
  const labels: string[] = [];
  let lane = 0;
  for (const t of c.transitions) {
    const a = pos.get(t.from)!, b = pos.get(t.to)!;
    const span = layer.get(t.to)! - layer.get(t.from)!;
    if (span === 1) {
      parts.push(`<path d="${curve(a.x + W, a.y + H / 2, b.x, b.y + H / 2)}" fill="none" stroke="#4b5563" stroke-width="1.4" marker-end="url(#${prefix}-a0)"/>`);
      // the label sits at q = 0.62 on the curve: fanning edges separate towards their targets
      const q = 0.62, u = 1 - q;
      const [x1, y1, x2, y2] = [a.x + W, a.y + H / 2, b.x, b.y + H / 2];
      const dx = Math.max(30, (x2 - x1) / 2);
      const mx = u ** 3 * x1 + 3 * u * u * q * (x1 + dx) + 3 * u * q * q * (x2 - dx) + q ** 3 * x2;
      const my = u ** 3 * y1 + 3 * u * u * q * y1 + 3 * u * q * q * y2 + q ** 3 * y2 - 4;
      labels.push(`<rect x="${mx - t.label.length * 3.3 - 4}" y="${my - 11}" width="${t.label.length * 6.6 + 8}" height="16" rx="3" fill="#fff" opacity="0.9"/>`);
      labels.push(txt(mx, my + 1, t.label, { size: 11, mono: true, anchor: 'middle', fill: '#374151' }));
    } else {
      const ly = bottom + 8 + lane++ * 26;
      const sx = a.x + W / 2, tx = b.x + W / 2 + 20;
      parts.push(`<path d="M${sx},${a.y + H} L${sx},${ly - 6} Q${sx},${ly} ${sx + 6},${ly} L${tx - 6},${ly} Q${tx},${ly} ${tx},${ly - 6} L${tx},${b.y + H}" fill="none" stroke="#4b5563" stroke-width="1.4" marker-end="url(#${prefix}-a0)"/>`);
      labels.push(`<rect x="${(sx + tx) / 2 - t.label.length * 3.3 - 4}" y="${ly - 8}" width="${t.label.length * 6.6 + 8}" height="16" rx="3" fill="#fff"/>`);
      labels.push(txt((sx + tx) / 2, ly + 4, t.label, { size: 11, mono: true, anchor: 'middle', fill: '#374151' }));
    }
  }
  for (const s of c.states) {
    const p = pos.get(s.id)!;
    const initial = s.id === c.initial;
    parts.push(rect(p.x, p.y, W, H, { stroke: initial ? '#6b7280' : '#2563eb', sw: initial ? 1 : 1.8, r: 14, fill: initial ? '#f9fafb' : '#eff6ff' }));
    parts.push(txt(p.x + W / 2, p.y + 22, s.id, { size: 14, weight: 700, anchor: 'middle', mono: true, fill: '#111827' }));
    const boots = s.profiles.length ? `boots: ${s.profiles.join(', ')}` : initial ? 'initial: picks the mode' : 'reached by a transition';
    parts.push(txt(p.x + W / 2, p.y + 42, boots, { size: 11.5, anchor: 'middle', width: W - 12, fill: '#374151' }));
    if (s.selfLoops.length) parts.push(txt(p.x + W / 2, p.y + 62, `↻ ${s.selfLoops.join('; ')}`, { size: 11, anchor: 'middle', width: W - 12, fill: '#6b7280', mono: true }));
  }
  const first = pos.get(c.initial)!;
  parts.push(`<circle cx="${first.x - 24}" cy="${first.y + H / 2}" r="6" fill="#111827"/><path d="M${first.x - 18},${first.y + H / 2} L${first.x - 2},${first.y + H / 2}" stroke="#111827" stroke-width="1.4" marker-end="url(#${prefix}-a0)"/>`);
  const width = X0 + layers.length * (W + GAP_X) - GAP_X + 30;
  const height = bottom + 8 + lane * 26 + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="mode chart of the xstate machine ${esc(c.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="diagram"><title>mode chart of the xstate machine ${esc(c.id)}</title>${markers(prefix, ['#4b5563'])}${parts.join('')}${labels.join('')}</svg>`;
}
