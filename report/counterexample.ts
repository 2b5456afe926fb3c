// A counterexample as the report shows it: each side's trace replayed on the model
// (through the xstate machine, as `devpts-check replay` does), every step's result
// written back as its expectation so the saved file replays with exit 0, the failing
// check in words, and each side's final state as a picture's data. A comparison
// clause has two sides: the same steps on two profiles.

import type { BootConfig, Op, ProfileId } from '../model/index.ts';
import { step as modelStep } from '../model/index.ts';
import { FsLabeler, modelFsKey } from '../traces/labels.ts';
import { parseTrace } from '../traces/load.ts';
import { replayOnModel } from '../traces/replay.ts';
import { formatTrace } from '../traces/save.ts';
import { withEvidence } from '../traces/evidence.ts';
import { violationOf } from '../traces/violation.ts';
import type { Expectation, Trace, TraceStep } from '../traces/types.ts';
import type { ClauseRow, CounterexampleSection, Side } from './data.ts';
import { counterexampleId } from './data.ts';
import { instanceLabels, stateDiagram } from './diagram/state.ts';
import { bootText, opText, resultText } from './steps.ts';
import type { OutFile } from './write.ts';

export interface SideInput {
  readonly profile: ProfileId;
  readonly steps: readonly Op[];
  readonly boot?: BootConfig | undefined;
}

export interface CounterexampleInput {
  readonly clause: ClauseRow;
  /** One side, or two for a comparison (driver first). */
  readonly sides: readonly SideInput[];
  /** What the check reported. */
  readonly failure: string;
  readonly foundBy: CounterexampleSection['foundBy'];
  readonly seed: number | null;
  /** Length of the sequence before shrinking, when known. */
  readonly foundLength: number | null;
  /** The out dir as the user wrote it (for the replay command). */
  readonly outShown: string;
  /** Extra top-level keys for the saved traces (kept by the format): fast-check path, scope, … */
  readonly extra?: Record<string, unknown>;
}

/** The trace's file name inside the out dir. */
export const traceFileName = (clause: string, profile: string): string => `traces/${clause}-${profile}.json`;

export const opOf = (s: TraceStep | Op): Op => {
  const { expect: _e, note: _n, ...op } = s as TraceStep & Record<string, unknown>;
  return op as Op;
};

