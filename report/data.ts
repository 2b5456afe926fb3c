// The conformance report's data model: everything every renderer (terminal, Markdown,
// JSON, HTML, JUnit) shows, computed fresh on every run by collect.ts. Renderers are
// pure functions of this record; nothing in a rendering is decided anywhere else.

import type { ProfileId, StepResult } from '../model/index.ts';
import type { Verdict } from '../clauses/verdict.ts';
import type { TraceStep } from '../traces/types.ts';

export type { Verdict };

export const CONFORMANCE_FORMAT = 'devpts-conformance/1';

/**
 * holds: no counterexample within the budget shown; violated: a replayable trace;
 * n/a: the clause does not speak about the profile; error: the checks could not be run
 * (listed in `problems`, exit 1).
 */
export type CellVerdict = Extract<Verdict, 'holds' | 'violated' | 'n/a' | 'error'>;
export const VERDICTS: readonly CellVerdict[] = ['holds', 'violated', 'n/a', 'error'];

/** The catalogue's hypothesis for a cell ("what reading the code suggests"). */
export type Expected = 'holds' | 'violated' | 'hypothesis';

/** Where a clause comes from (clauses.md sections). */
export type ClauseKind = 'document' | 'user-space' | 'kernel' | 'relation' | 'invariant';

export interface ClauseRow {
  readonly id: string;
  readonly kind: ClauseKind;
  /** One line, as the catalogue states it. */
  readonly statement: string;
  /** Profiles the clause speaks about (cells of other profiles are n/a). */
  readonly profiles: readonly ProfileId[];
  /** The catalogue's hypothesis ("what reading the code suggests"), in words; never used as a verdict. */
  readonly expected: string | null;
  /** A comparison clause: the two profiles it compares (driver first). */
  readonly pair: readonly [ProfileId, ProfileId] | null;
  /** The document's own words (quoted from devpts.txt), where the clause comes from it. */
  readonly document: string | null;
  /** What the kernel code does, where it departs from or completes the document. */
  readonly code: string | null;
}

export interface ProfileColumn {
  readonly id: ProfileId;
  /** "Linux 2.6.39, CONFIG_DEVPTS_MULTIPLE_INSTANCES=n" */
  readonly description: string;
  /** For column headers: "2.6.39, CONFIG=n". */
  readonly short: string;
  /** The machine's mode at boot (legacy, singleInstance, perMountInstances). */
  readonly bootMode: string;
  /**
   * What proved the profile's model on a real kernel, one line per kernel ("2,000
   * sequences on QEMU 2.6.39.4 =y, 0 divergences (seed 7, 2026-12-07)"), from the runs
   * `devpts-check kernel --record` kept in kernel/proofs.json; empty when none.
   */
  readonly provedOn?: readonly string[];
}

/** Random testing: N generated sequences from one seed. */
export interface RandomEvidence {
  readonly runs: number;
  /** Runs in which the clause's premise held at least once (it actually spoke about the run). */
  readonly witnessed: number | null;
  readonly seed: number;
  /** Longest generated sequence, when the runner reports it. */
  readonly maxSteps: number | null;
}

/** Bounded exhaustive exploration of a profile. */
export interface ExplorationEvidence {
  /** Human-readable scope, e.g. "depth 4, 2 processes, ops: …". */
  readonly scope: string;
  readonly depth: number | null;
  /** Distinct states visited (after canonical hashing). */
  readonly states: number;
  /** Every state within the scope was visited (false: a state or time cap stopped it). */
  readonly complete: boolean;
}

export interface Evidence {
  readonly random: RandomEvidence | null;
  readonly exploration: ExplorationEvidence | null;
  /** Wall-clock milliseconds spent on this cell, when known. */
  readonly ms: number | null;
}

export interface Cell {
  readonly clause: string;
  readonly profile: ProfileId;
  readonly verdict: CellVerdict;
  readonly evidence: Evidence;
  /** Id of the counterexample (violated cells only). */
  readonly counterexample: string | null;
  /** Violated cells: this profile's trace file, relative to the out dir. */
  readonly trace: string | null;
  /** The catalogue's hypothesis for this cell (null: none stated). */
  readonly expected: Expected | null;
  /** Why n/a, or the other profile a relation compares with. */
  readonly note: string | null;
  /** A kernel fact's witness from the corpus (K clauses), where one shows it on this profile. */
  readonly witness?: Witness | null;
}

