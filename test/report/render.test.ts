// Renderers against a fixture built from real model replays: every clause ID in every
// format, violated cells link to their sections, the HTML is self-contained, the JUnit
// encoding of findings, Mermaid blocks, and the terminal's colour rule.

import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../report/render/html.ts';
import { renderJson } from '../../report/render/json.ts';
import { renderJunit } from '../../report/render/junit.ts';
import { renderMarkdown } from '../../report/render/markdown.ts';
import { renderText } from '../../report/render/text.ts';
import { fixture } from './fixture.ts';

const { data } = fixture();
const ids = data.clauses.map((c) => c.id);

describe('every format shows every clause and every violation', () => {
  const outputs = {
    md: renderMarkdown(data),
    json: renderJson(data),
    html: renderHtml(data),
    junit: renderJunit(data),
    text: renderText(data, { colour: false, width: null, outDir: 'out', files: [] }),
  };
  for (const [name, text] of Object.entries(outputs)) {
    it(`${name}: every clause ID and every replay command`, () => {
      for (const id of ids) expect(text).toContain(id);
      for (const cx of data.counterexamples) for (const side of cx.sides) expect(text).toContain(side.trace.file);
    });
  }
});

describe('html', () => {
  const html = renderHtml(data);
  it('is one self-contained file: no scripts, no external URLs, no fonts', () => {
    // booleans, not toMatch: a failure should not print the whole page
    expect(/<script/i.test(html)).toBe(false);
    expect(/<link\b/i.test(html)).toBe(false);
    expect(/@import|@font-face|url\((?!#)/i.test(html)).toBe(false); // url(#marker) is inside the page
    expect(/(src|href)="(https?:)?\/\//i.test(html)).toBe(false);
    expect(/<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(html)).toBe(true);
  });
  it('one row per clause, one verdict cell per profile, violated cells link to an existing section', () => {
    const rows = [...html.matchAll(/<tr data-clause="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => r[1])).toEqual(ids);
    for (const r of rows) expect([...r[2]!.matchAll(/data-verdict=/g)]).toHaveLength(data.profiles.length);
    const links = [...html.matchAll(/data-verdict="violated"><a href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(data.summary.violated);
    for (const id of links) expect(html).toContain(`<section class="cx" id="${id}"`);
  });
  it('marker ids are unique within the page', () => {
    const markerIds = [...html.matchAll(/<marker id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(markerIds).size).toBe(markerIds.length);
  });
});

describe('markdown', () => {
  const md = renderMarkdown(data);
  it('has Mermaid blocks for the mode chart and every counterexample, and anchors for links', () => {
    expect([...md.matchAll(/```mermaid\n/g)]).toHaveLength(1 + data.counterexamples.reduce((n, cx) => n + cx.sides.length, 0));
    expect(md).toContain('stateDiagram-v2');
    for (const cx of data.counterexamples) {
      expect(md).toContain(`<a id="${cx.id}"></a>`);
      expect(md).toContain(`](#${cx.id})`);
    }
  });
});

describe('junit', () => {
  const xml = renderJunit(data);
  it('one testcase per clause × profile', () => {
    expect([...xml.matchAll(/<testcase /g)]).toHaveLength(data.clauses.length * data.profiles.length);
  });
  it('findings (D, U, R) pass with verdict=violated; n/a is skipped; nothing fails in the fixture', () => {
    expect(xml).toMatch(/<testsuites [^>]*failures="0" errors="0"/);
    expect(xml).toContain('<property name="verdict" value="violated"/>');
    expect([...xml.matchAll(/<skipped /g)]).toHaveLength(data.summary.na);
  });
  it('a violated kernel fact or invariant is a failure (a model bug)', () => {
    const bad = { ...data, cells: data.cells.map((c) => (c.clause === 'I1' && c.profile === '6.x' ? { ...c, verdict: 'violated' as const } : c)) };
    expect(renderJunit(bad)).toMatch(/<testsuites [^>]*failures="1"/);
  });
});

describe('terminal', () => {
  it('no escape codes without colour; red VIOLATED with colour', () => {
    const plain = renderText(data, { colour: false, width: null, outDir: 'out', files: [] });
    expect(plain).not.toContain('\x1b[');
    expect(plain).toMatch(/^D3 +VIOLATED/m);
    const coloured = renderText(data, { colour: true, width: 100, outDir: 'out', files: [] });
    expect(coloured).toContain('\x1b[31m');
  });
  it('one paragraph per violation with numbered steps and the replay command', () => {
    const plain = renderText(data, { colour: false, width: null, outDir: 'out', files: [] });
    for (const cx of data.counterexamples) {
      expect(plain).toContain(`${cx.clause} × ${cx.sides.map((s) => s.profile).join(' vs ')}`);
      for (const side of cx.sides) expect(plain).toMatch(new RegExp(`Replay( \\(${side.profile.replace(/\./g, '\\.')}\\))?: ${side.trace.replay.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      for (const s of cx.steps) expect(plain).toContain(`${s.n}. ${s.text}`);
    }
  });
});

describe('the terminal, read from the end: findings first, the matrix last, counts that agree', () => {
  const plain = renderText(data, { colour: false, width: null, outDir: 'out', files: ['conformance.md'], rerun: 'devpts-check report --budget quick --seed 1' });
  const lines = plain.trimEnd().split('\n');
  it('says what was found before the long paragraphs, one line per counterexample', () => {
    const found = lines.findIndex((l) => l.startsWith('Found: '));
    const firstParagraph = lines.findIndex((l) => l.startsWith('Counterexamples ('));
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThan(firstParagraph);
    for (const cx of data.counterexamples) expect(lines.slice(found, firstParagraph).some((l) => l.includes(`${cx.clause} × ${cx.sides.map((x) => x.profile).join(' vs ')}`))).toBe(true);
  });
  it('ends with the matrix and the totals (nothing long after the matrix), then the rerun line', () => {
    const header = lines.findIndex((l) => /^clause +2\.6\.39-n/.test(l));
    expect(header).toBeGreaterThan(lines.findIndex((l) => l.startsWith('Evidence')));
    expect(lines.length - header).toBeLessThanOrEqual(data.clauses.length + 7);
    expect(lines.at(-1)).toBe('The same run again: devpts-check report --budget quick --seed 1');
  });
  it('counts violated cells and counterexamples in the same words everywhere', () => {
    const s = data.summary;
    const cells = s.violated;
    const cxs = data.counterexamples.length;
    const phrase = `${cells} violated cell${cells === 1 ? '' : 's'}, shown by ${cxs} counterexample${cxs === 1 ? '' : 's'}`;
    expect(lines.find((l) => l.startsWith('Found: '))).toContain(phrase);
    expect(lines.find((l) => l.startsWith('Violated: '))).toContain(phrase);
    expect(plain).toContain(`Counterexamples (${cxs})`);
    expect(plain).toMatch(new RegExp(`, ${cells} violated, `));
    const bugs = data.counterexamples.filter((cx) => ['K8', 'I1'].includes(cx.clause)).length;
    expect(plain).toContain(`(${cxs - bugs} finding${cxs - bugs === 1 ? '' : 's'}, ${bugs} model bug${bugs === 1 ? '' : 's'}`);
  });
  it('marks the observation steps that show what breaks', () => {
    for (const cx of data.counterexamples) for (const n of cx.evidenceSteps ?? []) expect(plain).toMatch(new RegExp(`^ +${n}\\. .*\\(evidence\\)$`, 'm'));
    expect(data.counterexamples.some((cx) => (cx.evidenceSteps ?? []).length > 0)).toBe(true);
  });
});

