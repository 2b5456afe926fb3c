// The report as text (the table, why each "no", what the script did by line) and as
// JSON. Verdict traces use the trace labels (devpts1, devpts2, …).

import { INITIAL_NS, type ProfileId } from '../model/index.ts';
import type { ProfileReport, Report } from './check.ts';
import { formatStep } from './format.ts';
import type { FindingKind } from './run.ts';
import { VERDICT_TITLES } from './verdicts.ts';

export interface RenderOptions {
  /** Show the trace of every verdict, not only of each "no", and the no-effect lines. */
  readonly verbose?: boolean;
}

const yesNo = (v: boolean): string => (v ? 'yes' : 'no');

/** Commands (by line and reason) whose effect on devpts is unknown under one profile. */
export const unknownEffects = (p: ProfileReport): number =>
  new Set(p.findings.filter((f) => f.kind === 'unknown').map((f) => `${f.line}\u0000${f.message}`)).size;

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('').trimEnd());
}

const profilesNote = (ps: readonly ProfileId[], all: number): string => (ps.length === all ? '' : `[${ps.join(', ')}] `);

/** Line numbers as "3, 5, 7-9". */
function lineList(lines: readonly number[]): string {
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

export function renderText(report: Report, options: RenderOptions = {}): string {
  const out: string[] = [];
  const n = report.profiles.length;
  out.push(`devpts-check script ${report.script}`);
  out.push(`boot: init mounts /dev/pts with ${report.bootOptions ? `-o ${report.bootOptions}` : 'no options'}`);
  const containers = new Set(report.profiles.map((p) => p.container.description));
  if (containers.size === 1) out.push(`container: ${[...containers][0]}`);
  else for (const p of report.profiles) out.push(`container on ${p.profile}: ${p.container.description}`);
  out.push('');

  const titles = report.profiles[0]?.verdicts.map((v) => VERDICT_TITLES[v.name]) ?? [];
  out.push(...table([
    ['profile', ...titles, 'effect unknown'],
    ...report.profiles.map((p) => [p.profile, ...p.verdicts.map((v) => yesNo(v.value)), String(unknownEffects(p))]),
  ]));

  const shown = report.profiles.flatMap((p) => p.verdicts.filter((v) => options.verbose || !v.value).map((v) => ({ p, v })));
  if (shown.length > 0) {
    out.push('', options.verbose ? 'Why:' : 'Why each "no":');
    for (const { p, v } of shown) {
      out.push(`  ${p.profile} ${VERDICT_TITLES[v.name]}: ${yesNo(v.value)}: ${v.why}`);
      for (const s of v.steps) out.push(`      ${formatStep(s.op, s.result)}`);
    }
  }

  // What the script did, line by line, merged over the profiles it happened in.
  const order: FindingKind[] = ['failed', 'console', 'host', 'info'];
  const byLine = new Map<number, { command: string; items: Map<string, { kind: FindingKind; profiles: ProfileId[] }> }>();
  for (const p of report.profiles) {
    for (const f of p.findings) {
      if (!order.includes(f.kind)) continue;
      const entry = byLine.get(f.line) ?? { command: f.command, items: new Map() };
      const item = entry.items.get(f.message) ?? { kind: f.kind, profiles: [] };
      if (!item.profiles.includes(p.profile)) item.profiles.push(p.profile);
      entry.items.set(f.message, item);
      byLine.set(f.line, entry);
    }
  }
  if (byLine.size > 0) {
    out.push('', 'What the script does:');
    for (const [line, { command, items }] of [...byLine].sort((a, b) => a[0] - b[0])) {
      out.push(`  line ${line}: ${command}`);
      const sorted = [...items].sort((a, b) => order.indexOf(a[1].kind) - order.indexOf(b[1].kind));
      for (const [message, { kind, profiles }] of sorted) {
        out.push(`      ${profilesNote(profiles, n)}${kind === 'failed' ? 'fails: ' : ''}${message}`);
      }
    }
  }

  out.push('', report.warnings.length === 0
    ? 'Effect unknown: none (every command was understood)'
    : `Effect unknown: ${report.warnings.length} command${report.warnings.length === 1 ? '' : 's'} not modelled; the verdicts leave them out:`);
  for (const w of report.warnings) out.push(`  line ${w.line}: ${w.command}: ${profilesNote(w.profiles, n)}${w.message}`);

  const noEffect = new Map<string, number[]>();
  for (const p of report.profiles) {
    for (const f of p.findings) {
      if (f.kind !== 'noeffect') continue;
      const name = f.command.split(' ')[0] ?? f.command;
      noEffect.set(name, [...(noEffect.get(name) ?? []), f.line]);
    }
  }
  if (noEffect.size > 0) {
    out.push(`No effect on devpts: ${[...noEffect].map(([name, lines]) => `${name} (line${new Set(lines).size > 1 ? 's' : ''} ${lineList(lines)})`).join('; ')}`);
  }

  const consumers = report.profiles[0]?.consumers ?? [];
  if (consumers.length > 0) {
    const p0 = report.profiles[0]!;
    out.push(`Pty consumers: ${consumers.map((c) => `${c.name} (line ${c.line}, ${c.pid === p0.container.pid ? 'in the container' : c.ns === INITIAL_NS ? "in the host's namespace" : `pid ${c.pid}, not the container`})`).join('; ')}`);
  } else {
    out.push('Pty consumers: none (no sshd, getty, login, script, screen, tmux or lxc-console)');
  }
  for (const p of report.profiles) {
    if (p.ending.ending === 'end') continue;
    const how = p.ending.ending === 'budget' ? p.ending.message ?? 'the analysis stopped' : p.ending.ending === 'errexit' ? `set -e stopped the script (status ${p.ending.status})` : p.ending.ending === 'exec' ? 'the script ended at an exec' : `the script exited with status ${p.ending.status}`;
    out.push(`Note on ${p.profile}: ${how}; later lines were not run.`);
  }
  out.push('', report.ok ? 'Every verdict is yes.' : `Not every verdict is yes (${report.profiles.flatMap((p) => p.verdicts).filter((v) => !v.value).length} no).`);
  return out.join('\n') + '\n';
}

/** The report as JSON: verdicts with their traces, findings, warnings; the script's steps too. */
export function renderJson(report: Report): string {
  return JSON.stringify({
    format: 'devpts-check-script/1',
    ...report,
    profiles: report.profiles.map((p) => ({
      profile: p.profile,
      container: p.container,
      unknownEffects: unknownEffects(p),
      verdicts: Object.fromEntries(p.verdicts.map((v) => [v.name, { value: v.value, why: v.why, trace: v.steps.map((s) => ({ op: s.op, result: s.result })) }])),
      findings: p.findings,
      consumers: p.consumers,
      ending: p.ending,
      steps: p.steps.slice(0, p.scriptSteps).map((s) => ({ line: s.line, op: s.op, result: s.result, ...(s.note ? { note: s.note } : {}) })),
    })),
  }, null, 2) + '\n';
}
