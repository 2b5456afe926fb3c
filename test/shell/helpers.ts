// Shared helpers for the shell checker's tests.

import { boot, type Op, type ProfileId } from '../../model/index.ts';
import { scriptCommand, type ScriptFlags } from '../../cli/commands/script.ts';
import { checkScript, type CheckOptions, type Report } from '../../shell/check.ts';
import type { VerdictName } from '../../shell/verdicts.ts';
import { Run, type Finding, type RecordedStep } from '../../shell/run.ts';

/** Verdicts as a compact string per profile: reachable, isolated, host unharmed, non-root usable. */
export function verdictTable(report: Report): Record<string, string> {
  return Object.fromEntries(report.profiles.map((p) => [p.profile, p.verdicts.map((v) => (v.value === null ? '-' : v.value ? 'y' : 'n')).join('')]));
}

export function verdict(report: Report, profile: ProfileId, name: VerdictName) {
  const v = report.profiles.find((p) => p.profile === profile)!.verdicts.find((x) => x.name === name)!;
  return v;
}

export const check = (text: string, profiles?: readonly ProfileId[], bootOptions?: string): Promise<Report> =>
  checkScript(text, { ...(profiles ? { profiles } : {}), ...(bootOptions !== undefined ? { bootOptions } : {}), scriptName: 'test.sh' });

/** The steps a script produced under one profile (set-up and probes left out). */
export function scriptSteps(report: Report, profile: ProfileId = report.profiles[0]!.profile): RecordedStep[] {
  const p = report.profiles.find((x) => x.profile === profile)!;
  return p.steps.filter((s) => s.line !== null && !s.probe);
}

/** The ops a script produced under one profile, as compact JSON without the pid (unless `withPid`). */
export function scriptOps(report: Report, profile?: ProfileId, withPid = false): string[] {
  return scriptSteps(report, profile).map((s) => {
    const { pid, ...rest } = s.op;
    return JSON.stringify(withPid ? { pid, ...rest } : rest);
  });
}

export function findings(report: Report, profile: ProfileId = report.profiles[0]!.profile): Finding[] {
  return [...report.profiles.find((x) => x.profile === profile)!.findings];
}

/**
 * A long start-up script: `blocks` copies of a 25-line block that uses what real
 * scripts use (variables, functions, if/test, loops, mount/umount, ln, chmod, echo).
 */
export function longScript(lines: number): string {
  const block = (k: number): string[] => [
    `# block ${k}`,
    `DIR=/tmp/c${k}`,
    'mkdir -p "$DIR/dev"',
    'if [ ! -d "$DIR/dev/pts" ]; then',
    '  mkdir "$DIR/dev/pts"',
    'fi',
    `echo "setting up container ${k}"`,
    'for f in a b; do touch "$DIR/$f"; done',
    'chmod 0644 "$DIR/a"',
    'ln -sf pts/ptmx "$DIR/dev/ptmx"',
    'test -L "$DIR/dev/ptmx" && echo linked',
    'mount -t tmpfs tmpfs "$DIR/dev/pts"',
    'umount "$DIR/dev/pts"',
    'rm -f "$DIR/b"',
    '[ -e "$DIR/b" ] || echo removed',
    'case "$DIR" in /tmp/*) : ;; *) echo odd ;; esac',
    'setup() { chmod 0755 "$1"; }',
    'setup "$DIR"',
    'mknod -m 0666 "$DIR/dev/null" c 1 3',
    'chown 0:5 "$DIR/a"',
    'sleep 0',
    'true && false || echo fallback',
    `X${k}=done`,
    '',
    '',
  ];
  const out: string[] = ['#!/bin/sh'];
  for (let k = 0; out.length < lines; k++) out.push(...block(k));
  return out.slice(0, lines).join('\n') + '\n';
}
/** Run `devpts-check script` in-process, capturing its output. */
export async function runCli(file: string, flags: ScriptFlags = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await scriptCommand(file, flags, { out: (t) => { out += t; }, err: (l) => { err += `${l}\n`; } });
  return { code, out, err };
}


/** A check with any options (the CLI's inputs). */
export const checkWith = (text: string, options: CheckOptions): Promise<Report> => checkScript(text, { scriptName: 'test.sh', ...options });

/** Does the model model this op yet (the "world" issue adds chroot, pivotRoot, move, …)? */
export function modelHas(op: Op): boolean {
  return new Run('6.x', boot('6.x', {})).takes(op);
}
