// `npm run bench`: one run that measures, side by side on this machine,
//   (a) steps/s of the bare `step` vs the xstate machine (actor.send), same op sequences;
//   (b) distinct states/s of `explore` (invariants on) vs a breadth-first traversal of the
//       same model and scope through @xstate/graph (getAdjacencyMap over kernelMachine,
//       with the explorer's canonical key as serializeState so both count the same states);
//   (c) random 20-step sequences/s of the property runner (fast-check, every invariant on);
//   (d) kernel-checked sequences/s (kernel/bench.ts measureKernelRate), where it can run;
//   (e) the `doc` scope per profile, each in its own process: time, peak RSS, bytes/state.
// Prints a table with ratios and writes bench/out/latest.json (bench/out/ is not committed).

import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import fc from 'fast-check';
import { getAdjacencyMap } from '@xstate/graph';
import {
  bootWith, kernelMachine, opEvent, profileOf, startKernelActor, stepWith,
  type KernelState, type Op, type ProfileId,
} from '../model/index.ts';
import { runs } from '../properties/generators/index.ts';
import { INVARIANTS } from '../clauses/index.ts';
import { Search } from '../explore/bfs.ts';
import { canonical } from '../explore/canon.ts';
import { planChecks } from '../explore/checks.ts';
import { DOC, SMALL, type Scope } from '../explore/scope.ts';
import { KernelSystem } from '../explore/system.ts';
import { benchAgainst, loadBaseline } from './baseline.ts';

export const BENCH_OUT_DIR = fileURLToPath(new URL('./out/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/devpts-check.js', import.meta.url));

export interface BenchOptions {
  /** Seconds per timed measurement (a, c, d). Default 3. */
  seconds?: number;
  /** Profile of (a)–(c). Default 2.6.39-y. */
  profile?: ProfileId;
  /** Scope of (b). Default small. */
  scope?: Scope;
  /** Profiles of (e); [] skips it. Default all four. */
  docProfiles?: ProfileId[];
  /** A git revision to measure `step` and `explore` against, side by side (bench/baseline.ts). */
  baseline?: string;
  out?: (line: string) => void;
}

/** A deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random walks through a scope's alphabet: the same op sequences for both engines of (a). */
export function walks(profile: ProfileId, scope: Scope, count: number, length: number, seed = 1): Op[][] {
  const sys = new KernelSystem(profile, scope);
  const rnd = prng(seed);
  const out: Op[][] = [];
  for (let w = 0; w < count; w++) {
    let s = sys.initial()[0]!;
    const ops: Op[] = [];
    for (let i = 0; i < length; i++) {
      const { actions, ctx } = sys.expand(s);
      const op = actions[Math.floor(rnd() * actions.length)]!;
      const next = sys.apply(s, ctx, op);
      if (!next) continue;
      ops.push(op);
      s = next.state;
    }
    out.push(ops);
  }
  return out;
}

/** Repeat `body` (one round) until `seconds` passed; returns rounds per second and the units it counted. */
function timed(seconds: number, body: () => number): { units: number; seconds: number } {
  body(); // warm up
  let units = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  while (performance.now() < deadline) units += body();
  return { units, seconds: (performance.now() - t0) / 1000 };
}

// ---- (a) step vs actor.send --------------------------------------------------------------

export function benchStep(profile: ProfileId, seconds: number) {
  const p = profileOf(profile);
  const boot = bootWith(p, {});
  const seqs = walks(profile, SMALL, 200, 20);
  const bare = timed(seconds, () => {
    let n = 0;
    for (const ops of seqs) { let s = boot; for (const op of ops) { s = stepWith(p, s, op).state; n++; } }
    return n;
  });
  const events = seqs.map((ops) => ops.map(opEvent));
  const machine = timed(seconds, () => {
    let n = 0;
    for (const evs of events) {
      const actor = startKernelActor(p, boot);
      for (const e of evs) { actor.send(e); n++; }
      actor.stop();
    }
    return n;
  });
  const stepRate = bare.units / bare.seconds, actorRate = machine.units / machine.seconds;
  return { stepsPerSecond: stepRate, actorStepsPerSecond: actorRate, ratio: stepRate / actorRate, sequences: seqs.length, stepsPerSequence: 20 };
}

// ---- (b) explore vs @xstate/graph --------------------------------------------------------

/**
 * Time several engines side by side: rounds in which every engine runs once, repeated
 * until `seconds` per engine have passed and at least `minRounds` rounds were made; for
 * each engine its fastest run counts. Interleaving keeps a change of load on a shared
 * machine from favouring whichever engine happened to run first; the fastest run is
 * the least disturbed one.
 */
