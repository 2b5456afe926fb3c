// Word expansion as the real shells do it: generated words (quoting, $VAR and ${…} forms
// inside words, IFS splitting, $@ and $*, command substitution with known output,
// arithmetic) are counted and printed in dash and in bash (Debian's packages,
// installed by .ci/run), and by the checker (parse, expand, its printf builtin). The
// fields must be the same. The same property, with each word read from tree-sitter's
// nodes as the checker did before shell/syntax/words.ts, finds the bug that left
// `$TTYMODE` unexpanded.

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { boot } from '../../model/index.ts';
import type { ShellName } from '../../shell/ast.ts';
import { Capture } from '../../shell/cmd/context.ts';
import { Interp } from '../../shell/interp.ts';
import { parseScript, type ParseOptions } from '../../shell/parse.ts';
import { Run } from '../../shell/run.ts';
import { newShell } from '../../shell/shell-state.ts';
import { loadShellParser } from '../../shell/syntax/tree.ts';
import { scriptOf, wordCase, type WordCase } from './words-gen.ts';
import { treeSitterWord } from './tree-words.ts';

const have = (shell: string): boolean => spawnSync(shell, ['-c', ':']).status === 0;
const SHELLS = ['dash', 'bash'] as const;
const missing = SHELLS.filter((s) => !have(s));
// CI installs them (.ci/run); elsewhere a missing shell skips its half, and says so
const inCi = process.env.CI === 'true';

const cwd = mkdtempSync(join(tmpdir(), 'devpts-words-'));

/** What the real shell prints, with an empty environment, in an empty directory. */
function real(shell: string, text: string): string {
  const r = spawnSync(shell, ['-c', text, 'test.sh'], { env: {}, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return r.status === 0 ? r.stdout : `${r.stdout}<status ${r.status}: ${r.stderr.trim()}>`;
}

/** What the checker prints for the script (parsed as for a real check; run in an empty directory of the model). */
async function checker(shell: ShellName, text: string, readWord?: ParseOptions['readWord']): Promise<string> {
  const parsed = await parseScript(text, { shell, ...(readWord ? { readWord } : {}) });
  const run = new Run('6.x', boot('6.x', {}));
  run.exec({ op: 'spawn', pid: 1, child: 2 }, null);
  run.exec({ op: 'mkdir', pid: 2, path: '/tmp/w' }, null);
  const capture = new Capture();
  const interp = new Interp(run, { syntax: parsed.syntax, self: { names: [], program: parsed.program }, sourceText: () => null, onContainerDone: () => {} });
  const end = interp.runScript(parsed.program, newShell({ name: shell, scriptName: 'test.sh', pid: 2, cwd: '/tmp/w' }), { stdin: null, out: capture });
  if (capture.why !== null) return `<unknown: ${capture.why}>`;
  return end.ending === 'fatal' ? `${capture.text}<status 2: ${end.message}>` : capture.text;
}

const agrees = async (c: WordCase, readWord?: ParseOptions['readWord']): Promise<boolean> => {
  const text = scriptOf(c);
  return (await checker(c.shell, text, readWord)) === real(c.shell, text);
};

/** A fixed seed (the failure replays); DEVPTS_WORDS_SEED and DEVPTS_WORDS_RUNS explore further. */
const SEED = Number(process.env.DEVPTS_WORDS_SEED ?? 20250114);
const RUNS = Number(process.env.DEVPTS_WORDS_RUNS ?? 120);

/** The word of the bug report, in a case that takes its variables from the script. */
const TTYMODE: WordCase = {
  shell: 'dash', vars: [['A', '5'], ['B', '620'], ['C', null]], positional: [], ifs: null,
  words: ['-o', 'newinstance,noexec,nosuid,gid=$A,mode=$B,ptmxmode=0666'],
};

/** Quoted expansions of nothing: each is one empty field ("$@" excepted). */
const EMPTY: WordCase = { shell: 'dash', vars: [['A', null], ['B', ''], ['C', 'x']], positional: [], ifs: null, words: ['"$A"', '"${B:+y}"', '"$@"', '"${C#x}"'] };

beforeAll(() => loadShellParser());

describe('word expansion, compared with the real shells', () => {
  for (const shell of SHELLS) {
    const skip = missing.includes(shell) && !inCi;
    it.skipIf(skip)(`${shell}: the checker expands generated words into the same fields${skip ? ` (${shell} is not installed)` : ''}`, async () => {
      if (missing.includes(shell)) throw new Error(`${shell} is not installed (.ci/run installs it)`);
      await fc.assert(fc.asyncProperty(wordCase(shell), async (c) => {
        const text = scriptOf(c);
        expect(await checker(shell, text)).toBe(real(shell, text));
      }), { numRuns: RUNS, seed: SEED, examples: [[{ ...TTYMODE, shell }], [{ ...EMPTY, shell }]] });
    }, 120_000);
  }

  it.skipIf(missing.includes('dash') && !inCi)('expands every part of the bug report\'s mount options', async () => {
    const text = scriptOf(TTYMODE);
    expect(real('dash', text)).toBe('2<-o><newinstance,noexec,nosuid,gid=5,mode=620,ptmxmode=0666>\n');
    expect(await checker('dash', text)).toBe(real('dash', text));
  });

  it.skipIf(missing.includes('dash') && !inCi)('finds the bug in a word reader that trusts tree-sitter\'s nodes (the checker before)', async () => {
    // the bug report's word itself
    expect(await agrees(TTYMODE, treeSitterWord)).toBe(false);
    // and, without being shown it, the generator finds a word the old reader gets wrong
    const found = await fc.check(fc.asyncProperty(wordCase('dash'), (c) => agrees(c, treeSitterWord)), { numRuns: 250, seed: 20250114 });
    expect(found.failed).toBe(true);
  }, 120_000);
});
