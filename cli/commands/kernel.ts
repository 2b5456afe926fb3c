// devpts-check kernel [--profile P] [--runs N] [--seed S] [--json] [--out DIR]
//   [--kernel-image FILE] [--kernels DIR] [--guests N] [--record]:
// random op sequences on the model of profile P and on P's kernel (kernel/targets.ts:
// the live kernel for 6.x, QEMU guests for the old profiles), compared step by step. A
// divergence is shrunk, saved as a trace and printed; exit 1. A sequence whose guest
// hung or panicked is named in one line, saved, and neither passes nor diverges: exit
// 75 when there was one (and no divergence). Exit 77 (one line) where this machine
// cannot run the kernel (not root, no QEMU, no image, ...). --record writes the proof
// (kernel/proofs.ts) that the report shows for the profile's column.

import { relative } from 'node:path';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { EXIT, UnavailableError, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { requireWritableDir } from '../out-dir.ts';
import { collect, parseProfiles, PROFILE_FLAG } from '../profiles.ts';
import { startProgress } from '../progress.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { DEFAULT_SEED } from '../../properties/runner.ts';
import { kernelAvailability, unavailableLine } from '../../kernel/build.ts';
import { DEFAULT_OUT_DIR, genFor, kernelCheck, renderDivergence, type KernelCheckReport } from '../../kernel/diff.ts';
import { recordProof } from '../../kernel/proofs.ts';
import { guestStarted, openRunner, TargetUnavailable, targetFor, type OpenedRunner } from '../../kernel/targets.ts';

interface KernelFlags {
  readonly runs: string; readonly seed?: string; readonly json?: boolean; readonly out?: string;
  readonly profile?: string | string[]; readonly kernelImage?: string; readonly kernels?: string; readonly guests?: string;
  readonly record?: boolean; readonly progress?: boolean;
}

const positiveInt = (name: string, v: string): number => {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`kernel: ${name} must be a positive integer, got "${v}"`);
  return Number(v);
};

/** The live harness, or the one-line reason it cannot run here (exit 77). */
export function requireKernel(): string {
  const a = kernelAvailability();
  if (!a.ok) throw new UnavailableError(unavailableLine(a.reason));
  return a.binary;
}

/** The one profile a command checks against a kernel, given in the form every --profile takes (cli/profiles.ts). */
export function profileFlag(command: string, v: string | readonly string[] | undefined, fallback: ProfileId = '6.x'): ProfileId {
  const ps = parseProfiles(v, command) ?? [fallback];
  if (ps.length !== 1) throw new UsageError(`${command}: one profile at a time against a kernel, not ${ps.length} (${ps.join(', ')})`);
  return ps[0]!;
}

/** Open the runner of a profile's kernel and wait until it is up; exit 77 with one line where it cannot run. */
export async function requireRunner(profile: ProfileId, flags: { kernelImage?: string; kernels?: string; guests?: number }): Promise<OpenedRunner> {
  try {
    const target = await targetFor(profile, {
      ...(flags.kernelImage !== undefined ? { kernelImage: flags.kernelImage } : {}),
      ...(flags.kernels !== undefined ? { kernels: flags.kernels } : {}),
    });
    return await openRunner(target, flags.guests !== undefined ? { guests: flags.guests } : {});
  } catch (err) {
    if (err instanceof TargetUnavailable) throw new UnavailableError(err.message);
    throw err;
  }
}

export async function requireStarted(opened: OpenedRunner): Promise<OpenedRunner> {
  try {
    return await guestStarted(opened);
  } catch (err) {
    if (err instanceof TargetUnavailable) throw new UnavailableError(err.message);
    throw err;
  }
}

const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
};

/** The command that runs the same sequences on the same kernel again. */
function replayLine(r: { profile: ProfileId; seed: number; runs: number }, flags: KernelFlags): string {
  const parts = [`devpts-check kernel --profile ${r.profile} --seed ${r.seed} --runs ${r.runs}`];
  if (flags.kernelImage) parts.push(`--kernel-image ${flags.kernelImage}`);
  if (flags.kernels) parts.push(`--kernels ${flags.kernels}`);
  if (flags.guests) parts.push(`--guests ${flags.guests}`);
  if (flags.out) parts.push(`--out ${flags.out}`);
  return parts.join(' ');
}