/** A trace of the corpus that shows a kernel fact happening (report/witness.ts). */
export interface Witness {
  /** Path relative to the output directory ("traces/witness/K11--2.6.39-y.json"). */
  readonly file: string;
  /** Where it comes from ("traces/corpus/K11--2.6.39-y.json"). */
  readonly corpus: string;
  readonly title: string;
  readonly steps: number;
  /** The world at boot in words, when not the default. */
  readonly boot: string | null;
  /** Its steps in words, each with the result it expects. */
  readonly lines: readonly { readonly n: number; readonly text: string; readonly result: string }[];
  /** 1-based steps at which the clause spoke about it (its premise held; it held). */
  readonly at: readonly number[];
  /** Replays it on the model (exit 0). */
  readonly replay: string;
  /** Replays it on the kernel of its profile, where this machine has one; else null. */
  readonly kernelReplay: string | null;
}

/** One transition of a chart with how often it was taken (model/charts/). */
export interface ChartTransitionRow {
  /** "singleInstance.mount#0" (declaring state, event, place in the event's list). */
  readonly id: string;
  readonly from: string;
  readonly event: string;
  readonly guard: string | null;
  /** null: stays where it is. */
  readonly target: string | null;
  readonly actions: readonly string[];
  /** Steps that took it in the random runs (all profiles together) and in the exhaustive search. */
  readonly random: number;
  readonly explorer: number;
}

/** A chart of the model (the mode chart, a pty's, an instance's, the ptmx node's) with its transition coverage. */
export interface ChartSection {
  readonly name: string;
  readonly about: string;
  readonly initial: string;
  readonly states: readonly string[];
  readonly transitions: readonly ChartTransitionRow[];
}

/** One step of a counterexample (its results are per side: CounterexampleSection.sides[i].results). */
export interface StepRow {
  readonly n: number;
  readonly step: TraceStep;
  /** The op in shell-like words: "pid 2: mount -t devpts -o newinstance devpts /dev/pts". */
  readonly text: string;
}

/** A step's result on one side, as replayed on the model. */
export interface ResultRow {
  readonly result: StepResult;
  readonly text: string;
}

export type MountKind = 'root' | 'tmpfs' | 'devpts' | 'bind';

/** The final state of a counterexample, as a picture: namespaces → mounts → instances → ptys. */
export interface StateDiagram {
  readonly namespaces: readonly {
    readonly id: string;
    readonly label: string;          // "ns1 (initial)"
    readonly procs: readonly { pid: number; uid: number }[];
    /**
     * Where root's open of each ptmx path allocates in this namespace: /dev/ptmx first,
     * then every other path the counterexample opened that is a ptmx node (c 5:2) here.
     */
    readonly leads: readonly { readonly path: string; readonly instance: string | null; readonly errno: string | null; readonly via: string }[];
  }[];
  readonly mounts: readonly {
    readonly id: string;
    readonly ns: string | null;      // null: detached (lazily umounted, held by an open file)
    readonly path: string;           // "/dev/pts", "/dev/ptmx" (bind of a file), "(detached)"
    readonly kind: MountKind;
    readonly fs: string;             // display label of the fs: "devpts1", "tmpfs", "rootfs"
    readonly hidden: boolean;        // covered by a later mount on the same place
  }[];
  readonly instances: readonly {
    readonly id: string;             // display label: devpts1, devpts2 … (order of first appearance)
    readonly initial: boolean;
    readonly options: string;        // "mode=0600,ptmxmode=0000"
    readonly ptmxMode: string | null; // the /dev/pts/ptmx node's mode; null: no node (2.6.39-n)
    readonly ptmxOption: string | null; // the instance's ptmxmode= option (may differ from the node: K3, U6)
  }[];
  readonly ptys: readonly {
    readonly instance: string;
    readonly index: number;
    readonly master: boolean;
    readonly slaves: number;
    readonly locked: boolean;
    readonly node: boolean;          // /dev/pts/N exists
  }[];
  /** Which namespace sees which instance, and at which path (a visible devpts mount). */
  readonly sees: readonly { readonly ns: string; readonly instance: string; readonly path: string }[];
}

/** One profile's side of a counterexample: its trace, results and final state. */
export interface Side {
  readonly profile: ProfileId;
  /** Results of steps 1..n on this profile (a comparison's other side may stop earlier). */
  readonly results: readonly ResultRow[];
  readonly trace: {
    /** Path relative to the output directory ("traces/D3-2.6.39-n.json"). */
    readonly file: string;
    /** A command that replays it from the current directory; exits 0. */
    readonly replay: string;
    /** The saved file was replayed in-process and every expectation held. */
    readonly replays: boolean;
  };
  readonly finalMode: string;
  readonly finalState: StateDiagram;
}

