// The script checker: parse once, then for each profile boot the model, run the
// script as pid 2 (root, in the host's namespace), probe the end state for the four
// verdicts, and gather what was found on the way.

import { boot, PROFILE_IDS, type BootConfig, type KernelResult, type ProfileId } from '../model/index.ts';
import { newShell } from './expand.ts';
import { Interp, type Ending } from './interp.ts';
import { parseScript, type ParsedScript } from './parse.ts';
import { HOST_PID, Run, SCRIPT_PID, type Consumer, type Finding, type RecordedStep } from './run.ts';
import { verdictsOf, type Container, type Verdict } from './verdicts.ts';

/** What init mounts /dev/pts with on a usual distribution (systemd, sysvinit): slaves 0620, group tty. */
export const DEFAULT_BOOT_OPTIONS = 'gid=5,mode=620';

export interface CheckOptions {
  readonly profiles?: readonly ProfileId[];
  /** Options of init's devpts mount at boot. */
  readonly bootOptions?: string;
  /** $0 of the script. */
  readonly scriptName?: string;
  /** Work budget per profile (steps, iterations, calls). */
  readonly budget?: number;
}

export interface ProfileReport {
  readonly profile: ProfileId;
  readonly container: Container;
  readonly verdicts: readonly Verdict[];
  /** What the script did under this profile, by line. */
  readonly findings: readonly Finding[];
  readonly consumers: readonly Consumer[];
  /** Every op: the set-up step, the script's, then the probes'; `fs` relabelled devpts1, devpts2, … */
  readonly steps: readonly RecordedStep[];
  /** How many of `steps` are the set-up's and the script's (the rest are probes). */
  readonly scriptSteps: number;
  readonly ending: { readonly ending: Ending; readonly status: number; readonly message?: string };
}

/** A "not modelled" finding, merged over the profiles it occurred in. */
export interface Warning {
  readonly line: number;
  readonly command: string;
  readonly message: string;
  readonly profiles: readonly ProfileId[];
}

export interface Report {
  readonly script: string;
  readonly bootOptions: string;
  readonly dialect: ParsedScript['dialect'];
  readonly profiles: readonly ProfileReport[];
  readonly warnings: readonly Warning[];
  /** Every verdict is yes for every profile. */
  readonly ok: boolean;
}

/** Boot every profile once with these options; throws BootError when init's mount fails. */
export function bootConfigFor(bootOptions: string, profiles: readonly ProfileId[]): BootConfig {
  const config: BootConfig = { devptsOptions: bootOptions };
  for (const p of profiles) boot(p, config);
  return config;
}

export function runProfile(parsed: ParsedScript, profile: ProfileId, bootConfig: BootConfig, options: CheckOptions = {}): ProfileReport {
  const run = new Run(profile, boot(profile, bootConfig), options.budget);
  run.exec({ op: 'spawn', pid: HOST_PID, child: SCRIPT_PID }, null, "set-up: the script runs as pid 2, root, in the host's mount namespace");
  const sh = newShell(options.scriptName ?? 'script', SCRIPT_PID);
  const ending = new Interp(run).runScript(parsed.program, sh);
  const scriptSteps = run.steps.length;
  run.endScript();
  const { container, verdicts } = verdictsOf(run, bootConfig);
  const relabel = (r: KernelResult): KernelResult => ('mounts' in r && r.mounts
    ? { ...r, mounts: r.mounts.map((m) => ({ ...m, fs: run.label(m.fs) })) }
    : 'fs' in r && r.fs ? { ...r, fs: run.label(r.fs) } : r);
  const steps = run.steps.map((s) => ({ ...s, result: relabel(s.result) }));
  const byStep = new Map(run.steps.map((s, k) => [s, steps[k]!]));
  return {
    profile, container, findings: run.findings, consumers: run.consumers, steps, scriptSteps, ending,
    verdicts: verdicts.map((v) => ({ ...v, steps: v.steps.map((s) => byStep.get(s) ?? s) })),
  };
}

export function mergeWarnings(reports: readonly ProfileReport[]): Warning[] {
  const merged = new Map<string, { line: number; command: string; message: string; profiles: ProfileId[] }>();
  for (const r of reports) {
    for (const f of r.findings) {
      if (f.kind !== 'unknown') continue;
      const key = `${f.line}\u0000${f.command}\u0000${f.message}`;
      const w = merged.get(key) ?? { line: f.line, command: f.command, message: f.message, profiles: [] };
      if (!w.profiles.includes(r.profile)) w.profiles.push(r.profile);
      merged.set(key, w);
    }
  }
  return [...merged.values()].sort((a, b) => a.line - b.line);
}

export async function checkScript(text: string, options: CheckOptions = {}): Promise<Report> {
  const profiles = options.profiles ?? PROFILE_IDS;
  const bootOptions = options.bootOptions ?? DEFAULT_BOOT_OPTIONS;
  const bootConfig = bootConfigFor(bootOptions, profiles);
  const parsed = await parseScript(text);
  const reports = profiles.map((p) => runProfile(parsed, p, bootConfig, options));
  return {
    script: options.scriptName ?? 'script', bootOptions, dialect: parsed.dialect, profiles: reports,
    warnings: mergeWarnings(reports),
    ok: reports.every((r) => r.verdicts.every((v) => v.value)),
  };
}
