// devpts-check kernel [--runs N] [--seed S] [--json] [--out DIR]: random op sequences on
// the model (6.x) and on the live kernel (kernel/harness.c), compared step by step. A
// divergence is shrunk, saved as a trace and printed; exit 1. Exit 77 (one line) where
// this machine cannot run the harness (not root, no CAP_SYS_ADMIN, no compiler, ...).

import { relative } from 'node:path';
import { EXIT, UnavailableError, UsageError } from '../exit-codes.ts';
import { helpAfter } from '../help.ts';
import { requireWritableDir } from '../out-dir.ts';
import { startProgress } from '../progress.ts';
import { cliMode, type Registrar } from '../registrar.ts';
import { DEFAULT_SEED } from '../../properties/runner.ts';
import { kernelAvailability, unavailableLine } from '../../kernel/build.ts';
import { DEFAULT_OUT_DIR, kernelCheck, renderDivergence, type KernelCheckReport } from '../../kernel/diff.ts';
import { KernelHarness } from '../../kernel/driver.ts';

interface KernelFlags { readonly runs: string; readonly seed?: string; readonly json?: boolean; readonly out?: string; readonly progress?: boolean }

const positiveInt = (name: string, v: string): number => {
  if (!/^[0-9]+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`kernel: ${name} must be a positive integer, got "${v}"`);
  return Number(v);
};

/** The harness, or the one-line reason it cannot run here (exit 77). */
export function requireKernel(): string {
  const a = kernelAvailability();
  if (!a.ok) throw new UnavailableError(unavailableLine(a.reason));
  return a.binary;
}

const shown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
};

/** The command that runs the same sequences again. */
const rerunLine = (seed: number, runs: number, out: string | undefined): string =>
  `devpts-check kernel --seed ${seed} --runs ${runs}${out !== undefined ? ` --out ${out}` : ''}`;

function jsonReport(r: KernelCheckReport, out: string | undefined): Record<string, unknown> {
  const d = r.divergence;
  return {
    seed: r.seed, runs: r.runs, checked: r.checked, steps: r.steps,
    seconds: Number(r.seconds.toFixed(3)), sequencesPerSecond: Number((r.checked / r.seconds).toFixed(1)),
    replay: rerunLine(r.seed, r.runs, out),
    divergence: d === null ? null : {
      index: d.index, step: d.step + 1, file: d.file, boot: d.seq.boot, ops: d.seq.ops,
      model: d.model.results, kernel: d.kernel.results, modelBoot: d.model.bootError, kernelBoot: d.kernel.bootError,
    },
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('kernel')
    .description('run random op sequences on the model (6.x) and on the live kernel, and compare them step by step (needs root: it mounts in private mount namespaces)')
    .option('--runs <n>', 'number of random sequences', '200')
    .option('--seed <s>', `random seed (default ${DEFAULT_SEED}, the one default seed of every command)`)
    .option('--json', 'one JSON object with the outcome')
    .option('--out <dir>', `where a divergence is saved (default ${shown(DEFAULT_OUT_DIR)})`)
    .option('--no-progress', 'no progress on stderr (default: a line every 10 s when stderr is not a terminal)')
    .addHelpText('after', `
Needs root (CAP_SYS_ADMIN), unshare and a C compiler: the harness (kernel/harness.c) runs
every sequence in a private mount namespace on a fresh tmpfs and never changes the host's
mounts or kernel.pty.* settings. Where that is not possible it prints one line and exits 77.
${helpAfter(
    ['devpts-check kernel --runs 2000 --seed 1', 'devpts-check replay --kernel traces/corpus/U6--6.x.json'],
    [[EXIT.ok, 'the model and the live kernel agree on every sequence'], [EXIT.failed, 'they diverge (the shrunk sequence is saved and printed)'], [EXIT.usage], [EXIT.unavailable, 'not root, no unshare or no compiler (one line)']],
  )}`)
    .action(async (flags: KernelFlags) => {
      const runs = positiveInt('--runs', flags.runs);
      const seed = flags.seed === undefined ? DEFAULT_SEED : positiveInt('--seed', flags.seed);
      if (flags.out !== undefined) await requireWritableDir(flags.out, 'kernel: --out ');
      if (cliMode.dryRun) { done(EXIT.ok); return; }
      const binary = requireKernel();
      if (!flags.json) process.stdout.write(`seed ${seed} · ${runs} sequences · the same run again: ${rerunLine(seed, runs, flags.out)}\n`);
      const progress = startProgress({ label: 'kernel', enabled: flags.progress !== false });
      const harness = KernelHarness.start({ binary });
      let report: KernelCheckReport;
      try {
        report = await kernelCheck({
          runs, seed, harness, ...(flags.out ? { outDir: flags.out } : {}),
          onProgress: (n) => progress.update('sequences on the live kernel and the model', n, runs),
        });
      } finally {
        progress.end();
        await harness.close();
      }
      const rate = report.checked / report.seconds;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(jsonReport(report, flags.out))}\n`);
      } else if (report.divergence === null) {
        process.stdout.write(`${report.checked} sequences (${report.steps} steps): model and live kernel agree · ${report.seconds.toFixed(1)} s, ${rate.toFixed(0)} sequences/s\n`);
      } else {
        const d = report.divergence;
        const at = d.step < 0 ? 'at boot' : `at step ${d.step + 1}`;
        process.stdout.write(`divergence in sequence ${d.index + 1} of ${report.checked} (originally ${d.original.seq.ops.length} steps, shrunk to ${d.seq.ops.length}), ${at}:\n`);
        for (const line of renderDivergence(d)) process.stdout.write(`${line}\n`);
        if (d.file) process.stdout.write(`saved ${shown(d.file)} · replay: devpts-check replay --kernel ${shown(d.file)}\n`);
        else process.stdout.write('(the trace could not be saved)\n');
      }
      done(report.divergence === null ? EXIT.ok : EXIT.failed);
    });
};
