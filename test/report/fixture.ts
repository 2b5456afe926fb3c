// A small ConformanceData built from real model replays, for renderer tests that must
// not wait for the full runners. Clause rows here are test data, not the catalogue.

import type { Op, ProfileId } from '../../model/index.ts';
import { PROFILES, PROFILE_IDS } from '../../model/index.ts';
import { buildCounterexample } from '../../report/counterexample.ts';
import type { Cell, ClauseRow, ConformanceData, CounterexampleSection, Evidence } from '../../report/data.ts';
import { CONFORMANCE_FORMAT, summarize } from '../../report/data.ts';
import { modeChart } from '../../report/diagram/machine.ts';
import type { OutFile } from '../../report/write.ts';

const row = (r: Omit<ClauseRow, 'pair'> & { pair?: ClauseRow['pair'] }): ClauseRow => ({ pair: null, ...r });

export const FIXTURE_CLAUSES: ClauseRow[] = [
  row({ id: 'D3', kind: 'document', statement: 'with CONFIG=n, newinstance and ptmxmode are ignored with a bogus-option message', profiles: ['2.6.39-n'], expected: '2.6.39-n: violated', document: 'In this mode, the new mount options (-o newinstance and -o ptmxmode) will be ignored with a \'bogus option\' message on console.', code: 'The first unknown option stops parsing: options after it are lost (mount_single ignores the remount error).' }),
  row({ id: 'D5', kind: 'document', statement: 'the only difference between single-instance and legacy mode is /dev/pts/ptmx', profiles: ['2.6.39-y', '2.6.39-n'], pair: ['2.6.39-y', '2.6.39-n'], expected: null, document: 'The only difference between this single-instance mode and the legacy mode is the presence of new, \'/dev/pts/ptmx\' node', code: 'a bogus option fails the mount with CONFIG=y only' }),
  row({ id: 'U5', kind: 'user-space', statement: 'a newinstance mount without a redirect allocates in the initial instance', profiles: ['2.6.39-y', '3.4-y'], expected: 'holds', document: 'would create a pty, say /dev/pts/7, in the initial kernel mount. But /dev/pts/7 would be invisible in the new mount.', code: null }),
  row({ id: 'K8', kind: 'kernel', statement: 'on 6.x a non-devpts ptmx allocates in the sibling pts', profiles: ['6.x'], expected: null, document: null, code: 'devpts_acquire: sibling pts, topmost mount; ENOENT/ENODEV; no fallback' }),
  row({ id: 'I1', kind: 'invariant', statement: 'indices unique, lowest free', profiles: [...PROFILE_IDS], expected: null, document: null, code: null }),
];

const D3_STEPS: Op[] = [
  { op: 'mount', pid: 1, fstype: 'devpts', target: '/dev/pts', options: 'newinstance,gid=5,mode=620' },
  { op: 'open', pid: 1, path: '/dev/ptmx', as: 'm' },
  { op: 'stat', pid: 1, path: '/dev/pts/0' },
];
const D5_STEPS: Op[] = [{ op: 'mount', pid: 1, fstype: 'devpts', target: '/dev/pts', options: 'gid=5,bogus' }];
const U5_STEPS: Op[] = [
  { op: 'spawn', pid: 1, child: 2, newns: true },
  { op: 'umount', pid: 2, target: '/dev/pts' },
  { op: 'mount', pid: 2, fstype: 'devpts', target: '/dev/pts', options: 'newinstance' },
  { op: 'open', pid: 2, path: '/dev/ptmx', as: 'm' },
  { op: 'readdir', pid: 2, path: '/dev/pts' },
];

export function fixture(outShown = 'report/out'): { data: ConformanceData; traces: OutFile[] } {
  const traces: OutFile[] = [];
  const cxs: CounterexampleSection[] = [];
  const add = (clause: ClauseRow, sides: ProfileId[], steps: Op[], failure: string): CounterexampleSection => {
    const built = buildCounterexample({ clause, sides: sides.map((profile) => ({ profile, steps })), failure, foundBy: 'random', seed: 7, foundLength: steps.length + 6, outShown });
    cxs.push(built.cx);
    traces.push(...built.files);
    return built.cx;
  };
  const d5 = add(FIXTURE_CLAUSES[1]!, ['2.6.39-y', '2.6.39-n'], D5_STEPS, 'mount gives EINVAL on 2.6.39-y but ok on 2.6.39-n');
  const cells: Cell[] = [];
  for (const clause of FIXTURE_CLAUSES) {
    for (const profile of PROFILE_IDS) {
      const evidence: Evidence = { random: { runs: 100, witnessed: 40, seed: 7, maxSteps: 12 }, exploration: { scope: 'small to depth 5', depth: 5, states: 1234, complete: true }, ms: 12 };
      if (!clause.profiles.includes(profile)) { cells.push({ clause: clause.id, profile, verdict: 'n/a', evidence: { random: null, exploration: null, ms: null }, counterexample: null, trace: null, expected: null, note: `${clause.id} does not speak about ${profile}` }); continue; }
      let cx: CounterexampleSection | null = null;
      if (clause.id === 'D3') cx = add(clause, [profile], D3_STEPS, 'the slave node has mode 0600 and gid 0: gid=5,mode=620 after the bogus option were dropped');
      if (clause.id === 'D5') cx = d5;
      if (clause.id === 'U5' && profile === '3.4-y') cx = add(clause, [profile], U5_STEPS, 'fixture: pretend violation to draw two namespaces');
      const trace = cx?.sides.find((s) => s.profile === profile)?.trace.file ?? null;
      cells.push({ clause: clause.id, profile, verdict: cx ? 'violated' : 'holds', evidence, counterexample: cx?.id ?? null, trace, expected: clause.id === 'U5' ? 'holds' : null, note: null });
    }
  }
  const data: ConformanceData = {
    format: CONFORMANCE_FORMAT,
    tool: { name: 'devpts-check', version: '0.1.0' },
    generated: '2025-01-01T00:00:00.000Z',
    durationMs: 1234,
    budget: { name: 'quick', randomRuns: 100, maxSteps: 12, scope: 'small', explorationDepth: 5, seed: 7 },
    profiles: PROFILE_IDS.map((id) => ({ id, description: `profile ${id}`, short: id, bootMode: PROFILES[id].bootMode })),
    clauses: FIXTURE_CLAUSES,
    cells,
    counterexamples: cxs,
    machine: modeChart(),
    summary: summarize(cells),
    problems: [],
  };
  return { data, traces };
}
