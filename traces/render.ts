// Human-readable text of a replay: compact one-line renderings of an op's arguments and
// of a result, a step table, and the expected-versus-actual view of a failed step.
// Pure string building; the CLI prints it.

import type { BootConfig, StepResult } from '../model/index.ts';
import { printable } from './printable.ts';
import { relabelText, traceLabels } from './run-labels.ts';
import { kindWords, violationKind, violationOf, type ViolationNote } from './violation.ts';
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

/** The boot a trace depends on, in words (operations.md, "The world at boot"). */
export function bootWords(boot: BootConfig | undefined): string {
  const b = (boot ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (b.mountDevpts === false) parts.push('init mounts no devpts');
  else parts.push(typeof b.devptsOptions === 'string' && b.devptsOptions !== '' ? `init mounts devpts at /dev/pts with -o ${/^[^\s"']+$/.test(b.devptsOptions) ? b.devptsOptions : JSON.stringify(b.devptsOptions)}` : 'init mounts devpts at /dev/pts with no options');
  parts.push(`/dev/ptmx mode ${typeof b.ptmxMode === 'string' ? b.ptmxMode : '0666'}`);
  for (const [k, v] of Object.entries(b)) if (!['mountDevpts', 'devptsOptions', 'ptmxMode'].includes(k)) parts.push(`${k}=${compactValue(v)}`);
  const given = Object.keys(b).length > 0 ? 'as the trace\'s "boot" says' : 'the default boot';
  return `boot: ${parts.join('; ')} (${given})`;
}

/** The header lines of a trace: file, title, profile and clauses, boot, and the violation it demonstrates. */
export function renderHeader(outcome: ReplayOutcome): string[] {
  const { trace } = outcome;
  const lines = [outcome.file];
  if (trace.title) lines.push(`  ${trace.title}`);
  const clauses = trace.clauses && trace.clauses.length > 0 ? ` · clauses ${trace.clauses.join(', ')}` : '';
  lines.push(`  profile ${trace.profile}${clauses} · ${outcome.engine}`);
  lines.push(`  ${bootWords(trace.boot)}`);
  const v = violationOf(trace);
  if (v) {
    lines.push(`  demonstrates: ${v.clause ?? 'a clause'} violated at step ${v.step} (${kindWords(violationKind(v.clause))})`);
    if (v.message) lines.push(`  what breaks: ${/devpts#\d/.test(v.message) ? relabelText(v.message, traceLabels(trace)) : v.message}`);
    if (v.evidence && v.evidence.length > 0) lines.push(`  evidence: ${v.evidence.length === 1 ? 'step' : 'steps'} ${v.evidence.join(', ')} observe what the violating step did`);
  }
  return lines.map(printable);
}

/** Column widths without spreading a million rows into Math.max (replays of huge traces). */
function columnWidths(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  const widths = head.map((h) => h.length);
  for (const r of rows) for (let c = 0; c < widths.length; c++) if (r[c]!.length > widths[c]!) widths[c] = r[c]!.length;
  return widths;
}

/** One row per replayed step: number, pid, op, arguments, result, expectation mark, and the violation's marks. */
export function renderSteps(steps: readonly ReplayedStep[], violation: ViolationNote | null = null): string[] {
  const evidence = new Set(violation?.evidence ?? []);
  const role = (n: number): string => (violation?.step === n ? '◀ violation' : evidence.has(n) ? '· evidence' : '');
  const rows = steps.map((s) => [String(s.index), String(s.op.pid ?? 1), s.op.op, compactArgs(s.op), compactResult(s.result), MARK[String(s.holds) as 'true' | 'false' | 'null'], role(s.index)]);
  const head = ['step', 'pid', 'op', 'arguments', 'result', '', ''];
  const widths = columnWidths(head, rows);
  const line = (r: string[]) => printable(`  ${r[0]!.padStart(widths[0]!)} ${r[1]!.padStart(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]!.padEnd(widths[3]!)}  ${r[4]!.padEnd(widths[4]!)}  ${r[5]} ${r[6]}`.trimEnd());
  const out = [line(head)];
  for (const r of rows) out.push(line(r));
  return out;
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
  const widths = columnWidths(head, rows);
  const line = (r: string[]) => `      ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`.trimEnd();
  const note = step.op.note ? [`    note: ${step.op.note}`] : [];
  return [`  ✗ step ${step.index} (${step.op.op}): the expectation does not hold`, ...note, line(head), ...rows.map(line)].map(printable);
}

/** The whole human rendering of one replay. */
export function renderReplay(outcome: ReplayOutcome): string[] {
  const violation = violationOf(outcome.trace);
  const lines = renderHeader(outcome);
  for (const l of renderSteps(outcome.steps, violation)) lines.push(l);
  const checked = outcome.steps.filter((s) => s.holds !== null).length;
  const expectations = `${checked} expectation${checked === 1 ? '' : 's'} hold`;
  const on = outcome.engine === 'model' ? 'on the model' : `on the ${outcome.engine}`;
  if (outcome.firstFailure) {
    for (const l of renderMismatch(outcome.firstFailure)) lines.push(l);
    if (violation) lines.push(`  the trace does not reproduce the violation of ${violation.clause ?? 'its clause'} ${on}`);
  } else if (violation) {
    const observed = violation.evidence && violation.evidence.length > 0 ? `; steps ${violation.evidence.join(', ')} show what it did` : '';
    lines.push(`  ${expectations}: the trace reproduces the violation of ${violation.clause ?? 'its clause'} at step ${violation.step} ${on}${observed}`);
  } else {
    lines.push(`  ${expectations}`);
  }
  return lines;
}
