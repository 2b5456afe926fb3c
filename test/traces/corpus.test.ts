// The corpus (traces/corpus): the document's scenarios and one trace per rule of
// profiles.md, each with expectations derived from the sources. Every one replays on the
// model with every expectation holding.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_IDS } from '../../model/index.ts';
import { corpusFiles } from '../../traces/corpus.ts';
import { loadTraceText } from '../../traces/load.ts';
import { replayOnModel } from '../../traces/replay.ts';
import { formatTrace } from '../../traces/save.ts';
import type { Trace } from '../../traces/types.ts';

const files = await corpusFiles();
const corpus = await Promise.all(files.map(async (file) => {
  const text = await readFile(file, 'utf8');
  return { file, name: basename(file), text, trace: loadTraceText(text, file) };
}));
const named = (name: string): Trace => corpus.find((c) => c.name === name)!.trace;

/** clauses.md, "From the document": which profiles each clause speaks about. */
const DOCUMENT_CLAUSES: Readonly<Record<string, readonly string[]>> = {
  D1: ['2.6.39-y', '3.4-y', '6.x'],
  D2: ['2.6.39-n', '2.6.39-y', '3.4-y'],
  D3: ['2.6.39-n'],
  D4: ['2.6.39-y', '3.4-y'],
  D5: ['2.6.39-n', '2.6.39-y'],
  D6: ['2.6.39-y', '3.4-y'],
  D7: ['2.6.39-y', '3.4-y'],
  D8: ['2.6.39-y', '3.4-y', '6.x'],
  U1: ['2.6.39-y'],
  U2: ['2.6.39-y', '3.4-y', '6.x'],
  U3: ['2.6.39-y', '3.4-y', '6.x'],
  U4: ['2.6.39-y', '3.4-y', '6.x'],
  U5: ['2.6.39-y', '3.4-y'],
  U6: ['2.6.39-y', '3.4-y', '6.x'],
  U7: ['2.6.39-y', '3.4-y'],
};

/** Where the kernel code contradicts the document (clauses.md "expected": violated). */
const VIOLATED: readonly string[] = ['D3--2.6.39-n', 'D5--2.6.39-n', 'D5--2.6.39-y', 'U3--2.6.39-y', 'U3--3.4-y', 'U6--2.6.39-y', 'U6--3.4-y', 'U6--6.x'];

describe('the corpus files', () => {
  it('exist', () => {
    expect(corpus.length).toBeGreaterThan(100);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s is named <clause-or-rule>--<profile>.json after its own profile, saved canonically, and says what it shows', (_name, c) => {
    const m = /^([A-Za-z0-9.-]+?)--([0-9a-z.-]+)\.json$/.exec(c.name);
    expect(m).not.toBeNull();
    expect(PROFILE_IDS).toContain(m![2]);
    expect(c.trace.profile).toBe(m![2]);
    expect(c.text).toBe(formatTrace(c.trace));
    expect(c.trace.title).toBeTruthy();
    expect(typeof c.trace.notes).toBe('string');
    expect(c.trace.steps.some((s) => s.expect !== undefined)).toBe(true);
  });

  it('cover every clause of the document for every profile it speaks about', () => {
    const have = new Set(corpus.map((c) => `${c.name.replace(/-[a-z]+--/, '--').split('--')[0]}--${c.trace.profile}`));
    const missing = Object.entries(DOCUMENT_CLAUSES).flatMap(([clause, profiles]) => profiles.filter((p) => !have.has(`${clause}--${p}`)).map((p) => `${clause}--${p}`));
    expect(missing).toEqual([]);
  });

  it('say so in the title where the code contradicts the document', () => {
    for (const name of VIOLATED) expect(named(`${name}.json`).title, name).toMatch(/^VIOLATED: /);
    const others = corpus.filter((c) => !VIOLATED.includes(c.name.replace(/\.json$/, '')) && /^[DU]\d/.test(c.name));
    for (const c of others) expect(c.trace.title, c.name).not.toMatch(/^VIOLATED/);
  });
});

describe('every corpus trace replays on the model with all its expectations holding', () => {
  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = replayOnModel(c.trace, c.name);
    const f = r.firstFailure;
    expect(f ? `step ${f.index}: expected ${JSON.stringify(f.expect)}, got ${JSON.stringify(f.result)}` : 'holds').toBe('holds');
    expect(r.steps).toHaveLength(c.trace.steps.length);
  });
});

describe('the kernel mode as the document names it', () => {
  it.each(['2.6.39-y', '3.4-y'])('%s: single-instance until the first successful newinstance mount, multi-instance after', (p) => {
    const r = replayOnModel(named(`profile-2.6.39-y-mode-switches-on-newinstance--${p}.json`), 'x');
    expect(r.modes).toEqual(['singleInstance', 'singleInstance', 'singleInstance', 'singleInstance', 'singleInstance', 'multiInstance', 'multiInstance']);
  });
});