/**
 * A minimal counterexample. One side for a clause about one profile; two for a
 * comparison clause (the same steps on both profiles, results side by side). Every
 * violated cell of the clause links to it.
 */
export interface CounterexampleSection {
  /** Anchor-safe id: "cx-D3-2-6-39-n", "cx-D5-2-6-39-y-vs-2-6-39-n". */
  readonly id: string;
  readonly clause: string;
  readonly statement: string;
  readonly document: string | null;
  readonly code: string | null;
  /** What the check saw go wrong, in one or two sentences. */
  readonly failure: string;
  /** 1-based step at which the violation shows. */
  readonly failingStep: number;
  /** 1-based steps that observe what the violating step did (stat, readdir, ...: traces/evidence.ts). */
  readonly evidenceSteps?: readonly number[];
  readonly foundBy: 'random' | 'exploration' | 'both';
  readonly seed: number | null;
  /** Steps before and after shrinking. */
  readonly lengths: { readonly found: number | null; readonly shrunk: number };
  /** The world at boot when it is not the default (operations.md): in words, e.g. "init mounts devpts at /dev/pts with -o newinstance". */
  readonly boot: string | null;
  readonly steps: readonly StepRow[];
  readonly sides: readonly Side[];
}

/** The xstate machine's mode chart, derived from kernelMachine (never drawn by hand). */
export interface ModeChart {
  readonly id: string;
  readonly initial: string;
  readonly states: readonly { readonly id: string; readonly profiles: readonly ProfileId[]; readonly selfLoops: readonly string[] }[];
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly event: string; readonly guard: string | null; readonly label: string }[];
}

export type BudgetName = 'quick' | 'default' | 'thorough';

export interface ConformanceData {
  readonly format: typeof CONFORMANCE_FORMAT;
  readonly tool: { readonly name: string; readonly version: string };
  readonly generated: string;         // ISO time
  readonly durationMs: number;
  readonly budget: {
    readonly name: BudgetName;
    readonly randomRuns: number;
    /** Generated ops per random sequence at most. */
    readonly maxSteps: number;
    /** Exhaustive search: the named scope (explore/scope.ts) and the depth bound. */
    readonly scope: string;
    readonly explorationDepth: number;
    readonly seed: number;
  };
  readonly profiles: readonly ProfileColumn[];
  readonly clauses: readonly ClauseRow[];
  readonly cells: readonly Cell[];
  readonly counterexamples: readonly CounterexampleSection[];
  readonly machine: ModeChart;
  /** The charts with their transition coverage, and what was measured. */
  readonly charts?: {
    /** "150 random sequences per profile (seed 20260004, up to 20 steps)" */
    readonly random: string;
    /** "scope small to depth 4: 21 771 states" */
    readonly explorer: string;
    readonly sections: readonly ChartSection[];
  };
  readonly summary: { readonly holds: number; readonly violated: number; readonly na: number; readonly error: number };
  /** Anything that could not be computed (exit 1 when non-empty). */
  readonly problems: readonly string[];
}

export const cellOf = (data: ConformanceData, clause: string, profile: ProfileId): Cell | undefined =>
  data.cells.find((c) => c.clause === clause && c.profile === profile);

export const counterexampleOf = (data: ConformanceData, id: string | null): CounterexampleSection | undefined =>
  id === null ? undefined : data.counterexamples.find((c) => c.id === id);

/** A stable, anchor-safe id for a clause × profile counterexample. */
export const counterexampleId = (clause: string, profile: string): string =>
  `cx-${clause}-${profile}`.replace(/[^A-Za-z0-9-]/g, '-');

export function summarize(cells: readonly Cell[]): ConformanceData['summary'] {
  let holds = 0, violated = 0, na = 0, error = 0;
  for (const c of cells) {
    if (c.verdict === 'holds') holds++;
    else if (c.verdict === 'violated') violated++;
    else if (c.verdict === 'error') error++;
    else na++;
  }
  return { holds, violated, na, error };
}

/** Cells whose computed verdict differs from the catalogue's firm hypothesis (holds/violated). */
export const surprises = (data: ConformanceData): Cell[] =>
  data.cells.filter((c) => (c.verdict === 'holds' || c.verdict === 'violated') && (c.expected === 'holds' || c.expected === 'violated') && c.expected !== c.verdict);
