// Saving: canonical text, written atomically; a failed save leaves no temporary file
// and the old file intact.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTrace, TraceError } from '../../traces/load.ts';
import { formatTrace, NODE_FS, saveTrace, writeFileAtomic, type AtomicWriteFs } from '../../traces/save.ts';
import { scratchDir, u5Trace } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await scratchDir()));
afterEach(() => cleanup());

/** The real file system, except that the named call fails. */
function failing(call: 'sync' | 'rename' | 'writeFile'): AtomicWriteFs {
  const boom = async () => { throw Object.assign(new Error(`${call} failed`), { code: 'EIO' }); };
  return {
    ...NODE_FS,
    rename: call === 'rename' ? boom : NODE_FS.rename,
    open: async (path, flags, mode) => {
      const handle = await NODE_FS.open(path, flags, mode);
      return {
        writeFile: call === 'writeFile' ? async (data: string) => { await handle.writeFile(data.slice(0, 10)); await boom(); } : (data) => handle.writeFile(data),
        sync: call === 'sync' ? boom : () => handle.sync(),
        close: () => handle.close(),
      };
    },
  };
}

describe('saving a trace', () => {
  it('writes a file that loads back to the same trace', async () => {
    const path = join(dir, 'u5.json');
    await saveTrace(path, u5Trace());
    expect(await loadTrace(path)).toEqual(u5Trace());
    expect(await readdir(dir)).toEqual(['u5.json']);
  });

  it('is canonical: stable key order, 2-space indent, trailing newline', async () => {
    const shuffled = { steps: u5Trace().steps.map((s) => Object.fromEntries(Object.entries(s).reverse())), profile: '2.6.39-y', format: 'devpts-trace/1', zeta: { b: 1, a: 2 }, clauses: ['U5'] };
    const text = formatTrace(shuffled as never);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "format": "devpts-trace/1",');
    expect(Object.keys(JSON.parse(text))).toEqual(['format', 'profile', 'clauses', 'zeta', 'steps']);
    expect(Object.keys(JSON.parse(text).steps[2])).toEqual(['op', 'pid', 'fstype', 'target', 'options', 'expect']);
    expect(Object.keys(JSON.parse(text).zeta)).toEqual(['a', 'b']);
    expect(formatTrace(JSON.parse(text))).toBe(text);
  });

  it('never writes an invalid trace', async () => {
    const path = join(dir, 'bad.json');
    const bad = { ...u5Trace(), profile: '9.9' } as never;
    await expect(saveTrace(path, bad)).rejects.toBeInstanceOf(TraceError);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('an atomic write that fails', () => {
  for (const call of ['writeFile', 'sync', 'rename'] as const) {
    it(`at ${call}: leaves the old file intact and no temporary file`, async () => {
      const path = join(dir, 'trace.json');
      await writeFile(path, 'old contents\n');
      await expect(writeFileAtomic(path, 'new contents\n', failing(call))).rejects.toThrow(`${call} failed`);
      expect(await readFile(path, 'utf8')).toBe('old contents\n');
      expect(await readdir(dir)).toEqual(['trace.json']);
    });
  }

  it('into a folder that does not exist: an error, nothing written', async () => {
    await expect(writeFileAtomic(join(dir, 'no', 'such.json'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('replaces the file whole when it succeeds', async () => {
    const path = join(dir, 'trace.json');
    await writeFile(path, 'old contents\n');
    await writeFileAtomic(path, 'new contents\n');
    expect(await readFile(path, 'utf8')).toBe('new contents\n');
    expect(await readdir(dir)).toEqual(['trace.json']);
  });
});
