// devpts-check kernel [--profile P] [--runs N] [--seed S] [--json] [--out DIR]
//   [--kernel-image FILE] [--kernels DIR] [--guests N] [--record]:
// random op sequences on the model of profile P and on P's kernel (kernel/targets.ts:
// the live kernel for 6.x, QEMU guests for the old profiles), compared step by step. A
// divergence is shrunk, saved as a trace and printed; exit 1. A sequence whose guest
// hung or panicked is named in one line, saved, and neither passes nor diverges: exit
// 75 when there was one (and no divergence). Exit 77 (one line) where this machine
// cannot run the kernel (not root, no QEMU, no image, ...). --record writes the proof
// (kernel/proofs.ts) that the report shows for the profile's column.

import cliProgress from 'cli-progress';
import { relative } from 'node:path';
import { PROFILE_IDS, type ProfileId } from '../../model/index.ts';
import { EXIT, UnavailableError, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { kernelAvailability, unavailableLine } from '../../kernel/build.ts';
import { DEFAULT_OUT_DIR, genFor, kernelCheck, renderDivergence, type KernelCheckReport } from '../../kernel/diff.ts';
import { recordProof } from '../../kernel/proofs.ts';
import { guestStarted, openRunner, TargetUnavailable, targetFor, type OpenedRunner } from '../../kernel/targets.ts';

interface KernelFlags {
  readonly runs: string; readonly seed?: string; readonly json?: boolean; readonly out?: string;
  readonly profile: string; readonly kernelImage?: string; readonly kernels?: string; readonly guests?: string;
  readonly record?: boolean;
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

export function profileFlag(command: string, v: string): ProfileId {
  if (!(PROFILE_IDS as readonly string[]).includes(v)) throw new UsageError(`${command}: unknown profile "${v}" (one of ${PROFILE_IDS.join(', ')})`);
  return v as ProfileId;
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

function replayLine(r: KernelCheckReport, flags: KernelFlags): string {
  return `devpts-check kernel --profile ${r.profile} --seed ${r.seed} --runs ${r.runs}${flags.kernelImage ? ` --kernel-image ${flags.kernelImage}` : ''}`;
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
    .description("run random op sequences on a profile's model and on that profile's kernel (6.x: the live kernel; older profiles: QEMU guests), and compare them step by step")
    .option('--profile <id>', `the profile (${PROFILE_IDS.join(', ')})`, '6.x')
    .option('--runs <n>', 'number of random sequences', '200')
    .option('--seed <s>', 'random seed (default: a fresh one, printed)')
    .option('--json', 'one JSON object with the outcome')
    .option('--out <dir>', `where a divergence is saved (default ${shown(DEFAULT_OUT_DIR)})`)
    .option('--kernel-image <file>', "run the profile's sequences on this bootable image under QEMU")
    .option('--kernels <dir>', 'where the kernel images are (default ../shared/kernels, or $DEVPTS_CHECK_KERNELS)')
    .option('--guests <n>', 'QEMU guests at once (default 3)')
    .option('--record', "record the outcome as the proof of the profile's column (kernel/proofs.json) when nothing diverged or was lost")
    .action(async (flags: KernelFlags) => {
      const profile = profileFlag('kernel', flags.profile);
      const runs = positiveInt('--runs', flags.runs);
      const seed = flags.seed === undefined ? Math.floor(Math.random() * 0x7fffffff) : positiveInt('--seed', flags.seed);
      const guests = flags.guests === undefined ? undefined : positiveInt('--guests', flags.guests);
      const opened = await requireRunner(profile, {
        ...(flags.kernelImage !== undefined ? { kernelImage: flags.kernelImage } : {}),
        ...(flags.kernels !== undefined ? { kernels: flags.kernels } : {}),
        ...(guests !== undefined ? { guests } : {}),
      });
      const guest = opened.target.kind === 'guest';
      const tty = !flags.json && process.stderr.isTTY === true;
      const bar = tty ? new cliProgress.SingleBar({ format: 'kernel {bar} {value}/{total} sequences', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      let report: KernelCheckReport;
      let label = opened.label;
      const stop = () => { if ('kill' in opened.runner && typeof opened.runner.kill === 'function') opened.runner.kill(); };
      process.once('SIGINT', stop);
      try {
        // guests preload their share of the sequences: submit them before the first boot ends
        const run = kernelCheck({
          runs, seed, profile, harness: opened.runner, gen: genFor(guest, profile), kernel: label,
          ...(guest ? { batch: runs } : {}), ...(flags.out ? { outDir: flags.out } : {}),
          onProgress: (n) => bar?.update(n),
        });
        const started = await requireStarted(opened);
        label = started.label;
        if (!flags.json) process.stdout.write(`${profile} on ${label} · seed ${seed} · ${runs} sequences · replay: devpts-check kernel --profile ${profile} --seed ${seed} --runs ${runs}${flags.kernelImage ? ` --kernel-image ${flags.kernelImage}` : ''}\n`);
        bar?.start(runs, 0);
        report = { ...(await run), kernel: label };
      } catch (err) {
        stop();
        throw err;
      } finally {
        bar?.stop();
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
