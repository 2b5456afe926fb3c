// The whole report, once, on the real runners (quick budget, every clause, every
// profile): the four files, every clause ID in each, every violated cell's traces
// replaying with `devpts-check replay` (exit 0), and a real browser look at
// conformance.html in Debian's headless Chromium (no browser download): one row per
// clause, one column per profile, every violated cell linking to its section; the
// screenshots are saved under test-artifacts/.

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_IDS, PROFILES } from '../../model/index.ts';
import { CLAUSES } from '../../clauses/index.ts';
import type { ConformanceData } from '../../report/data.ts';
import { runReport } from '../../report/index.ts';
import { FORMATS, FILE_OF, parseReportOptions } from '../../report/options.ts';
import { kernelsDir } from '../../kernel/targets.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'devpts-check.js');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** The design's catalogue, when this checkout sits next to it (../shared/design/clauses.md). */
const CATALOGUE_MD = resolve(ROOT, '../shared/design/clauses.md');

let out: string;
let data: ConformanceData;
let stdout = '';
let code: number;

beforeAll(async () => {
  out = join(mkdtempSync(join(tmpdir(), 'report-e2e-')), 'out');
  const options = parseReportOptions({ budget: 'quick', out }, CLAUSES.map((c) => c.id), out);
  const r = await runReport(options, { stdout: (s) => { stdout += s; }, stderr: () => {}, tty: false, columns: null });
  code = r.code;
  data = r.data!;
}, 180_000);