function jsonReport(r: KernelCheckReport, flags: KernelFlags): Record<string, unknown> {
  const d = r.divergence;
  return {
    profile: r.profile, kernel: r.kernel, seed: r.seed, runs: r.runs, checked: r.checked, steps: r.steps,
    seconds: Number(r.seconds.toFixed(3)), sequencesPerSecond: Number((r.checked / r.seconds).toFixed(1)),
    replay: replayLine(r, flags),
    lost: r.lost.map((l) => ({ sequence: l.index + 1, why: l.why, file: l.file })),
    divergence: d === null ? null : {
      index: d.index, step: d.step + 1, file: d.file, boot: d.seq.boot, ops: d.seq.ops,
      model: d.model.results, kernel: d.kernel.results, modelBoot: d.model.bootError, kernelBoot: d.kernel.bootError,
    },
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('kernel')
    .description("run random op sequences on a profile's model and on that profile's kernel (6.x: the live kernel; older profiles: QEMU guests), and compare them step by step (needs root)")
    .option(PROFILE_FLAG, `the one profile to check (${PROFILE_IDS.join(', ')}; default 6.x)`, collect)
    .option('--runs <n>', 'number of random sequences', '200')
    .option('--seed <s>', `random seed (default ${DEFAULT_SEED}, the one default seed of every command)`)
    .option('--json', 'one JSON object with the outcome')
    .option('--out <dir>', `where a divergence is saved (default ${shown(DEFAULT_OUT_DIR)})`)
    .option('--kernel-image <file>', "run the profile's sequences on this bootable image under QEMU")
    .option('--kernels <dir>', 'where the kernel images are (default ../shared/kernels, or $DEVPTS_CHECK_KERNELS)')
    .option('--guests <n>', 'QEMU guests at once (default 3)')
    .option('--record', "record the outcome as the proof of the profile's column (kernel/proofs.json) when nothing diverged or was lost")
    .option('--no-progress', 'no progress on stderr (default: a line every 10 s when stderr is not a terminal)')
    .addHelpText('after', `
Needs root (CAP_SYS_ADMIN): on 6.x the harness (kernel/harness.c, compiled on first use)
runs every sequence in a private mount namespace on a fresh tmpfs and never changes the
host's mounts or kernel.pty.* settings; the older profiles boot their kernels under QEMU.
Where that is not possible it prints one line and exits 77.
${helpAfter(
    ['devpts-check kernel --runs 2000 --seed 1', 'devpts-check kernel --profile 2.6.39-y --runs 300', 'devpts-check replay --kernel traces/corpus/U6--6.x.json'],
    [[EXIT.ok, "the model and the profile's kernel agree on every sequence"], [EXIT.failed, 'they diverge (the shrunk sequence is saved and printed)'], [EXIT.usage],
      [EXIT.budget, 'a guest hung or panicked on a sequence (named, saved; nothing diverged)'], [EXIT.unavailable, 'not root, no QEMU or no kernel image (one line)']],
  )}`)
    .action(async (flags: KernelFlags) => {
      const profile = profileFlag('kernel', flags.profile);
      const runs = positiveInt('--runs', flags.runs);
      const seed = flags.seed === undefined ? DEFAULT_SEED : positiveInt('--seed', flags.seed);
      const guests = flags.guests === undefined ? undefined : positiveInt('--guests', flags.guests);
      if (flags.out !== undefined) await requireWritableDir(flags.out, 'kernel: --out ');
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      const opened = await requireRunner(profile, {
        ...(flags.kernelImage !== undefined ? { kernelImage: flags.kernelImage } : {}),
        ...(flags.kernels !== undefined ? { kernels: flags.kernels } : {}),
        ...(guests !== undefined ? { guests } : {}),
      });
      const guest = opened.target.kind === 'guest';
      const progress = startProgress({ label: `kernel ${profile}`, enabled: flags.progress !== false });
      let report: KernelCheckReport;
      let label = opened.label;
      const stop = () => { if ('kill' in opened.runner && typeof opened.runner.kill === 'function') opened.runner.kill(); };
      process.once('SIGINT', stop);
      try {
        // guests preload their share of the sequences: submit them before the first boot ends
        const run = kernelCheck({
          runs, seed, profile, harness: opened.runner, gen: genFor(guest, profile), kernel: label,
          ...(guest ? { batch: runs } : {}), ...(flags.out ? { outDir: flags.out } : {}),
          onProgress: (n) => progress.update('sequences on the kernel and the model', n, runs),
        });
        const started = await requireStarted(opened);
        label = started.label;
        if (!flags.json) process.stdout.write(`${profile} on ${label} · seed ${seed} · ${runs} sequences · the same run again: ${replayLine({ profile, seed, runs }, flags)}\n`);
        report = { ...(await run), kernel: label };
      } catch (err) {
        stop();
        throw err;
      } finally {
        progress.end();
        process.off('SIGINT', stop);
        await opened.runner.close();
      }
      const rate = report.checked / report.seconds;
      for (const l of report.lost) {
        process.stderr.write(`devpts-check: sequence ${l.index + 1} not checked: ${l.why}${l.file ? ` (saved ${shown(l.file)})` : ''}\n`);
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(jsonReport(report, flags))}\n`);
      } else if (report.divergence === null) {
        const lostNote = report.lost.length > 0 ? `, ${report.lost.length} not checked (guest lost)` : '';
        process.stdout.write(`${report.checked} sequences (${report.steps} steps): model ${profile} and ${label} agree${lostNote} · ${report.seconds.toFixed(1)} s, ${rate.toFixed(0)} sequences/s\n`);
      } else {
        const d = report.divergence;
        const at = d.step < 0 ? 'at boot' : `at step ${d.step + 1}`;
        process.stdout.write(`divergence in sequence ${d.index + 1} of ${report.checked} (originally ${d.original.seq.ops.length} steps, shrunk to ${d.seq.ops.length}), ${at}:\n`);
        for (const line of renderDivergence(d)) process.stdout.write(`${line}\n`);
        if (d.file) process.stdout.write(`saved ${shown(d.file)} · replay: devpts-check replay --kernel ${shown(d.file)}\n`);
        else process.stdout.write('(the trace could not be saved)\n');
      }
      if (flags.record && report.divergence === null && report.lost.length === 0) {
        const file = await recordProof({ profile, kernel: label, image: opened.target.kind === 'guest' ? opened.target.image : null, seed, runs, checked: report.checked, divergences: 0, seconds: report.seconds });
        if (!flags.json) process.stdout.write(`recorded the proof of ${profile} in ${shown(file)}\n`);
      }
      done(report.divergence !== null ? EXIT.failed : report.lost.length > 0 ? EXIT.budget : EXIT.ok);
    });
};
