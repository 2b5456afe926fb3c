// A kernel fact's witness (issue 16): a trace of the corpus (traces/corpus/) that shows
// the fact happening on a profile — its clause's premise holds at some step and the
// clause holds at every step, replayed on the model with every expectation holding. The
// report copies it next to the other traces and links it from the cell, with the command
// that replays it on the model, and on the kernel where a kernel runs that profile.

import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PROFILES, type Op, type ProfileId } from '../model/index.ts';
import type { Clause, TransitionCtx } from '../clauses/index.ts';
import { stepWith } from '../model/step.ts';
import { CORPUS_DIR, corpusFiles } from '../traces/corpus.ts';
import { loadTrace } from '../traces/load.ts';
import { replayOnModel } from '../traces/replay.ts';
import type { Trace } from '../traces/types.ts';
import { kernelReplayProblem } from '../kernel/replay.ts';
import { targetFor } from '../kernel/targets.ts';
import type { Witness } from './data.ts';
import { bootText, opText, resultText } from './steps.ts';
import type { OutFile } from './write.ts';

interface CorpusTrace { readonly name: string; readonly trace: Trace }

let corpus: Promise<CorpusTrace[]> | null = null;
/** Every corpus trace that names a clause, loaded once. */
function loadCorpus(): Promise<CorpusTrace[]> {
  corpus ??= corpusFiles().then((files) => Promise.all(files.map(async (f) => ({ name: basename(f), trace: await loadTrace(f) }))));
  return corpus;
}

/** The steps (1-based) where a transition clause spoke about the trace, or null when the trace does not replay or the clause is violated on it. */
function witnessedSteps(c: Clause, trace: Trace, file: string): number[] | null {
  if (c.check.kind !== 'transition') return null;
  const replay = replayOnModel(trace, file);
  if (replay.verdict !== 'holds') return null;
  const profile = PROFILES[trace.profile];
  const steps: number[] = [];
  const predicate = c.check.predicate;
  for (let i = 0; i < replay.steps.length; i++) {
    const { expect: _e, note: _n, ...op } = replay.steps[i]!.op as Op & { expect?: unknown; note?: unknown };
    let spoke = false;
    const ctx: TransitionCtx = {
      profile, before: replay.states[i]!, op: op as Op, result: replay.steps[i]!.result, after: replay.states[i + 1]!,
      step: (s, o) => stepWith(profile, s, o), witness: () => { spoke = true; },
    };
    if (predicate(ctx) !== null) return null;
    if (spoke) steps.push(i + 1);
  }
  return steps.length > 0 ? steps : null;
}

/**
 * The witness of clause `c` on `profile`: its own trace (<ID>--<profile>.json) first, then
 * traces that name it first, then any that name it; the first that witnesses it.
 */
export async function findWitness(c: Clause, profile: ProfileId, outShown: string): Promise<{ witness: Witness; file: OutFile } | null> {
  const all = await loadCorpus();
  const rank = (t: CorpusTrace) => (t.name === `${c.id}--${profile}.json` ? 0 : t.trace.clauses?.[0] === c.id ? 1 : 2);
  const candidates = all.filter((t) => t.trace.profile === profile && (t.trace.clauses ?? []).includes(c.id)).sort((a, b) => rank(a) - rank(b));
  for (const t of candidates) {
    const at = witnessedSteps(c, t.trace, t.name);
    if (at === null) continue;
    const file = `traces/witness/${t.name}`;
    const shown = join(outShown, file);
    return {
      witness: {
        file, corpus: `traces/corpus/${t.name}`, title: t.trace.title ?? t.name, steps: t.trace.steps.length, at,
        boot: bootText(t.trace.boot),
        lines: t.trace.steps.map(({ expect, note: _n, ...op }, i) => ({ n: i + 1, text: opText(op as Op), result: expect ? resultText(expect as never) : '' })),
        replay: `devpts-check replay ${shown}`,
        kernelReplay: (await onItsKernel(t.trace)) ? `devpts-check replay --kernel ${shown}` : null,
      },
      file: { path: file, content: await readFile(join(CORPUS_DIR, t.name), 'utf8') },
    };
  }
  return null;
}

/**
 * Can `replay --kernel` run the trace here: the live kernel for 6.x (no sysctl steps: they
 * are host-wide), a QEMU guest whose image is here for an older profile (kernel/targets.ts).
 * (6.1's guest kernel is fetched on first use: not offered from a report.)
 */
async function onItsKernel(trace: Trace): Promise<boolean> {
  if (trace.profile === '6.x') return kernelReplayProblem(trace, true) === null;
  if (trace.profile === '6.1') return false;
  try {
    return (await targetFor(trace.profile)).kind === 'guest';
  } catch {
    return false;
  }
}
