// The report as text (the table, why each "no", what became of each devpts and ptmx
// line, what the script did by line with the assumptions made, unset variables read,
// unknown effects grouped by command) and as JSON. Verdict traces use the trace labels
// (devpts1, devpts2, …).

import { INITIAL_NS, type ProfileId } from '../model/index.ts';
import type { DevptsLine, ProfileReport, Report } from './check.ts';
import { formatStep } from './format.ts';
import type { FindingKind } from './run.ts';
import { VERDICT_TITLES } from './verdicts.ts';

export interface RenderOptions {
  /** Show the trace of every verdict, not only of each "no", and the no-effect lines. */
  readonly verbose?: boolean;
}

const yesNo = (v: boolean | null): string => (v === null ? 'n/a' : v ? 'yes' : 'no');

/** Commands (by line and reason) whose effect on devpts is unknown under one profile. */
export const unknownEffects = (p: ProfileReport): number =>
  new Set(p.findings.filter((f) => f.kind === 'unknown').map((f) => `${f.file ?? ''}:${f.line}\u0000${f.message}`)).size;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('').trimEnd());
}

const profilesNote = (ps: readonly ProfileId[], all: number): string => (ps.length === all ? '' : `[${ps.join(', ')}] `);

/** Line numbers as "3, 5, 7-9". */
export function lineList(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return out.length > 12 ? `${out.slice(0, 12).join(', ')}, … (${sorted.length} lines)` : out.join(', ');
}

const at = (line: number, file?: string): string => (file !== undefined ? `${file}:${line}` : `line ${line}`);