describe('the report on the real runners (quick budget)', () => {
  it('completes with exit 0 and nothing left uncomputed', () => {
    expect(data.problems).toEqual([]);
    expect(code).toBe(0);
  });

  it('writes the four files and one trace per violated cell', () => {
    for (const f of FORMATS) expect(existsSync(join(out, FILE_OF[f]))).toBe(true);
    for (const c of data.cells.filter((x) => x.verdict === 'violated')) {
      expect(c.trace, `${c.clause} × ${c.profile}`).not.toBeNull();
      expect(existsSync(join(out, c.trace!))).toBe(true);
    }
  });

  it('shows every clause of the catalogue in every file and on the terminal', () => {
    const ids = CLAUSES.map((c) => c.id);
    if (existsSync(CATALOGUE_MD)) {
      const fromDesign = [...readFileSync(CATALOGUE_MD, 'utf8').matchAll(/^\| ([DUKRI]\d+) \|/gm)].map((m) => m[1]!);
      expect(fromDesign.length).toBeGreaterThan(20);
      expect(new Set(ids)).toEqual(new Set(fromDesign));
    }
    const texts = [...FORMATS.map((f) => readFileSync(join(out, FILE_OF[f]), 'utf8')), stdout];
    for (const text of texts) for (const id of ids) expect(text).toMatch(new RegExp(`\\b${id}\\b`));
    const json = JSON.parse(readFileSync(join(out, 'conformance.json'), 'utf8')) as ConformanceData;
    expect(json.cells).toHaveLength(ids.length * PROFILE_IDS.length);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect([...junit.matchAll(/<testcase /g)]).toHaveLength(ids.length * PROFILE_IDS.length);
  });

  it('every "holds" shows its budget, every "violated" a trace', () => {
    for (const c of data.cells) {
      if (c.verdict === 'holds') {
        expect(c.evidence.random, `${c.clause} × ${c.profile}`).not.toBeNull();
        expect(c.evidence.random!.runs).toBeGreaterThan(0);
      }
      if (c.verdict === 'violated') expect(data.counterexamples.find((x) => x.id === c.counterexample)?.sides.some((s) => s.trace.replays)).toBe(true);
    }
  });

  it('every violated cell\'s trace replays with `devpts-check replay` (exit 0)', async () => {
    const files = [...new Set(data.cells.filter((c) => c.trace !== null).map((c) => join(out, c.trace!)))];
    expect(files.length).toBeGreaterThan(0);
    const r = await run(process.execPath, [BIN, 'replay', ...files], { cwd: ROOT });
    // each is a counterexample: it reproduces its violation (never just "holds")
    expect(r.stdout).toMatch(new RegExp(`${files.length} traces: 0 hold, ${files.length} reproduce their violation, 0 fail`));
  }, 60_000);

  it('shows each kernel fact with the corpus trace that witnesses it, linked from the cell, replayable (K11: the container\'s refused mount)', async () => {
    const k11 = data.cells.find((c) => c.clause === 'K11' && c.profile === '2.6.39-y')!;
    expect(k11.witness).toMatchObject({ corpus: 'traces/corpus/K11--2.6.39-y.json', file: 'traces/witness/K11--2.6.39-y.json' });
    // the step the clause speaks about: the container's plain mount on its copy of /dev/pts, EBUSY
    expect(k11.witness!.lines[k11.witness!.at[0]! - 1]).toMatchObject({ text: expect.stringMatching(/pid 2: mount -t devpts devpts \/dev\/pts/), result: 'EBUSY' });
    // 2.6.39 runs in a QEMU guest: offered where its image is here (kernel/targets.ts)
    expect(k11.witness!.kernelReplay).toBe(existsSync(join(kernelsDir(), 'bzImage-2.6.39-y')) ? `devpts-check replay --kernel ${join(out, 'traces/witness/K11--2.6.39-y.json')}` : null);
    const k10 = data.cells.find((c) => c.clause === 'K10' && c.profile === '6.x')!;
    expect(k10.witness!.kernelReplay).toMatch(/^devpts-check replay --kernel /);
    // every K cell that holds has its witness; the files are in the out dir and replay on the model
    const witnessed = data.cells.filter((c) => c.clause.startsWith('K') && c.verdict !== 'n/a');
    for (const c of witnessed) expect(c.witness, `${c.clause} × ${c.profile}`).toBeTruthy();
    const files = [...new Set(witnessed.map((c) => join(out, c.witness!.file)))];
    const r = await run(process.execPath, [BIN, 'replay', ...files], { cwd: ROOT });
    expect(r.stdout).toMatch(new RegExp(`${files.length} traces: ${files.length} hold, 0 fail`));
    const md = readFileSync(join(out, 'conformance.md'), 'utf8');
    expect(md).toContain('[witness](#w-K11-2-6-39-y)');
    expect(md).toContain('<a id="w-K11-2-6-39-y"></a>');
  }, 60_000);

  it('shows every chart of the model with how often the random runs and the exhaustive search took each transition', () => {
    const charts = data.charts!;
    expect(charts.sections.map((c) => c.name)).toEqual(['mode', 'pty', 'instance', 'ptmxNode']);
    const mode = charts.sections.find((c) => c.name === 'mode')!;
    const t = (id: string) => mode.transitions.find((x) => x.id === id)!;
    expect(t('singleInstance.mount#0').random).toBeGreaterThan(0); // a newinstance mount moved a CONFIG=y kernel to multiInstance
    expect(t('singleInstance.mount#0').explorer).toBeGreaterThan(0);
    // each CONFIG=n profile boots (one boot of scope small) into legacy
    expect(t('boot.always#0').explorer).toBe(PROFILE_IDS.filter((p) => PROFILES[p].bootMode === 'legacy').length);
    const pty = charts.sections.find((c) => c.name === 'pty')!;
    expect(pty.transitions.filter((x) => x.random > 0 || x.explorer > 0).length).toBeGreaterThanOrEqual(8);
    expect(pty.transitions.find((x) => x.id === 'locked.unlockpt#0')).toMatchObject({ random: expect.any(Number), explorer: expect.any(Number) });
    expect(pty.transitions.find((x) => x.id === 'locked.unlockpt#0')!.explorer).toBeGreaterThan(0);
    expect(readFileSync(join(out, 'conformance.md'), 'utf8')).toMatch(/### pty — one pty/);
    expect(stdout).toMatch(/charts \(transitions taken by the random runs or the search\): mode \d+\/\d+ · pty/);
  });

  it('every counterexample trace carries its evidence: the violation note and observation steps with expectations', () => {
    const files = [...new Set(data.cells.filter((c) => c.trace !== null).map((c) => join(out, c.trace!)))];
    for (const f of files) {
      const t = JSON.parse(readFileSync(f, 'utf8')) as { violation: { clause: string; step: number; message: string; evidence: number[] }; steps: { op: string; expect?: unknown }[] };
      expect(Object.keys(t.violation), f).toEqual(['clause', 'step', 'message', 'evidence']);
      expect(t.violation.evidence.length, f).toBeGreaterThan(0);
      expect(Math.max(...t.violation.evidence), f).toBe(t.steps.length);
      for (const n of t.violation.evidence) expect(t.steps[n - 1]!.expect, `${f} step ${n}`).toBeDefined();
      expect(t.violation.message, f).not.toMatch(/devpts#/);
    }
  });
});

const haveChromium = existsSync(CHROMIUM);
describe.skipIf(!haveChromium)(`conformance.html in headless Chromium${haveChromium ? '' : ` (skipped: ${CHROMIUM} is absent; apt-get install chromium)`}`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => { await browser?.close(); });

  it('one row per clause, one column per profile, violated cells link to their section; screenshots saved', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('file://')) requests.push(r.url()); });
    await page.goto(`file://${join(out, 'conformance.html')}`);

    const rows = page.locator('#matrix-table tr[data-clause]');
    expect(await rows.count()).toBe(CLAUSES.length);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-clause')))).toEqual(CLAUSES.map((c) => c.id));
    const headers = await page.locator('#matrix-table thead th[data-profile]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-profile')));
    expect(headers).toEqual([...PROFILE_IDS]);
    for (const n of await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td[data-verdict]').length))) expect(n).toBe(PROFILE_IDS.length);

    const violated = page.locator('#matrix-table td[data-verdict="violated"]');
    expect(await violated.count()).toBe(data.summary.violated);
    const targets = await violated.evaluateAll((tds) => tds.map((td) => td.querySelector('a')?.getAttribute('href') ?? ''));
    for (const href of targets) {
      expect(href).toMatch(/^#cx-/);
      const section = page.locator(`section${href}`);
      expect(await section.count(), href).toBe(1);
      expect(await section.locator('pre').first().textContent()).toMatch(/^devpts-check replay /);
      expect(await section.locator('svg').count()).toBeGreaterThan(0);
    }
    // clicking a violated cell scrolls its section into view
    if (targets.length > 0) {
      await violated.first().locator('a').click();
      expect(await page.evaluate(() => location.hash)).toBe(targets[0]);
      const box = await page.locator(`section${targets[0]}`).boundingBox();
      expect(box!.y).toBeLessThan(900);
    }
    expect(requests).toEqual([]); // nothing but the file itself

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'conformance.png') });
    await page.screenshot({ path: join(ARTIFACTS, 'conformance-full.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'conformance.png'))).toBe(true);
    await page.close();
  }, 60_000);

  // Responsive (issue 15): at 800 px the page was 1005 px wide, step tables broke out of
  // their cards, diagrams scrolled sideways hiding the ptys column and labels were cut.
  for (const width of [800, 1400]) {
    it(`at ${width} px nothing overflows, no label is cut, and "why n/a" shows without hover`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${join(out, 'conformance.html')}`);
      const r = await page.evaluate(() => {
        const viewport = document.documentElement.clientWidth;
        const wider = [...document.querySelectorAll('main *')]
          .filter((el) => !el.closest('svg') && el.getBoundingClientRect().right > viewport + 0.5)
          .map((el) => `${el.tagName}.${String((el as HTMLElement).className)}`);
        // content wider than its own box (a cell, a card, a pre): cut off or spilling out
        const spilling = [...document.querySelectorAll('main th, main td, main pre, main section, main div, main p, main li, main h3')]
          .filter((el) => el.scrollWidth > el.clientWidth + 1)
          .map((el) => `${el.tagName}.${String((el as HTMLElement).className)}: ${el.textContent!.slice(0, 40)}`);
        const cards = [...document.querySelectorAll('section.cx')].flatMap((sec) => {
          const card = sec.getBoundingClientRect();
          return [...sec.querySelectorAll('table.steps, .figure, svg, pre')].filter((x) => x.getBoundingClientRect().right > card.right + 0.5).map((x) => `${sec.id} ${x.tagName}`);
        });
        const figures = [...document.querySelectorAll('.figure')].filter((f) => f.scrollWidth > f.clientWidth + 1).length;
        // every label of the pictures is whole (no "…") and ends inside its box, by the browser's own font metrics
        const cut = [...document.querySelectorAll('svg text')].filter((t) => t.textContent!.includes('…')).map((t) => t.textContent);
        const outside = [...document.querySelectorAll('svg text[data-box-right]')].filter((t) => {
          const b = (t as SVGTextElement).getBBox();
          return b.x + b.width > Number(t.getAttribute('data-box-right')) + 0.5;
        }).map((t) => t.textContent);
        // the ptys column is on screen: its header lies within the picture's visible box
        const ptysHidden = [...document.querySelectorAll('.figure svg')].filter((svg) => {
          const head = [...svg.querySelectorAll('text')].find((t) => t.textContent === 'ptys');
          if (!head) return false;
          return head.getBoundingClientRect().right > svg.closest('.figure')!.getBoundingClientRect().right;
        }).length;
        const na = [...document.querySelectorAll('td[data-verdict="n/a"]')];
        const naWithoutWhy = na.filter((td) => !td.querySelector('small.why') || (td.querySelector('small.why') as HTMLElement).offsetHeight === 0).length;
        return { scrollWidth: document.documentElement.scrollWidth, viewport, wider, spilling, cards, figures, cut, outside, ptysHidden, na: na.length, naWithoutWhy };
      });
      expect(r.scrollWidth).toBeLessThanOrEqual(r.viewport);
      expect(r.wider).toEqual([]);
      expect(r.spilling).toEqual([]);
      expect(r.cards).toEqual([]);
      expect(r.figures).toBe(0);
      expect(r.cut).toEqual([]);
      expect(r.outside).toEqual([]);
      expect(r.ptysHidden).toBe(0);
      expect(r.na).toBeGreaterThan(0);
      expect(r.naWithoutWhy).toBe(0);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `conformance-${width}.png`) }); // the first screen (a full page at 800 px is taller than Chromium captures)
      await page.close();
    }, 60_000);
  }
});
