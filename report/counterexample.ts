// A counterexample as the report shows it: the trace replayed on the model (through the
// xstate machine, as `devpts-check replay` does), every step's result written back as
// its expectation so the saved file replays with exit 0, the failing check in words,
// and the final state as a picture's data.

import type { BootConfig, Op, ProfileId } from '../model/index.ts';
import { step as modelStep } from '../model/index.ts';
import { FsLabeler, modelFsKey } from '../traces/labels.ts';
import { parseTrace } from '../traces/load.ts';
import { replayOnModel } from '../traces/replay.ts';
import { formatTrace } from '../traces/save.ts';
import type { Expectation, Trace, TraceStep } from '../traces/types.ts';
import type { ClauseRow, Counterexample } from './data.ts';
import { counterexampleId } from './data.ts';
import { stateDiagram } from './diagram/state.ts';
import { opText, resultText } from './steps.ts';
import type { OutFile } from './write.ts';

export interface CounterexampleInput {
  readonly clause: ClauseRow;
  readonly profile: ProfileId;
  readonly steps: readonly Op[];
  readonly boot?: BootConfig | undefined;
  /** What the check reported. */
  readonly failure: string;
  readonly foundBy: Counterexample['foundBy'];
  readonly seed: number | null;
  /** Length of the sequence before shrinking, when known. */
  readonly foundLength: number | null;
  /** The out dir as the user wrote it (for the replay command). */
  readonly outShown: string;
}

/** The trace's file name inside the out dir. */
export const traceFileName = (clause: string, profile: string): string => `traces/${clause}-${profile}.json`;

const stripExpect = (s: TraceStep): Op => {
  const { expect: _e, note: _n, ...op } = s as TraceStep & Record<string, unknown>;
  return op as Op;
};

/** Replay, record, save in memory, replay the saved text again; returns the section's data and the file. */
export function buildCounterexample(input: CounterexampleInput): { cx: Counterexample; file: OutFile } {
  const { clause, profile } = input;
  const file = traceFileName(clause.id, profile);
  const shownPath = `${input.outShown.replace(/\/+$/, '')}/${file}`;
  const bare: Trace = {
    format: 'devpts-trace/1',
    profile,
    title: `${clause.id} violated on ${profile}: ${clause.statement}`,
    clauses: [clause.id],
    ...(input.boot && Object.keys(input.boot).length > 0 ? { boot: input.boot } : {}),
    steps: input.steps.map((s) => stripExpect(s as TraceStep) as TraceStep),
  };
  const first = replayOnModel(parseTrace(bare, file), file);
  // every result becomes the step's expectation: the file pins down what the model does
  const trace: Trace = {
    ...bare,
    steps: bare.steps.map((s, i) => ({ ...s, expect: first.steps[i]!.result as Expectation })),
    source: 'devpts-check report',
    failure: input.failure,
    ...(input.seed !== null ? { seed: input.seed } : {}),
  };
  const text = formatTrace(trace);
  const again = replayOnModel(parseTrace(JSON.parse(text), file), file);
  const replays = again.verdict === 'holds' && again.steps.length === trace.steps.length;

  // the labels the results used (devpts1, devpts2, … by first appearance), for the picture
  const labeler = new FsLabeler<string>();
  trace.steps.forEach((s, i) => {
    const raw = modelStep(again.states[i]!, stripExpect(s)).result;
    if ('ok' in raw && raw.fs !== undefined) labeler.label(modelFsKey(raw.fs));
  });

  const cx: Counterexample = {
    id: counterexampleId(clause.id, profile),
    clause: clause.id,
    profile,
    statement: clause.statement,
    document: clause.document,
    code: clause.code,
    failure: input.failure,
    foundBy: input.foundBy,
    seed: input.seed,
    lengths: { found: input.foundLength, shrunk: trace.steps.length },
    steps: again.steps.map((r) => ({ n: r.index, step: trace.steps[r.index - 1]!, text: opText(stripExpect(r.op)), result: r.result, resultText: resultText(r.result) })),
    trace: { file, replay: `devpts-check replay ${shownPath}`, replays },
    finalMode: again.final.mode,
    finalState: stateDiagram(again.final.state, new Map(labeler.entries())),
  };
  return { cx, file: { path: file, content: text } };
}
