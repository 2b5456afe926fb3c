// The script fixtures (fixtures.ts): each parses with its own shell's parser and the
// checker's, and gets the verdicts the kernel's rules give, with nothing unknown but
// the commands named. Verdicts need the model of the "world" issue (roots, devtmpfs,
// move, propagation, user namespaces): until the model has what a fixture needs, its
// verdict test is skipped and says what is missing.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceLookup } from '../../cli/commands/script.ts';
import { checkScript } from '../../shell/check.ts';
import { parseScript } from '../../shell/parse.ts';
import { unknownByCommand } from '../../shell/render.ts';
import { capabilities } from '../../shell/world.ts';
import { FIXTURES, type Fixture } from './fixtures.ts';
import { modelHas, verdict, verdictTable } from './helpers.ts';

const dir = fileURLToPath(new URL('./fixtures/', import.meta.url));
const text = (f: Fixture): string => readFileSync(dir + f.file, 'utf8');

/** The target shell's own parser: dash for sh, `busybox sh`. */
const PARSERS: Record<string, string[]> = { sh: ['dash', '-n'], dash: ['dash', '-n'], bash: ['bash', '-n'], mksh: ['mksh', '-n'], busybox: ['busybox', 'sh', '-n'] };
const have = (cmd: string): boolean => spawnSync(cmd, ['-c', 'true'], { stdio: 'ignore' }).status === 0 || spawnSync('which', [cmd], { stdio: 'ignore' }).status === 0;
const inCi = process.env.CI === 'true';

const missingNeed = (f: Fixture): string | null => {
  for (const n of f.needs) {
    if (n === 'devtmpfs') { if (!capabilities().devtmpfs) return 'devtmpfs'; continue; }
    if (!modelHas(n)) return n.op;
  }
  return null;
};

describe('script fixtures: every one parses', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    const [cmd, ...args] = PARSERS[f.shell]!;
    it.skipIf(!have(cmd!) && !inCi)(`${name}: ${cmd} ${args.join(' ')} accepts it, and so does the checker, whole`, async () => {
      const r = spawnSync(cmd!, [...args, dir + f.file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(r.status, r.stderr).toBe(0);
      const parsed = await parseScript(text(f), f.options.shell ? { shell: f.options.shell } : {});
      expect(parsed.shell).toBe(f.shell);
      expect(parsed.opaque).toEqual([]);
    });
  }
});

describe('script fixtures: the verdicts the kernel\'s rules give', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    const missing = missingNeed(f);
    it.skipIf(missing !== null)(`${name}${missing ? ` (skipped: the model has no ${missing} yet)` : ''}`, async () => {
      const report = await checkScript(text(f), {
        scriptName: f.file, ...f.options, ...(f.sourcePath ? { sourceText: sourceLookup([dir + 'lib']) } : {}),
      });
      expect(verdictTable(report)).toEqual(f.table);
      const unknown = unknownByCommand(report).map((g) => g.command);
      expect(unknown.filter((c) => !(f.unknown ?? []).includes(c)), JSON.stringify(report.warnings.map((w) => `${w.line}: ${w.message}`))).toEqual([]);
      for (const [key, re] of Object.entries(f.why ?? {})) {
        const [profile, v] = key.split('/') as [Parameters<typeof verdict>[1], Parameters<typeof verdict>[2]];
        expect(verdict(report, profile, v).why).toMatch(re);
      }
    });
  }
});