function sideBySide<T extends Record<string, () => { seconds: number }>>(seconds: number, minRounds: number, engines: T): { [K in keyof T]: ReturnType<T[K]> & { runs: number } } {
  const best: Record<string, { seconds: number }> = {};
  const names = Object.keys(engines);
  const deadline = performance.now() + seconds * names.length * 1000;
  let rounds = 0;
  while (rounds < minRounds || performance.now() < deadline) {
    for (const name of names) {
      const r = engines[name]!();
      if (!best[name] || r.seconds < best[name]!.seconds) best[name] = r;
    }
    rounds++;
  }
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = { ...best[name]!, runs: rounds };
  return out as { [K in keyof T]: ReturnType<T[K]> & { runs: number } };
}

export function benchExplore(profile: ProfileId, scope: Scope, depth = scope.depth, seconds = 3) {
  const p = profileOf(profile);
  const invariants = planChecks(p, ['I1', 'I2', 'I3', 'I4', 'I5']).checks;
  const explore = (checks: typeof invariants) => () => {
    const r = new Search(new KernelSystem(p, scope)).run({ depth, checks });
    return { distinct: r.distinct, transitions: r.transitions, seconds: r.elapsedMs / 1000, statesPerSecond: r.distinct / (r.elapsedMs / 1000) };
  };
  const allClauses = planChecks(p).checks;

  // The model's own share: exactly the steps the explorer takes (every action of every
  // expanded state), stepped again without the search (no keys, no visited set, no
  // checks). Its rate bounds what any explorer over this model and scope can reach.
  const recorder = new KernelSystem(p, scope);
  const steps: [KernelState, Op][] = [];
  const applyOne = recorder.apply.bind(recorder);
  recorder.apply = (s, ctx, op) => { steps.push([s, op]); return applyOne(s, ctx, op); };
  new Search(recorder).run({ depth });
  const modelAlone = () => {
    const t0 = performance.now();
    for (const [s, op] of steps) stepWith(p, s, op);
    return { seconds: (performance.now() - t0) / 1000 };
  };

  // @xstate/graph: getAdjacencyMap is a BFS (FIFO queue) from the machine's initial
  // snapshot; events per snapshot are the scope's actions; a snapshot at the depth bound
  // is not expanded (stopWhen); the scope's pty/mount bounds drop the events that would
  // leave it (checked by stepping them, as the explorer does).
  const sys = new KernelSystem(p, scope);
  /** The scope's actions as events; the pty/mount bounds drop those that would leave it. */
  const scopeEvents = (snap: { context: { kernel: KernelState } }) => {
    const s = snap.context.kernel;
    const { actions, ctx } = sys.expand(s);
    return actions.filter((op) => (op.op !== 'open' && op.op !== 'mount' && op.op !== 'bind') || sys.apply(s, ctx, op) !== null).map(opEvent);
  };
  const graphSameKey = () => {
    const depthOf = new WeakMap<object, number>();
    const t0 = performance.now();
    const adj = getAdjacencyMap(kernelMachine as never, {
      input: { profile: p, kernel: sys.initial()[0]! } as never,
      events: scopeEvents as never,
      serializeState: ((snap: { context: { kernel: KernelState } }, _e: unknown, prev?: object) => {
        if (!depthOf.has(snap)) depthOf.set(snap, prev ? depthOf.get(prev)! + 1 : 0);
        return canonical(snap.context.kernel).key;
      }) as never,
      serializeEvent: ((e: { op: Op }) => JSON.stringify(e.op)) as never,
      stopWhen: ((snap: object) => depthOf.get(snap)! >= depth) as never,
    });
    return { seconds: (performance.now() - t0) / 1000, distinct: Object.keys(adj).length };
  };

  // The same traversal with @xstate/graph's own default serializer (JSON of value and
  // context, as a user of the library gets it): no canonical key, so it enumerates
  // every differently-named variant of a state (ids, handle names, the last result).
  // Capped at `capSeconds`: past it, stopWhen stops expanding and the queue drains.
  const capSeconds = 60;
  const graphDefaultSerializer = () => {
    const depthOf = new WeakMap<object, number>();
    const t1 = performance.now();
    let capped = false;
    const adj = getAdjacencyMap(kernelMachine as never, {
      input: { profile: p, kernel: sys.initial()[0]! } as never,
      events: scopeEvents as never,
      serializeState: ((snap: { value: unknown; context: object }, _e: unknown, prev?: object) => {
        if (!depthOf.has(snap)) depthOf.set(snap, prev ? depthOf.get(prev)! + 1 : 0);
        return JSON.stringify({ value: snap.value, context: snap.context }); // @xstate/graph's serializeSnapshot
      }) as never,
      stopWhen: ((snap: object) => {
        if (performance.now() - t1 > capSeconds * 1000) { capped = true; return true; }
        return depthOf.get(snap)! >= depth;
      }) as never,
    });
    return { seconds: (performance.now() - t1) / 1000, snapshots: Object.keys(adj).length, capped };
  };

  explore([])(); // warm up the JIT on the shared code before the first round
  const t = sideBySide(seconds, 2, {
    withInvariants: explore(invariants), bare: explore([]), all: explore(allClauses),
    modelAlone, graph: graphSameKey, graphDefault: graphDefaultSerializer,
  });
  const { withInvariants, bare, all, graph, graphDefault } = t;
  const stepped = t.modelAlone;
  const modelOnly = {
    steps: steps.length, seconds: stepped.seconds, runs: stepped.runs,
    /** distinct states / the model's time: no explorer of this model and scope gets past it */
    statesPerSecondBound: withInvariants.distinct / stepped.seconds,
    /** share of explore's time (invariants on) that is the model's */
    share: stepped.seconds / withInvariants.seconds,
  };
  return {
    scope: scope.name, depth, profile,
    timing: `side by side: ${withInvariants.runs} rounds of every engine, the fastest run of each counts`,
    explore: withInvariants,
    exploreNoChecks: bare,
    exploreAllClauses: all,
    modelOnly,
    graph: { engine: '@xstate/graph getAdjacencyMap (machine.transition per event), serializeState = the explorer\'s canonical key', distinct: graph.distinct, seconds: graph.seconds, runs: graph.runs, statesPerSecond: graph.distinct / graph.seconds },
    graphDefault: { engine: '@xstate/graph getAdjacencyMap with its default serializer (JSON of value and context)', snapshots: graphDefault.snapshots, seconds: graphDefault.seconds, runs: graphDefault.runs, capped: graphDefault.capped, capSeconds },
    ratio: withInvariants.statesPerSecond / (graph.distinct / graph.seconds),
    /** Time to cover the scope: graph with its default serializer / explore with invariants (a lower bound when capped). */
    coverRatioDefault: graphDefault.seconds / withInvariants.seconds,
    /** The best same-key ratio any explorer could reach on this model: graph time / the model's time. */
    ratioBound: graph.seconds / stepped.seconds,
    sameStateCount: graph.distinct === withInvariants.distinct,
  };
}

