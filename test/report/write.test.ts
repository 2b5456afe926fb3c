// The out dir gets all files or none: staging next to it, then rename.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutDir, NODE_WRITE_FS, writeOutDir, type WriteFs } from '../../report/write.ts';

const files = [
  { path: 'conformance.md', content: '# md\n' },
  { path: 'conformance.json', content: '{}\n' },
  { path: 'traces/D3-2.6.39-n.json', content: '{"a":1}\n' },
];

describe('writeOutDir', () => {
  it('creates a fresh out dir with every file, and no staging left behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'report-w-'));
    const out = join(base, 'deep', 'out');
    await writeOutDir(out, files);
    expect(readdirSync(out).sort()).toEqual(['conformance.json', 'conformance.md', 'traces']);
    expect(readFileSync(join(out, 'traces', 'D3-2.6.39-n.json'), 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(join(base, 'deep'))).toEqual(['out']);
  });

  it('replaces an existing out dir\'s files and its traces/ folder (no stale traces), keeps other files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'report-w-'));
    mkdirSync(join(out, 'traces'));
    writeFileSync(join(out, 'traces', 'old.json'), 'stale');
    writeFileSync(join(out, 'conformance.md'), 'old');
    writeFileSync(join(out, 'keep.txt'), 'mine');
    await writeOutDir(out, files);
    expect(readdirSync(join(out, 'traces'))).toEqual(['D3-2.6.39-n.json']);
    expect(readFileSync(join(out, 'conformance.md'), 'utf8')).toBe('# md\n');
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
    expect(readdirSync(out).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('a write that fails half-way leaves the old out dir untouched and no staging folder', async () => {
    const base = mkdtempSync(join(tmpdir(), 'report-w-'));
    const out = join(base, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'conformance.md'), 'old');
    let n = 0;
    const failing: WriteFs = { ...NODE_WRITE_FS, writeFile: async (p, d) => { if (++n === 2) throw Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC' }); return NODE_WRITE_FS.writeFile(p, d); } };
    await expect(writeOutDir(out, files, failing)).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(base)).toEqual(['out']);
    expect(readdirSync(out)).toEqual(['conformance.md']);
    expect(readFileSync(join(out, 'conformance.md'), 'utf8')).toBe('old');
  });

  it('refuses paths that leave the out dir', async () => {
    const base = mkdtempSync(join(tmpdir(), 'report-w-'));
    await expect(writeOutDir(join(base, 'out'), [{ path: '../evil', content: 'x' }])).rejects.toThrow(/outside/);
    expect(existsSync(join(base, 'evil'))).toBe(false);
    expect(readdirSync(base)).toEqual([]);
  });
});

describe('checkOutDir', () => {
  it('says why in one line: a path under a regular file, an out that is a file', async () => {
    const base = mkdtempSync(join(tmpdir(), 'report-w-'));
    writeFileSync(join(base, 'file'), 'x');
    await expect(checkOutDir(join(base, 'file', 'out'))).rejects.toThrow(/^cannot write the report to .*: a path component is not a directory$/);
    await expect(checkOutDir(join(base, 'file'))).rejects.toThrow(/exists and is not a directory$/);
    await checkOutDir(join(base, 'fine'));
    expect(readdirSync(base)).toEqual(['file']); // the probe left nothing
  });
});

describe('the out dir honours the umask, like every other tool', () => {
  it.each([[0o022, 0o755], [0o027, 0o750], [0o077, 0o700]])('umask %o: a fresh out dir and its traces/ get mode %o', async (umask, mode) => {
    const base = mkdtempSync(join(tmpdir(), 'report-w-'));
    const before = process.umask(umask);
    try {
      await writeOutDir(join(base, 'made', 'out'), files);
    } finally {
      process.umask(before);
    }
    expect(statSync(join(base, 'made', 'out')).mode & 0o777).toBe(mode);
    expect(statSync(join(base, 'made', 'out', 'traces')).mode & 0o777).toBe(mode);
    expect(statSync(join(base, 'made')).mode & 0o777).toBe(mode);
  });
});

