// The hand-derived 6.x verdicts of the examples and fixtures whose effects stay inside
// their rootfs, checked on the live kernel: each script runs as root inside a private
// mount namespace (unshare -m --propagation private) on a rootfs in a fresh tmpfs, with a
// static pty probe (live/pty-probe.c) as the command its chroot runs. Nothing outside the
// private namespace is mounted and nothing under /dev is written. Skipped, with the
// reason, where the machine cannot do it (not root, no unshare, no static C compiler).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './fixtures.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'devpts-live-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const probe = join(work, 'pty-probe');

/** Why the live check cannot run here, or null. */
function unavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root';
  if (spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status !== 0) return 'unshare -m does not work here';
  for (const cc of [['musl-gcc', '-static'], ['gcc', '-static']]) {
    const r = spawnSync(cc[0]!, [cc[1]!, '-O2', '-o', probe, here('./live/pty-probe.c')], { encoding: 'utf8' });
    if (r.status === 0) return null;
  }
  return 'no C compiler that links statically (musl-gcc or gcc -static)';
}
const why = unavailable();

/** A copy of a script with its chroot's command replaced by the probe. */
function withProbe(path: string, payload: RegExp): string {
  const text = readFileSync(path, 'utf8');
  if (!payload.test(text)) throw new Error(`${path}: the payload to replace is not there`);
  const copy = join(work, path.replace(/.*\//, ''));
  writeFileSync(copy, text.replace(payload, '/bin/probe'));
  return copy;
}

interface Live { root: string; user: string; pts: number; instance: number; hostpts: number; mountsAsBefore: boolean }

function runLive(args: readonly string[]): Live {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', '--', 'bash', here('./live/run-case.sh'), probe, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`run-case exited ${r.status}: ${r.stderr}`);
  const [a, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...(a as object), ...(b as object) } as Live;
}

/** The four verdicts from what the probe saw (reachable, isolated, host unharmed, non-root usable). */
function verdicts(l: Live): string {
  const isolated = l.pts !== l.hostpts && (l.instance === 0 || l.instance !== l.hostpts);
  return [l.root === 'yes', isolated, l.mountsAsBefore, l.user === 'yes'].map((v) => (v ? 'y' : 'n')).join('');
}

const example = (name: string): string => here(`../../examples/${name}`);
const fixture = (name: string): string => here(`./fixtures/${name}`);

/** The 6.x rows of examples/README.md and fixtures.ts, and how each script is run. */
const CASES: { name: string; expected: string; args: () => string[] }[] = [
  { name: 'examples/chroot-helper.sh', expected: 'yyyy', args: () => ['sh', example('chroot-helper.sh'), '{ROOT}', '/bin/probe'] },
  { name: 'examples/chroot-no-redirect.sh', expected: 'yyyy', args: () => ['sh', example('chroot-no-redirect.sh'), '{ROOT}', '/bin/probe'] },
  { name: 'examples/rootless-unshare.sh', expected: 'yyyn', args: () => ['sh', example('rootless-unshare.sh'), '{ROOT}', '/bin/probe'] },
  { name: 'examples/pbuilder-modules.sh', expected: 'yyyy', args: () => ['bash', '-c', `. ${withProbe(example('pbuilder-modules.sh'), /\/bin\/sh -c 'ls \/dev\/pts > \/dev\/null'/)}; build`] },
  { name: 'fixtures/debian-chroot-bind.sh', expected: FIXTURES['debian-chroot-bind.sh']!.table['6.x']!, args: () => ['sh', withProbe(fixture('debian-chroot-bind.sh'), /\/bin\/sh -c 'ls -l \/dev\/pts > \/dev\/null'/)] },
  { name: 'fixtures/debootstrap-devices.sh', expected: FIXTURES['debootstrap-devices.sh']!.table['6.x']!, args: () => ['sh', withProbe(fixture('debootstrap-devices.sh'), /\/bin\/sh -c 'ls \/dev\/pts > \/dev\/null'/), '{ROOT}'] },
  { name: 'fixtures/container-pivot-root.sh', expected: FIXTURES['container-pivot-root.sh']!.table['6.x']!, args: () => ['bash', withProbe(fixture('container-pivot-root.sh'), /\/bin\/sh -c "ls \/dev\/pts > \/dev\/null"/)] },
];

describe.skipIf(why !== null)(`the 6.x verdicts on the live kernel${why ? ` (skipped: ${why})` : ''}`, () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.expected}`, () => {
      const live = runLive(c.args());
      expect(verdicts(live), JSON.stringify(live)).toBe(c.expected);
    }, 60_000);
  }
});