/** The first word of a command's text (its program), for grouping. */
const commandName = (text: string): string => {
  const words = text.replace(/^(\s*[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/, '').trim().split(/\s+/);
  const w = words[0] ?? text;
  return w.slice(w.lastIndexOf('/') + 1) || w;
};

/** Unknown effects grouped by command: name → { lines, reasons }. */
export function unknownByCommand(report: Report): { command: string; lines: string[]; reasons: string[]; profiles: ProfileId[] }[] {
  const groups = new Map<string, { command: string; lines: Map<string, number>; reasons: Set<string>; profiles: Set<ProfileId> }>();
  for (const w of report.warnings) {
    const name = commandName(w.command);
    const g = groups.get(name) ?? { command: name, lines: new Map(), reasons: new Set(), profiles: new Set() };
    g.lines.set(at(w.line, w.file), w.line);
    g.reasons.add(w.message);
    for (const p of w.profiles) g.profiles.add(p);
    groups.set(name, g);
  }
  return [...groups.values()].map((g) => ({ command: g.command, lines: [...g.lines.keys()], reasons: [...g.reasons], profiles: [...g.profiles] }));
}

/** The devpts lines merged over profiles: one entry per line, outcomes with the profiles they hold for. */
function mergedDevptsLines(report: Report): { key: string; line: DevptsLine; outcomes: { text: string; profiles: ProfileId[] }[] }[] {
  const byKey = new Map<string, { key: string; line: DevptsLine; outcomes: Map<string, ProfileId[]> }>();
  for (const p of report.profiles) {
    for (const d of p.devptsLines) {
      const key = `${d.file ?? ''}:${String(d.line).padStart(8, '0')}:${d.text}`;
      const e = byKey.get(key) ?? { key, line: d, outcomes: new Map() };
      const text = d.outcome === 'ran' ? `ran: ${d.detail}` : d.outcome === 'skipped' ? `skipped: ${d.detail}` : `never reached: ${d.detail}`;
      e.outcomes.set(text, [...(e.outcomes.get(text) ?? []), p.profile]);
      byKey.set(key, e);
    }
  }
  return [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)).map((e) => ({ key: e.key, line: e.line, outcomes: [...e.outcomes].map(([text, profiles]) => ({ text, profiles })) }));
}

/** "the devpts mount at line N never ran": per line, the profiles where it did not. */
export function devptsMountWarnings(report: Report): { line: number; file?: string; text: string; profiles: ProfileId[]; why: string }[] {
  const out = new Map<string, { line: number; file?: string; text: string; profiles: ProfileId[]; why: string }>();
  for (const p of report.profiles) {
    for (const d of p.devptsLines) {
      if (!d.mount || d.outcome === 'ran') continue;
      const key = `${d.file ?? ''}:${d.line}`;
      const w = out.get(key) ?? { line: d.line, ...(d.file !== undefined ? { file: d.file } : {}), text: d.text, profiles: [], why: d.detail };
      w.profiles.push(p.profile);
      out.set(key, w);
    }
  }
  return [...out.values()];
}

export function renderText(report: Report, options: RenderOptions = {}): string {
  const out: string[] = [];
  const n = report.profiles.length;
  out.push(`devpts-check script ${report.script}`);
  const boot = report.boot === 'none' ? 'nothing mounted but / (an initramfs)' : `${report.boot === 'devtmpfs' ? '/dev is devtmpfs, ' : ''}init mounts /dev/pts with ${report.bootOptions ? `-o ${report.bootOptions}` : 'no options'}`;
  out.push(`shell: ${report.shell} · role: ${report.role} · boot: ${boot}`);
  const containers = new Set(report.profiles.map((p) => p.container.description));
  const label = report.role === 'host' ? 'host' : 'container';
  if (containers.size === 1) out.push(`${label}: ${[...containers][0]}`);
  else for (const p of report.profiles) out.push(`${label} on ${p.profile}: ${p.container.description}`);
  for (const r of report.repairs) out.push(`note: line ${r.line}: ${r.what}`);
  out.push('');

  const titles = report.profiles[0]?.verdicts.map((v) => VERDICT_TITLES[v.name]) ?? [];
  out.push(...table([
    ['profile', ...titles, 'effect unknown'],
    ...report.profiles.map((p) => [p.profile, ...p.verdicts.map((v) => yesNo(v.value)), String(unknownEffects(p))]),
  ]));

  const shown = report.profiles.flatMap((p) => p.verdicts.filter((v) => v.value !== null && (options.verbose || !v.value)).map((v) => ({ p, v })));
  if (shown.length > 0) {
    out.push('', options.verbose ? 'Why:' : 'Why each "no":');
    for (const { p, v } of shown) {
      out.push(`  ${p.profile} ${VERDICT_TITLES[v.name]}: ${yesNo(v.value)}: ${v.why}`);
      for (const s of v.steps) out.push(`      ${formatStep(s.op, s.result)}`);
    }
  }

  const lines = mergedDevptsLines(report);
  if (lines.length > 0) {
    out.push('', 'devpts and ptmx lines:');
    for (const l of lines) {
      out.push(`  ${at(l.line.line, l.line.file)}: ${l.line.text}`);
      for (const o of l.outcomes) out.push(`      ${profilesNote(o.profiles, n)}${o.text}`);
    }
  }
  const never = devptsMountWarnings(report);
  for (const w of never) out.push(`warning: ${profilesNote(w.profiles, n)}the devpts mount at ${at(w.line, w.file)} never ran (${w.why})`);

  // What the script did, line by line, merged over the profiles it happened in.
  const order: FindingKind[] = ['failed', 'console', 'host', 'assumed', 'info'];
  const byLine = new Map<string, { line: number; file?: string; command: string; items: Map<string, { kind: FindingKind; profiles: ProfileId[] }> }>();
  for (const p of report.profiles) {
    for (const f of p.findings) {
      if (!order.includes(f.kind)) continue;
      const key = `${f.file ?? ''}\u0000${String(f.line).padStart(8, '0')}`;
      const entry = byLine.get(key) ?? { line: f.line, ...(f.file !== undefined ? { file: f.file } : {}), command: f.command, items: new Map() };
      const item = entry.items.get(f.message) ?? { kind: f.kind, profiles: [] };
      if (!item.profiles.includes(p.profile)) item.profiles.push(p.profile);
      entry.items.set(f.message, item);
      byLine.set(key, entry);
    }
  }
  if (byLine.size > 0) {
    out.push('', 'What the script does:');
    for (const [, { line, file, command, items }] of [...byLine].sort((a, b) => a[0].localeCompare(b[0]))) {
      out.push(`  ${line === 0 ? 'at exit' : at(line, file)}: ${command}`);
      const sorted = [...items].sort((a, b) => order.indexOf(a[1].kind) - order.indexOf(b[1].kind));
      for (const [message, { kind, profiles }] of sorted) {
        out.push(`      ${profilesNote(profiles, n)}${kind === 'failed' ? 'fails: ' : kind === 'assumed' ? 'assumed: ' : ''}${message}`);
      }
    }
  }

  const unset = new Map<string, { lines: Set<string>; withDefault: boolean }>();
  for (const p of report.profiles) {
    for (const u of p.unsetReads) {
      const e = unset.get(u.name) ?? { lines: new Set<string>(), withDefault: true };
      for (const l of u.lines) e.lines.add(l);
      e.withDefault &&= u.withDefault;
      unset.set(u.name, e);
    }
  }
  if (unset.size > 0) {
    out.push('', `Unset variables read (the environment is only what --env gives): ${[...unset].map(([name, e]) => `$${name} (line${e.lines.size > 1 ? 's' : ''} ${[...e.lines].join(', ')}${e.withDefault ? ', with a default' : ''})`).join('; ')}`);
  }

  const groups = unknownByCommand(report);
  const assumed = new Set(report.profiles.flatMap((p) => p.findings.filter((f) => f.kind === 'assumed').map((f) => `${f.file ?? ''}:${f.line}:${f.message}`))).size;
  const assumedNote = assumed === 0 ? '' : `; ${assumed} exit status${assumed === 1 ? '' : 'es'} assumed, shown by ${assumed === 1 ? 'its line' : 'their lines'}`;
  out.push('', groups.length === 0
    ? `Effect unknown: none (every command was understood${assumedNote})`
    : `Effect unknown: ${report.warnings.length} command${report.warnings.length === 1 ? '' : 's'} not modelled; the verdicts leave them out:`);
  for (const g of groups) {
    out.push(`  ${g.command} (${g.lines.length > 1 ? 'at ' : ''}${g.lines.join(', ')}): ${profilesNote(g.profiles, n)}${g.reasons.slice(0, 3).join('; ')}${g.reasons.length > 3 ? `; … (${g.reasons.length - 3} more)` : ''}`);
  }

  const noEffect = new Map<string, number[]>();
  for (const p of report.profiles) {
    for (const f of p.findings) {
      if (f.kind !== 'noeffect') continue;
      const name = commandName(f.command);
      noEffect.set(name, [...(noEffect.get(name) ?? []), f.line]);
    }
  }
  if (noEffect.size > 0 && options.verbose) {
    out.push(`No effect on devpts: ${[...noEffect].map(([name, ls]) => `${name} (line${new Set(ls).size > 1 ? 's' : ''} ${lineList(ls)})`).join('; ')}`);
  }

  const consumers = report.profiles[0]?.consumers ?? [];
  if (consumers.length > 0) {
    const p0 = report.profiles[0]!;
    out.push(`Pty consumers: ${consumers.map((c) => `${c.name} (line ${c.line}, ${c.pid === p0.container.pid ? 'in the container' : c.ns === INITIAL_NS ? "in the host's namespace" : `pid ${c.pid}, not the container`})`).join('; ')}`);
  }
  for (const p of report.profiles) {
    const e = p.ending;
    if (e.ending === 'end') continue;
    const where = e.line !== undefined && e.line > 0 ? ` at ${at(e.line, e.file)}` : '';
    const how = e.ending === 'budget' ? e.message ?? 'the analysis stopped'
      : e.ending === 'errexit' ? `set -e stopped the script${where} (status ${e.status})`
        : e.ending === 'fatal' ? `the shell stopped${where}: ${e.message ?? 'an error'}`
          : e.ending === 'exec' ? 'the script ended at an exec' : `the script exited with status ${e.status}`;
    out.push(`Note on ${p.profile}: ${how}; later lines were not run.`);
  }
  const noes = report.profiles.flatMap((p) => p.verdicts).filter((v) => v.value === false).length;
  out.push('', report.ok ? 'Every verdict is yes.' : `Not every verdict is yes (${noes} no).`);
  return out.join('\n') + '\n';
}

/** The report as JSON: verdicts with their traces, findings, warnings; the script's steps too. */
export function renderJson(report: Report): string {
  return JSON.stringify({
    format: 'devpts-check-script/1',
    ...report,
    unknownByCommand: unknownByCommand(report),
    devptsMountsNeverRan: devptsMountWarnings(report),
    profiles: report.profiles.map((p) => ({
      profile: p.profile,
      role: p.role,
      container: p.container,
      unknownEffects: unknownEffects(p),
      verdicts: Object.fromEntries(p.verdicts.map((v) => [v.name, { value: v.value, why: v.why, trace: v.steps.map((s) => ({ op: s.op, result: s.result })) }])),
      devptsLines: p.devptsLines,
      unsetReads: p.unsetReads,
      findings: p.findings,
      consumers: p.consumers,
      ending: p.ending,
      steps: p.steps.filter((s) => !s.probe).map((s) => ({ line: s.line, ...(s.file !== undefined ? { file: s.file } : {}), op: s.op, result: s.result, ...(s.note ? { note: s.note } : {}) })),
    })),
  }, (key, value: unknown) => (key === 'node' ? undefined : value), 2) + '\n';
}