// ---- (c) the property runner -------------------------------------------------------------

export function benchRandom(profile: ProfileId, seconds: number) {
  const p = profileOf(profile);
  const arb = runs(profile, { maxSteps: 20 });
  const ids = Object.keys(INVARIANTS) as (keyof typeof INVARIANTS)[];
  let seed = 1;
  let steps = 0;
  const r = timed(seconds, () => {
    const n = 200;
    fc.assert(fc.property(arb, (run) => {
      for (let i = 0; i < run.ops.length; i++) {
        for (const id of ids) if (INVARIANTS[id](p, run.states[i]!, run.ops[i]!, run.results[i]!, run.states[i + 1]!) !== null) return false;
      }
      steps += run.ops.length;
      return true;
    }), { numRuns: n, seed: seed++ });
    return n;
  });
  return { sequencesPerSecond: r.units / r.seconds, sequences: r.units, meanSteps: steps / r.units, seconds: r.seconds };
}

// ---- (d) the live kernel -------------------------------------------------------------------

export async function benchKernel(seconds: number): Promise<{ sequencesPerSecond: number; divergences: number } | { skipped: string }> {
  let mod: { measureKernelRate?: (s: number) => Promise<{ rate: number; divergences: number }> };
  try {
    const path = '../kernel/bench.ts';
    mod = await import(path);
  } catch {
    return { skipped: 'kernel/bench.ts is not there' };
  }
  if (!mod.measureKernelRate) return { skipped: 'kernel/bench.ts has no measureKernelRate' };
  try {
    const r = await mod.measureKernelRate(seconds);
    return { sequencesPerSecond: r.rate, divergences: r.divergences };
  } catch (e) {
    return { skipped: (e as Error).message.split('\n')[0]! };
  }
}

