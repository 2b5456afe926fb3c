// `npm run bench -- --baseline REV`: the rates of `step` and of `explore` on this tree and
// on an earlier revision, measured side by side in one process (interleaved rounds, the
// fastest run of each counts), so a change's cost is a ratio, not a memory of another day.
// The revision's sources are extracted with `git archive` into bench/out/baseline-REV/
// (inside the project, so that its imports find this node_modules) and imported as they
// are: the same walks and the same scope run on both.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bootWith, profileOf, stepWith, type KernelState, type Op, type ProfileId } from '../model/index.ts';
import { Search } from '../explore/bfs.ts';
import { planChecks } from '../explore/checks.ts';
import { SMALL, type Scope } from '../explore/scope.ts';
import { KernelSystem } from '../explore/system.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = fileURLToPath(new URL('./out/', import.meta.url));

/** What the bench needs of a tree: its step, boot and explorer. */
interface Tree {
  readonly stepWith: typeof stepWith;
  readonly bootWith: typeof bootWith;
  readonly profileOf: typeof profileOf;
  readonly Search: typeof Search;
  readonly KernelSystem: typeof KernelSystem;
  readonly planChecks: typeof planChecks;
}

const HERE: Tree = { stepWith, bootWith, profileOf, Search, KernelSystem, planChecks };

/** Extract `rev` (once) and import its model and explorer. Throws with git's message when the revision is unknown. */
export async function loadBaseline(rev: string): Promise<{ rev: string; tree: Tree }> {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(OUT, `baseline-${sha}`);
  if (!existsSync(join(dir, 'model', 'index.ts'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', sha], { cwd: ROOT, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
  }
  const load = (p: string) => import(pathToFileURL(join(dir, p)).href);
  const [model, bfs, checks, system] = await Promise.all([load('model/index.ts'), load('explore/bfs.ts'), load('explore/checks.ts'), load('explore/system.ts')]);
  return {
    rev: sha,
    tree: { stepWith: model.stepWith, bootWith: model.bootWith, profileOf: model.profileOf, Search: bfs.Search, KernelSystem: system.KernelSystem, planChecks: checks.planChecks },
  };
}

/**
 * Interleaved rounds of two engines; the fastest of each counts. Each round is timed in
 * CPU time of this process (user + system), not wall time: on a machine shared by other
 * jobs the wall clock also counts the time the process waited for a core.
 */
function interleaved(seconds: number, minRounds: number, a: () => number, b: () => number): { a: number; b: number; rounds: number } {
  let bestA = Infinity, bestB = Infinity, rounds = 0;
  const deadline = performance.now() + seconds * 2000;
  while (rounds < minRounds || performance.now() < deadline) {
    bestA = Math.min(bestA, a());
    bestB = Math.min(bestB, b());
    rounds++;
  }
  return { a: bestA, b: bestB, rounds };
}

/** CPU milliseconds `f` takes. */
function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** Steps/s of `step` and distinct states/s of `explore` (invariants on), this tree vs the baseline. */
export function benchAgainst(base: { rev: string; tree: Tree }, profile: ProfileId, walks: readonly Op[][], seconds: number, scope: Scope = SMALL) {
  const stepRound = (t: Tree) => {
    const p = t.profileOf(profile);
    const boot: KernelState = t.bootWith(p, {});
    const steps = walks.reduce((n, ops) => n + ops.length, 0);
    return () => cpuMs(() => { for (const ops of walks) { let s = boot; for (const op of ops) s = t.stepWith(p, s, op).state; } }) / steps; // ms per step
  };
  const exploreRound = (t: Tree) => {
    const p = t.profileOf(profile);
    const checks = t.planChecks(p, ['I1', 'I2', 'I3', 'I4', 'I5']).checks;
    return () => {
      let distinct = 1;
      const ms = cpuMs(() => { distinct = new t.Search(new t.KernelSystem(p, scope)).run({ depth: scope.depth, checks }).distinct; });
      return ms / distinct; // ms per distinct state
    };
  };
  // many rounds: on a shared machine one round in several is disturbed; the least disturbed counts
  const step = interleaved(seconds, 40, stepRound(HERE), stepRound(base.tree));
  const explore = interleaved(seconds, 15, exploreRound(HERE), exploreRound(base.tree));
  return {
    baseline: base.rev,
    timing: `interleaved rounds in CPU time (step ${step.rounds}, explore ${explore.rounds}), the fastest of each counts`,
    step: { here: 1000 / step.a, baseline: 1000 / step.b, ratio: step.b / step.a },
    explore: { here: 1000 / explore.a, baseline: 1000 / explore.b, ratio: explore.b / explore.a },
  };
}
