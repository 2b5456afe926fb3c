// Human-readable text of a replay: compact one-line renderings of an op's arguments and
// of a result, a step table, and the expected-versus-actual view of a failed step.
// Pure string building; the CLI prints it.

import type { StepResult } from '../model/index.ts';
import { differingKeys, RESULT_KEYS } from './expect.ts';
import type { Expectation, ReplayedStep, ReplayOutcome, TraceStep } from './types.ts';

const NOT_ARGUMENTS = new Set(['op', 'pid', 'expect', 'note', 'comment', 'result', 'kernel']);

/** A value as it reads best on one line: bare words where unambiguous, JSON otherwise. */
export function compactValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s",=[\]{}]+$/.test(v) ? v : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(compactValue).join(',')}]`;
  return JSON.stringify(v);
}

/** `target=/dev/pts options=newinstance newns`: every argument but op and pid; `true` flags bare. */
export function compactArgs(step: TraceStep): string {
  return Object.entries(step)
    .filter(([k, v]) => !NOT_ARGUMENTS.has(k) && v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? k : `${k}=${compactValue(v)}`))
    .join(' ');
}

/** `ok fd=m index=0`, `EACCES`, `EINVAL log=["devpts: ..."]`, `error(fd): ...`. */
export function compactResult(result: StepResult | Expectation): string {
  const r = result as Record<string, unknown>;
  if (typeof r.error === 'string') return `error(${String(r.field)}): ${r.error}`;
  const head = r.ok === true ? 'ok' : typeof r.errno === 'string' ? r.errno : '';
  const keys = [...RESULT_KEYS.filter((k) => k in r), ...Object.keys(r).filter((k) => !RESULT_KEYS.includes(k)).sort()];
  const rest = keys.filter((k) => k !== 'ok' && k !== 'errno').map((k) => `${k}=${compactValue(r[k])}`);
  return [head, ...rest].filter((s) => s !== '').join(' ');
}

const MARK = { true: '✓', false: '✗', null: ' ' } as const;

/** The header lines of a trace: file, title, profile and clauses. */
export function renderHeader(outcome: ReplayOutcome): string[] {
  const { trace } = outcome;
  const lines = [outcome.file];
  if (trace.title) lines.push(`  ${trace.title}`);
  const clauses = trace.clauses && trace.clauses.length > 0 ? ` · clauses ${trace.clauses.join(', ')}` : '';
  lines.push(`  profile ${trace.profile}${clauses} · ${outcome.engine}`);
  return lines;
}

/** One row per replayed step: number, pid, op, arguments, result, expectation mark. */
export function renderSteps(steps: readonly ReplayedStep[]): string[] {
  const rows = steps.map((s) => [String(s.index), String(s.op.pid ?? 1), s.op.op, compactArgs(s.op), compactResult(s.result), MARK[String(s.holds) as 'true' | 'false' | 'null']]);
  const head = ['step', 'pid', 'op', 'arguments', 'result', ''];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `  ${r[0]!.padStart(widths[0]!)} ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]!.padEnd(widths[3]!)}  ${r[4]!.padEnd(widths[4]!)}  ${r[5]}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Expected and actual side by side, one row per result key; `≠` marks the keys that differ. */
export function renderMismatch(step: ReplayedStep): string[] {
  const expect = (step.expect ?? {}) as Record<string, unknown>;
  const actual = step.result as unknown as Record<string, unknown>;
  const keys = [...RESULT_KEYS, ...Object.keys(actual).sort()].filter((k, i, all) => all.indexOf(k) === i && (k in expect || k in actual));
  const show = (o: Record<string, unknown>, k: string) => (k in o ? JSON.stringify(o[k]) : '—');
  const differ = new Set(differingKeys(expect, step.result));
  const rows = keys.map((k) => [k, show(expect, k), show(actual, k), differ.has(k) ? '≠' : '']);
  const head = ['key', 'expected', 'actual', ''];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `      ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd();
  const note = step.op.note ? [`    note: ${step.op.note}`] : [];
  return [`  ✗ step ${step.index} (${step.op.op}): the expectation does not hold`, ...note, line(head), ...rows.map(line)];
}

/** The whole human rendering of one replay. */
export function renderReplay(outcome: ReplayOutcome): string[] {
  const lines = [...renderHeader(outcome), ...renderSteps(outcome.steps)];
  if (outcome.firstFailure) lines.push(...renderMismatch(outcome.firstFailure));
  else {
    const checked = outcome.steps.filter((s) => s.holds !== null).length;
    lines.push(`  ${checked} expectation${checked === 1 ? '' : 's'} hold`);
  }
  return lines;
}