/** (d') the old profiles on their QEMU kernels: 1,200 sequences each, three guests, boots included. */
export async function benchGuests(): Promise<({ profile: ProfileId; sequencesPerSecond: number; divergences: number; lost: number; kernel: string } | { profile: ProfileId; skipped: string })[]> {
  const out = [];
  const { measureGuestRate } = await import('../kernel/bench.ts');
  for (const profile of ['2.6.39-n', '2.6.39-y', '3.4-y', '4.4-n', '4.4-y'] as ProfileId[]) {
    try {
      const r = await measureGuestRate(profile, 1200, 3);
      out.push({ profile, sequencesPerSecond: r.rate, divergences: r.divergences, lost: r.lost, kernel: r.kernel });
    } catch (e) {
      out.push({ profile, skipped: (e as Error).message.split('\n')[0]! });
    }
  }
  return out;
}

// ---- (e) the doc scope, one process per profile -----------------------------------------------

export function benchDoc(profile: ProfileId) {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [BIN, 'explore', '--profile', profile, '--scope', 'doc', '--json', '--no-progress', '--out', join(BENCH_OUT_DIR, 'traces')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t0) / 1000;
  let j: { searches: { label: string; distinct: number; transitions: number; elapsedMs: number; visitedBytes: number; peakHeapBytes: number; stop: string }[]; maxRssBytes: number; status: string };
  try { j = JSON.parse(child.stdout); } catch { return { profile, error: `explore failed (exit ${child.status}): ${child.stderr.split('\n')[0]}` }; }
  const model = j.searches.find((s) => s.label.startsWith('model'))!;
  const distinct = j.searches.reduce((a, s) => a + s.distinct, 0);
  return {
    profile, seconds, exit: child.status, status: j.status,
    searches: j.searches.map((s) => ({ label: s.label, distinct: s.distinct, transitions: s.transitions, seconds: s.elapsedMs / 1000, stop: s.stop })),
    modelStates: model.distinct, modelSeconds: model.elapsedMs / 1000,
    distinct, maxRssBytes: j.maxRssBytes,
    visitedBytesPerState: model.visitedBytes / model.distinct,
    rssBytesPerState: j.maxRssBytes / distinct,
  };
}

// ---- all of it ---------------------------------------------------------------------------

const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

