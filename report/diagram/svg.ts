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

/** Approximate advance of one glyph (generous, so that real fonts fit: the browser test measures them). */
const glyph = (size: number, mono: boolean): number => size * (mono ? 0.62 : 0.6);

/**
 * Break a label into lines that fit `width`: at spaces first, then after "," "/" "=" "·",
 * and a token longer than a line is cut into pieces. Never truncated: every character
 * is drawn (the picture grows instead).
 */
export function wrap(text: string, width: number, size: number, mono: boolean): string[] {
  const max = Math.max(4, Math.floor(width / glyph(size, mono)));
  if (text.length <= max) return [text];
  // the lines joined give the text back exactly (a line keeps its trailing space), so the label reads the same to a search or a screen reader
  const tokens = text.split(/(?<=[ ,/=·])/);
  const lines: string[] = [];
  let cur = '';
  const push = () => { if (cur !== '') lines.push(cur); cur = ''; };
  for (let tok of tokens) {
    if ((cur + tok).trimEnd().length <= max) { cur += tok; continue; }
    push();
    while (tok.trimEnd().length > max) { lines.push(tok.slice(0, max)); tok = tok.slice(max); }
    cur = tok;
  }
  push();
  return lines.length ? lines : [''];
}

const lineHeight = (size: number): number => Math.round(size * 1.25 * 10) / 10;

interface TextOptions { size?: number; mono?: boolean; weight?: number; fill?: string; width?: number; anchor?: string }

/** Lines of a label at `width` (one line when no width is given). */
const linesOf = (text: string, o: TextOptions): string[] => (o.width ? wrap(text, o.width, o.size ?? 12, o.mono ?? false) : [text]);

/** Height a label takes: its lines times the line height. */
export const textHeight = (text: string, o: TextOptions): number => linesOf(text, o).length * lineHeight(o.size ?? 12);

