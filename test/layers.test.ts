// The layers of ../shared/design/README.md hold in the imports: no import cycle between
// files, and no import that runs up the layer table (read from the design document
// itself). Type-only imports carry no code and are not counted (as check-layers.py).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DESIGN = join(ROOT, '../shared/design/README.md');
const SKIP = new Set(['node_modules', 'test', '.git', 'build', 'out', 'scratch']);

/** The layer table: folder → the folders it may import (itself always). */
export function layerTable(markdown: string): Map<string, Set<string>> {
  const rows = [...markdown.matchAll(/^\|\s*`([a-z]+)\/`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$/gm)];
  const folders = rows.map((r) => r[1]!);
  const table = new Map<string, Set<string>>();
  for (const [, folder, may] of rows) {
    const named = [...may!.matchAll(/([a-z]+)\//g)].map((m) => m[1]!);
    let allowed: string[];
    if (/^everything but/.test(may!)) allowed = folders.filter((f) => !named.includes(f));
    else if (/^everything/.test(may!)) allowed = folders;
    else if (/^nothing/.test(may!)) allowed = [];
    else allowed = named;
    table.set(folder!, new Set([...allowed, folder!]));
  }
  return table;
}

/** Value imports between the project's files (relative paths, type-only imports left out). */
export function importGraph(root: string): Map<string, Set<string>> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) { if (!SKIP.has(e.name)) walk(join(dir, e.name)); continue; }
      if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(relative(root, join(dir, e.name)));
    }
  };
  walk(root);
  const known = new Set(files);
  const graph = new Map<string, Set<string>>();
  const re = /^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;
  for (const f of files) {
    const deps = new Set<string>();
    for (const m of readFileSync(join(root, f), 'utf8').matchAll(re)) {
      if (m[1]) continue;
      const t = normalize(join(dirname(f), m[2]!));
      const hit = [t, `${t}.ts`, join(t, 'index.ts')].find((c) => known.has(c));
      if (hit) deps.add(hit);
    }
    graph.set(f, deps);
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan). */
export function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  let n = 0;
  const strong = (v: string) => {
    index.set(v, n); low.set(v, n); n++; stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) { on.delete(w); c.push(w); if (w === v) break; }
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) strong(v);
  return out;
}

/** Imports from a layer the table does not allow (folders outside the table, such as bin/, are not judged). */
export function againstLayers(graph: ReadonlyMap<string, ReadonlySet<string>>, table: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const top = (f: string) => f.split('/')[0]!;
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    const allowed = table.get(top(f));
    if (!allowed) continue;
    for (const d of deps) if (!allowed.has(top(d))) bad.push(`${f} -> ${d}`);
  }
  return bad;
}

describe('the layers of the design hold in the imports', () => {
  const table = layerTable(readFileSync(DESIGN, 'utf8'));

  it('reads the layer table of the design document', () => {
    expect([...table.keys()]).toEqual(['model', 'clauses', 'traces', 'properties', 'explore', 'kernel', 'shell', 'report', 'cli', 'bench', 'test']);
    expect([...table.get('model')!]).toEqual(['model']);
    expect([...table.get('clauses')!].sort()).toEqual(['clauses', 'model']);
    expect(table.get('report')!.has('cli')).toBe(false);
    expect(table.get('cli')!.has('report')).toBe(true);
  });

  it('has no import cycle between files', () => {
    expect(cycles(importGraph(ROOT))).toEqual([]);
  });

  it('has no import that runs up the layer table (nothing imports cli/ but cli/ and bin/)', () => {
    const graph = importGraph(ROOT);
    expect(graph.size).toBeGreaterThan(100);
    expect(againstLayers(graph, table)).toEqual([]);
  });

  it('would see a cycle and an import up the table', () => {
    const g = new Map([['model/a.ts', new Set(['model/b.ts'])], ['model/b.ts', new Set(['model/a.ts', 'cli/x.ts'])], ['cli/x.ts', new Set<string>()]]);
    expect(cycles(g)).toEqual([['model/a.ts', 'model/b.ts']]);
    expect(againstLayers(g, table)).toEqual(['model/b.ts -> cli/x.ts']);
  });
});