export async function runBench(o: BenchOptions = {}) {
  const out = o.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const seconds = o.seconds ?? 3;
  const profile = o.profile ?? '2.6.39-y';
  const scope = o.scope ?? SMALL;
  const machine = { node: process.version, cpus: (await import('node:os')).cpus().length, cpu: (await import('node:os')).cpus()[0]?.model ?? '?', heapLimitBytes: v8.getHeapStatistics().heap_size_limit, loadavg: (await import('node:os')).loadavg() };
  out(`devpts-check bench — node ${machine.node}, ${machine.cpus} × ${machine.cpu}, load ${machine.loadavg.map((x) => x.toFixed(1)).join(' ')}`);

  // (a') first: both trees measured fresh, before this tree's machine and explorer have run (JIT state)
  let vs: ReturnType<typeof benchAgainst> | { skipped: string } | null = null;
  if (o.baseline !== undefined) {
    try {
      vs = benchAgainst(await loadBaseline(o.baseline), profile, walks(profile, SMALL, 200, 20), seconds);
      out(`(a') this tree vs ${vs.baseline} (${profile}; ${vs.timing}):`);
      out(`    step    ${fmt(vs.step.here)} vs ${fmt(vs.step.baseline)} steps/s = ${fmt(vs.step.ratio * 100, 1)}% of the baseline's rate`);
      out(`    explore ${fmt(vs.explore.here)} vs ${fmt(vs.explore.baseline)} states/s (scope small, invariants on) = ${fmt(vs.explore.ratio * 100, 1)}%`);
    } catch (e) {
      vs = { skipped: (e as Error).message.split('\n')[0]! };
      out(`(a') against ${o.baseline}: skipped (${vs.skipped})`);
    }
  }

  const a = benchStep(profile, seconds);
  out(`(a) step vs xstate actor.send (${profile}, 20-step walks of scope small):`);
  out(`    step ${fmt(a.stepsPerSecond)} steps/s   actor.send ${fmt(a.actorStepsPerSecond)} steps/s   ratio ${fmt(a.ratio, 1)}×`);

  const b = benchExplore(profile, scope, scope.depth, seconds);
  out(`(b) explore vs @xstate/graph (${profile}, scope ${b.scope}, depth ${b.depth}; ${b.timing}):`);
  out(`    explore, invariants on   ${fmt(b.explore.distinct)} states in ${fmt(b.explore.seconds, 2)} s = ${fmt(b.explore.statesPerSecond)} states/s (${fmt(b.explore.transitions)} transitions)`);
  out(`    explore, no checks       ${fmt(b.exploreNoChecks.statesPerSecond)} states/s;  every clause on: ${fmt(b.exploreAllClauses.statesPerSecond)} states/s`);
  out(`    @xstate/graph, same key  ${fmt(b.graph.distinct)} states in ${fmt(b.graph.seconds, 2)} s = ${fmt(b.graph.statesPerSecond)} states/s${b.sameStateCount ? '' : '  (state counts differ!)'}`);
  out(`    @xstate/graph, default serializer: ${fmt(b.graphDefault.snapshots)} snapshots in ${fmt(b.graphDefault.seconds, 1)} s${b.graphDefault.capped ? ` (capped at ${b.graphDefault.capSeconds} s, not finished)` : ''}`);
  out(`    the model alone      the same ${fmt(b.modelOnly.steps)} steps without the search: ${fmt(b.modelOnly.seconds, 3)} s (${fmt(b.modelOnly.share * 100)}% of explore's time) — a search that takes these steps cannot pass ${fmt(b.modelOnly.statesPerSecondBound)} states/s on this scope, or ${fmt(b.ratioBound, 1)}× the same-key graph traversal`);
  out(`    ratio (states/s, same key) ${fmt(b.ratio, 1)}×; time to cover the scope vs the default-serializer traversal ${b.graphDefault.capped ? '>' : ''}${fmt(b.coverRatioDefault, 1)}× (target ≥ 20×); target 500,000 states/s: ${b.explore.statesPerSecond >= 500_000 ? 'met' : 'not met'}`);

  const c = benchRandom(profile, seconds);
  out(`(c) property runner, 20-step sequences, invariants I1–I5 on every step (${profile}):`);
  out(`    ${fmt(c.sequencesPerSecond)} sequences/s (mean ${fmt(c.meanSteps, 1)} steps; target ≥ 2,000: ${c.sequencesPerSecond >= 2000 ? 'met' : 'not met'})`);

  const d = await benchKernel(seconds);
  out(`(d) kernel-checked sequences: ${'skipped' in d ? `skipped (${d.skipped})` : `${fmt(d.sequencesPerSecond, 1)} sequences/s, ${d.divergences} divergences; model-only runner is ${fmt(c.sequencesPerSecond / d.sequencesPerSecond, 1)}× faster`}`);
  const guestRates = await benchGuests();
  out(`(d') kernel-checked sequences per old profile under QEMU (TCG, 3 guests, boots included), side by side with the live 6.x harness:`);
  for (const g of guestRates) {
    out(`    ${g.profile.padEnd(9)} ${'skipped' in g ? `skipped (${g.skipped})` : `${fmt(g.sequencesPerSecond, 1)} sequences/s on ${g.kernel}, ${g.divergences} divergences, ${g.lost} lost${'skipped' in d ? '' : ` = ${fmt(g.sequencesPerSecond / d.sequencesPerSecond * 100, 1)}% of the live rate`}`}`);
  }

  const doc = [];
  for (const p of o.docProfiles ?? ['2.6.39-n', '2.6.39-y', '3.4-y', '6.x'] as ProfileId[]) {
    const r = benchDoc(p);
    doc.push(r);
    if ('error' in r) { out(`(e) doc ${p}: ${r.error}`); continue; }
    out(`(e) doc scope ${p}: ${fmt(r.seconds, 1)} s wall for ${r.searches.map((s) => `${s.label.split(' (')[0]} ${fmt(s.distinct)} states/${fmt(s.seconds, 1)} s`).join(', ')}; peak RSS ${fmt(r.maxRssBytes / 1048576)} MiB; visited set ${fmt(r.visitedBytesPerState, 1)} B/state, RSS ${fmt(r.rssBytesPerState)} B/state`);
  }

  const result = { when: new Date().toISOString(), machine, seconds, step: a, ...(vs ? { baseline: vs } : {}), explore: b, random: c, kernel: d, guests: guestRates, doc };
  await mkdir(BENCH_OUT_DIR, { recursive: true });
  const file = join(BENCH_OUT_DIR, 'latest.json');
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  out(`written: ${join(dirname(file).replace(process.cwd() + '/', ''), 'latest.json')}`);
  return result;
}