/** A label, wrapped to `width` in tspans from baseline `y` down; `data-box` says the right edge it must stay within. */
function txt(x: number, y: number, text: string, o: TextOptions = {}): string {
  const size = o.size ?? 12;
  const lines = linesOf(text, o);
  const lh = lineHeight(size);
  const box = o.width && !o.anchor ? ` data-box-right="${x + o.width}"` : '';
  const body = lines.length === 1 ? esc(lines[0]!) : lines.map((l, i) => `<tspan x="${x}" dy="${i === 0 ? 0 : lh}">${esc(l)}</tspan>`).join('');
  return `<text x="${x}" y="${y}" font-family="${o.mono ? MONO : SANS}" font-size="${size}"${o.weight ? ` font-weight="${o.weight}"` : ''} fill="${o.fill ?? '#1f2937'}"${o.anchor ? ` text-anchor="${o.anchor}"` : ''}${box}>${body}</text>`;
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
  const GAP = 8;
  const colour = new Map(d.instances.map((i, k) => [i.id, PALETTE[k % PALETTE.length]!]));
  const colourIndex = (id: string): number => d.instances.findIndex((i) => i.id === id) % PALETTE.length;
  const GREY = PALETTE.length;
  const parts: string[] = [];
  const edges: string[] = [];
  const mounts = drawnMounts(d);
  const TITLE: TextOptions = { mono: true, size: 12, weight: 700, width: W_M - 16 };
  const SUB: TextOptions = { size: 10.5, width: W_M - 16 };
  /** A box of the middle column: a bold path, a line below it; as tall as its wrapped text. */
  const rowBox = (y: number, title: string, sub: string, style: { stroke: string; fill: string; dash?: boolean; sw?: number; titleFill: string }): number => {
    const th = textHeight(title, TITLE), sh = textHeight(sub, SUB);
    const h = Math.max(32, 6 + th + sh + 4);
    parts.push(rect(X_M, y, W_M, h, { stroke: style.stroke, fill: style.fill, ...(style.dash ? { dash: true } : {}), ...(style.sw ? { sw: style.sw } : {}) }));
    parts.push(txt(X_M + 8, y + 14, title, { ...TITLE, fill: style.titleFill }));
    parts.push(txt(X_M + 8, y + 14 + th - 1, sub, { ...SUB, fill: '#4b5563' }));
    return h;
  };

  // left: one band per namespace (and one for detached mounts), rows = ptmx paths + mounts
  type Row = { kind: 'ptmx' | 'mount'; y: number; ns: string; target: string | null; hidden?: boolean };
  const rows: Row[] = [];
  let y = 34;
  const bands: { ns: StateDiagram['namespaces'][number] | null; mounts: StateDiagram['mounts'][number][] }[] =
    d.namespaces.map((ns) => ({ ns, mounts: mounts.filter((m) => m.ns === ns.id) }));
  const detached = mounts.filter((m) => m.ns === null);
  if (detached.length) bands.push({ ns: null, mounts: detached });
  for (const band of bands) {
    const top = y;
    const bandParts = parts.length; // the band's background goes under its boxes, once its height is known
    let ry = top;
    if (band.ns) {
      for (const l of band.ns.leads) {
        const ok = l.instance !== null;
        const h = rowBox(ry, ok ? l.path : `${l.path} → open fails ${l.errno}`, l.via, { stroke: ok ? colour.get(l.instance!)! : '#b91c1c', fill: ok ? '#fff' : '#fef2f2', dash: true, titleFill: ok ? '#111827' : '#b91c1c' });
        rows.push({ kind: 'ptmx', y: ry + h / 2, ns: band.ns.id, target: l.instance });
        ry += h + GAP;
      }
    }
    for (const m of band.mounts) {
      const target = d.instances.some((i) => i.id === m.fs) ? m.fs : null;
      const stroke = m.hidden || !target ? '#9ca3af' : colour.get(target)!;
      const what = `${m.kind === 'bind' ? `bind mount of ${m.fs}` : `${m.fs} mount`}${m.hidden ? ' · covered' : ''}`;
      const h = rowBox(ry, m.path, what, { stroke, dash: m.hidden, fill: m.hidden ? '#f9fafb' : '#fff', sw: target && !m.hidden ? 1.5 : 1, titleFill: m.hidden ? '#9ca3af' : '#111827' });
      rows.push({ kind: 'mount', y: ry + h / 2, ns: m.ns ?? '', target, hidden: m.hidden });
      ry += h + GAP;
    }
    // the namespace's own box, on the left
    const nsParts: string[] = [];
    let nh: number;
    if (band.ns) {
      const ns = band.ns;
      const pids = ns.procs.length ? ns.procs.map((p) => `pid ${p.pid}${p.uid ? ` (uid ${p.uid})` : ''}`).join(', ') : 'no process left';
      const LABEL: TextOptions = { weight: 700, size: 13, width: W_NS - 20 };
      const PIDS: TextOptions = { size: 12, width: W_NS - 20 };
      const lh = textHeight(ns.label, LABEL);
      nh = 20 + lh + 18 + textHeight(pids, PIDS);
      nsParts.push(txt(X_NS + 10, top + 20, ns.label, LABEL));
      nsParts.push(txt(X_NS + 10, top + 20 + lh + 2, 'mount namespace', { size: 11, fill: '#6b7280' }));
      nsParts.push(txt(X_NS + 10, top + 20 + lh + 20, pids, PIDS));
    } else {
      nh = 64;
      nsParts.push(txt(X_NS + 10, top + 20, 'detached mounts', { weight: 700, size: 13 }));
      nsParts.push(txt(X_NS + 10, top + 38, 'umount -l: no namespace', { size: 11, fill: '#6b7280' }));
      nsParts.push(txt(X_NS + 10, top + 54, 'held by open files', { size: 11, fill: '#6b7280' }));
    }
    const h = Math.max(84, nh + 10, ry - top);
    const boxes = [
      rect(X_NS - 6, top - 8, X_M + W_M + 12 - X_NS, h + 16, { fill: '#f3f4f6', stroke: '#e5e7eb', r: 10 }),
      rect(X_NS, top, W_NS, h, band.ns ? { fill: '#fff', stroke: '#6b7280' } : { fill: '#fff', stroke: '#9ca3af', dash: true }),
      ...nsParts,
    ];
    parts.splice(bandParts, 0, ...boxes);
    y = top + h + 26;
  }
  const leftBottom = y;

  // right: instances with their ptys
  let iy = 34;
  const instY = new Map<string, number>();
  for (const inst of d.instances) {
    const ptys = d.ptys.filter((p) => p.instance === inst.id);
    const c = colour.get(inst.id)!;
    const differs = inst.ptmxMode !== null && inst.ptmxOption !== null && inst.ptmxMode !== inst.ptmxOption;
    const nodeLine = inst.ptmxMode === null ? 'no ptmx node (CONFIG=n)'
      : differs ? `/dev/pts/ptmx node: mode ${inst.ptmxMode} ≠ ptmxmode=${inst.ptmxOption}` : `/dev/pts/ptmx node: mode ${inst.ptmxMode}`;
    const NAME: TextOptions = { weight: 700, size: 13, fill: c, width: W_I - 24 };
    const OPTS: TextOptions = { mono: true, size: 11, width: W_I - 24 };
    const NODE: TextOptions = { size: 11, fill: differs ? '#b45309' : '#4b5563', weight: differs ? 700 : 400, width: W_I - 24 };
    const name = `${inst.id}${inst.initial ? ' (initial instance)' : ''}`;
    const h1 = textHeight(name, NAME), h2 = textHeight(inst.options, OPTS), h3 = textHeight(nodeLine, NODE);
    const boxH = Math.max(70, 19 + h1 + h2 + h3 + 4);
    parts.push(rect(X_I, iy, W_I, boxH, { stroke: c, sw: 2 }));
    parts.push(`<rect x="${X_I}" y="${iy}" width="8" height="${boxH}" rx="3" fill="${c}"/>`);
    parts.push(txt(X_I + 16, iy + 19, name, NAME));
    parts.push(txt(X_I + 16, iy + 19 + h1 + 2, inst.options, OPTS));
    parts.push(txt(X_I + 16, iy + 19 + h1 + h2 + 3, nodeLine, { ...NODE, fill: NODE.fill! }));
    instY.set(inst.id, iy + boxH / 2);
    let py = iy;
    for (const p of ptys) {
      const status = [p.master ? 'master' : 'master closed', p.slaves ? `slave×${p.slaves}` : null, p.locked ? 'locked' : null].filter(Boolean).join(' · ');
      const label = `${p.node ? `pts/${p.index}` : `pty ${p.index} (no name)`}  ${status}`;
      const PTY: TextOptions = { size: 11, width: W_P - 14 };
      const ph = Math.max(24, textHeight(label, PTY) + 10);
      parts.push(rect(X_P, py, W_P, ph, { stroke: c, dash: !p.node, fill: p.node ? '#fff' : '#f9fafb' }));
      parts.push(txt(X_P + 8, py + 16, label, PTY));
      edges.push(`<path d="${curve(X_I + W_I, iy + boxH / 2, X_P, py + ph / 2)}" fill="none" stroke="${c}" stroke-width="1.2" opacity="0.7"/>`);
      py += ph + 6;
    }
    if (ptys.length === 0) parts.push(txt(X_P + 4, iy + boxH / 2 + 4, 'no ptys', { size: 11, fill: '#9ca3af' }));
    iy = Math.max(iy + boxH, py) + 18;
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
  const W = 200, GAP_X = 170, GAP_Y = 26, X0 = 40, Y0 = 30;
  const BOOTS: TextOptions = { size: 11.5, anchor: 'middle', width: W - 12, fill: '#374151' };
  const LOOPS: TextOptions = { size: 11, anchor: 'middle', width: W - 12, fill: '#6b7280', mono: true };
  const bootsOf = (s: ModeChart['states'][number]): string => (s.profiles.length ? `boots: ${s.profiles.join(', ')}` : s.id === c.initial ? 'initial: picks the mode' : 'reached by a transition');
  const loopsOf = (s: ModeChart['states'][number]): string | null => (s.selfLoops.length ? `↻ ${s.selfLoops.join('; ')}` : null);
  // every box as tall as the tallest label needs (labels wrap, never cut)
  const H = Math.max(78, ...c.states.map((s) => 34 + textHeight(bootsOf(s), BOOTS) + (loopsOf(s) ? 6 + textHeight(loopsOf(s)!, LOOPS) : 0) + 8));
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
    const boots = bootsOf(s);
    parts.push(txt(p.x + W / 2, p.y + 42, boots, BOOTS));
    const loops = loopsOf(s);
    if (loops) parts.push(txt(p.x + W / 2, p.y + 42 + textHeight(boots, BOOTS) + 6, loops, LOOPS));
  }
  const first = pos.get(c.initial)!;
  parts.push(`<circle cx="${first.x - 24}" cy="${first.y + H / 2}" r="6" fill="#111827"/><path d="M${first.x - 18},${first.y + H / 2} L${first.x - 2},${first.y + H / 2}" stroke="#111827" stroke-width="1.4" marker-end="url(#${prefix}-a0)"/>`);
  const width = X0 + layers.length * (W + GAP_X) - GAP_X + 30;
  const height = bottom + 8 + lane * 26 + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="mode chart of the xstate machine ${esc(c.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" class="diagram"><title>mode chart of the xstate machine ${esc(c.id)}</title>${markers(prefix, ['#4b5563'])}${parts.join('')}${labels.join('')}</svg>`;
}
