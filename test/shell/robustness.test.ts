// Bad and odd input ends with a clear message or a verdict, never a stack trace:
// malformed, binary, non-UTF-8, empty, missing; runaway loops and recursion; and a
// 10,000-line script (its time is printed; the bound here is only a sanity check).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_IDS } from '../../model/index.ts';
import { check, longScript, runCli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'devpts-robust-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const noStack = (text: string): void => {
  expect(text).not.toMatch(/\n\s+at /);
  expect(text).not.toContain('internal error');
};

describe('robustness', () => {
  it('a malformed script: exit 2, line and column', async () => {
    for (const [name, text, where] of [
      ['unclosed-if.sh', 'if [ -e /dev/ptmx ]; then\n  mount -t devpts devpts /dev/pts\n', /unclosed-if\.sh:\d+:\d+: parse error: /],
      ['stray.sh', 'echo ok\n)\n', /stray\.sh:2:1: parse error: /],
      ['bad-subst.sh', 'X=$(echo\nmount /dev/pts\n', /bad-subst\.sh:\d+:\d+: parse error: /],
    ] as const) {
      const r = await runCli(file(name, text));
      expect(r.code, name).toBe(2);
      expect(r.err, name).toMatch(where);
      noStack(r.err);
    }
  });

  it('a binary file: exit 2, said plainly', async () => {
    const r = await runCli(file('a.out', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0x3e, 0])));
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/a\.out: a binary file \(NUL byte at offset 7\), not a shell script\n$/);
  });

  it('text that is not UTF-8: exit 2', async () => {
    const r = await runCli(file('latin1.sh', Buffer.from('echo caf\xe9\n', 'latin1')));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/latin1\.sh: not UTF-8 text/);
  });

  it('a missing file or a directory: exit 2', async () => {
    expect((await runCli(join(dir, 'nope.sh'))).err).toMatch(/nope\.sh: cannot read the script: no such file or directory\n$/);
    mkdirSync(join(dir, 'adir'));
    expect(await runCli(join(dir, 'adir'))).toMatchObject({ code: 2, err: expect.stringMatching(/adir: cannot read the script: it is a directory\n$/) });
  });

  it('an empty file (or comments only): one clear line and exit 2, not a report on the boot state', async () => {
    for (const [name, text] of [['empty.sh', ''], ['comments.sh', '#!/bin/sh\n# nothing yet\n\n']] as const) {
      const r = await runCli(file(name, text), { profile: ['6.x'] });
      expect(r.code, name).toBe(2);
      expect(r.out, name).toBe('');
      expect(r.err, name).toMatch(/^devpts-check: .*: the script is empty \(no commands\): nothing to check\n$/);
    }
  });

  it('runaway loops and recursion are cut, with a warning', async () => {
    const r = await check('while true; do touch /tmp/x; done\nf() { f; }\nf\nuntil false; do :; done\n', ['6.x']);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, expect.stringContaining('has not ended after 1000 iterations')],
      [2, expect.stringContaining('function calls nest deeper than 100')],
      [4, expect.stringContaining('has not ended after 1000 iterations')],
    ]);
  });

  it('deep nesting and a very long line', async () => {
    const nested = `${'if true; then\n'.repeat(300)}touch /tmp/deep\n${'fi\n'.repeat(300)}`;
    const r = await check(nested, ['6.x']);
    expect(r.profiles[0]!.steps.some((s) => s.op.op === 'touch')).toBe(true);
    const long = await check(`frobnicate ${'x'.repeat(200_000)}\ntouch /tmp/after\n`, ['6.x']);
    expect(long.profiles[0]!.findings[0]!.command.length).toBeLessThanOrEqual(100);
  });

  it('nesting deeper than the parsers can follow: exit 2, said plainly', async () => {
    const r = await runCli(file('chain.sh', `true${' && true'.repeat(2000)}\n`));
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/chain\.sh: .*nests too deeply/);
    noStack(r.err);
    // and the next script parses as usual
    expect((await runCli(file('after.sh', 'echo ok\n'), { profile: ['6.x'] })).code).toBe(1);
  });

  it('a 10,000-line script gets a verdict (time printed)', async () => {
    const text = longScript(10_000);
    expect(text.split('\n')).toHaveLength(10_001);
    const started = performance.now();
    const r = await runCli(file('long.sh', text));
    const seconds = (performance.now() - started) / 1000;
    console.log(`10,000-line script, ${PROFILE_IDS.length} profiles: ${seconds.toFixed(2)} s`);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Effect unknown: none');
    noStack(r.out + r.err);
    expect(seconds).toBeLessThan(60); // a sanity bound only; see the printed time
  });
});