/** The model's internal instance ids in a message ("devpts#0") as the labels the report uses. */
export function relabel(text: string, labels: ReadonlyMap<string, string>): string {
  return text.replace(/devpts#\d+/g, (id) => labels.get(id) ?? id);
}

interface BuiltSide { readonly side: Side; readonly file: OutFile; readonly labels: Map<string, string>; readonly trace: Trace }

/** A side's trace before the evidence: the steps, the title, the boot. */
function bareTrace(input: CounterexampleInput, s: SideInput): Trace {
  const { clause } = input;
  const other = input.sides.find((x) => x.profile !== s.profile);
  return {
    format: 'devpts-trace/1',
    profile: s.profile,
    title: `${clause.id} violated${other ? ` (${input.sides.map((x) => x.profile).join(' vs ')})` : ''} on ${s.profile}: ${clause.statement}`,
    clauses: [clause.id],
    ...(s.boot && Object.keys(s.boot).length > 0 ? { boot: s.boot } : {}),
    steps: s.steps.map((op) => opOf(op) as TraceStep),
  };
}

function buildSide(input: CounterexampleInput, s: SideInput, bare: Trace): BuiltSide {
  const { clause } = input;
  const file = traceFileName(clause.id, s.profile);
  const shownPath = `${input.outShown.replace(/\/+$/, '')}/${file}`;
  const other = input.sides.find((x) => x.profile !== s.profile);
  const first = replayOnModel(parseTrace(bare, file), file);
  // every result becomes the step's expectation: the file pins down what the model does
  const trace: Trace = {
    ...bare,
    steps: bare.steps.map((st, i) => ({ ...opOf(st), expect: first.steps[i]!.result as Expectation, ...(st.note ? { note: st.note } : {}) } as TraceStep)),
    ...(input.extra ?? {}),
    ...(other ? { compareWith: { profile: other.profile, file: traceFileName(clause.id, other.profile) } } : {}),
    source: 'devpts-check report',
    ...(input.seed !== null ? { seed: input.seed } : {}),
  };
  const text = formatTrace(trace);
  const again = replayOnModel(parseTrace(JSON.parse(text), file), file);
  const replays = again.verdict === 'holds' && again.steps.length === trace.steps.length;

  // the labels the results used (devpts1, devpts2, … by first appearance), for the picture
  const labeler = new FsLabeler<string>();
  trace.steps.forEach((st, i) => {
    const raw = modelStep(again.states[i]!, opOf(st)).result;
    if ('ok' in raw && raw.fs !== undefined) labeler.label(modelFsKey(raw.fs));
  });
  const known = new Map(labeler.entries());
  const side: Side = {
    profile: s.profile,
    results: again.steps.map((r) => ({ result: r.result, text: resultText(r.result) })),
    trace: { file, replay: `devpts-check replay ${shownPath}`, replays },
    finalMode: again.final.mode,
    finalState: stateDiagram(again.final.state, known, trace.steps.flatMap((st) => (st.op === 'open' ? [st.path] : []))),
  };
  // every instance that ever existed, for messages naming internal ids
  const labels = new Map<string, string>();
  for (const st of again.states) for (const [id, l] of instanceLabels(st, known)) if (!labels.has(id)) labels.set(id, l);
  return { side, file: { path: file, content: text }, labels, trace };
}

/**
 * The check's message, with the model's instance ids as the report's labels. For a
 * comparison whose last step gives different results, the two results in the report's
 * words ("EINVAL on 2.6.39-y, ok on 2.6.39-n") rather than the check's JSON.
 */
function failureWords(message: string, built: readonly BuiltSide[], driver: BuiltSide, n: number): string {
  const text = relabel(message, driver.labels);
  if (built.length < 2) return text;
  const results = built.map((b) => b.side.results[n - 1]?.text.replace(/ — console: .*$/, ''));
  if (results.some((r) => r === undefined) || new Set(results).size < 2) return text;
  const op = opText(opOf(driver.trace.steps[n - 1]!));
  return `step ${n} (${op}) gives ${built.map((b, i) => `${results[i]} on ${b.side.profile}`).join(' but ')}`;
}

/** Replay, record, save in memory, replay the saved text again; returns the section's data and the files. */
export function buildCounterexample(input: CounterexampleInput): { cx: CounterexampleSection; files: OutFile[] } {
  if (input.sides.length === 0) throw new Error('a counterexample needs at least one side');
  // the observation steps that show what breaks, the same in every side (traces/evidence.ts)
  const shown = withEvidence(input.sides.map((s) => bareTrace(input, s)), { clause: input.clause.id, step: input.sides[0]!.steps.length, message: input.failure });
  const built = input.sides.map((s, i) => buildSide(input, s, shown[i]!));
  const driver = built[0]!;
  const violation = violationOf(driver.trace);
  const longest = built.reduce((a, b) => (b.trace.steps.length > a.trace.steps.length ? b : a));
  const cx: CounterexampleSection = {
    id: counterexampleId(input.clause.id, input.sides.map((s) => s.profile).join('-vs-')),
    clause: input.clause.id,
    statement: input.clause.statement,
    document: input.clause.document,
    code: input.clause.code,
    failure: failureWords(violation?.message ?? input.failure, built, driver, violation?.step ?? driver.trace.steps.length),
    failingStep: violation?.step ?? driver.trace.steps.length,
    evidenceSteps: [...(violation?.evidence ?? [])],
    foundBy: input.foundBy,
    seed: input.seed,
    lengths: { found: input.foundLength, shrunk: longest.trace.steps.length },
    boot: bootText(input.sides[0]!.boot),
    steps: longest.trace.steps.map((st, i) => ({ n: i + 1, step: opOf(st) as TraceStep, text: opText(opOf(st)) })),
    sides: built.map((b) => b.side),
  };
  return { cx, files: built.map((b) => b.file) };
}
