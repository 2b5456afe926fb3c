// devpts-check kernel [--runs N] [--seed S] [--json] [--out DIR]: random op sequences on
// the model (6.x) and on the live kernel (kernel/harness.c), compared step by step. A
// divergence is shrunk, saved as a trace and printed; exit 1. Exit 77 (one line) where
// this machine cannot run the harness (not root, no CAP_SYS_ADMIN, no compiler, ...).

import cliProgress from 'cli-progress';
import { relative } from 'node:path';
import { EXIT, UnavailableError, UsageError } from '../exit-codes.ts';
import type { Registrar } from '../registrar.ts';
import { kernelAvailability, unavailableLine } from '../../kernel/build.ts';
import { DEFAULT_OUT_DIR, kernelCheck, renderDivergence, type KernelCheckReport } from '../../kernel/diff.ts';
import { KernelHarness } from '../../kernel/driver.ts';

interface KernelFlags { readonly runs: string; readonly seed?: string; readonly json?: boolean; readonly out?: string }

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

function jsonReport(r: KernelCheckReport): Record<string, unknown> {
  const d = r.divergence;
  return {
    seed: r.seed, runs: r.runs, checked: r.checked, steps: r.steps,
    seconds: Number(r.seconds.toFixed(3)), sequencesPerSecond: Number((r.checked / r.seconds).toFixed(1)),
    replay: `devpts-check kernel --seed ${r.seed} --runs ${r.runs}`,
    divergence: d === null ? null : {
      index: d.index, step: d.step + 1, file: d.file, boot: d.seq.boot, ops: d.seq.ops,
      model: d.model.results, kernel: d.kernel.results, modelBoot: d.model.bootError, kernelBoot: d.kernel.bootError,
    },
  };
}

export const register: Registrar = (program, done) => {
  program
    .command('kernel')
    .description('run random op sequences on the model (6.x) and on the live kernel, and compare them step by step')
    .option('--runs <n>', 'number of random sequences', '200')
    .option('--seed <s>', 'random seed (default: a fresh one, printed)')
    .option('--json', 'one JSON object with the outcome')
    .option('--out <dir>', `where a divergence is saved (default ${shown(DEFAULT_OUT_DIR)})`)
    .action(async (flags: KernelFlags) => {
      const runs = positiveInt('--runs', flags.runs);
      const seed = flags.seed === undefined ? Math.floor(Math.random() * 0x7fffffff) : positiveInt('--seed', flags.seed);
      const binary = requireKernel();
      const tty = !flags.json && process.stderr.isTTY === true;
      if (!flags.json) process.stdout.write(`seed ${seed} · ${runs} sequences · replay: devpts-check kernel --seed ${seed} --runs ${runs}\n`);
      const bar = tty ? new cliProgress.SingleBar({ format: 'kernel {bar} {value}/{total} sequences', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic) : null;
      bar?.start(runs, 0);
      const harness = KernelHarness.start({ binary });
      let report: KernelCheckReport;
      try {
        report = await kernelCheck({
          runs, seed, harness, ...(flags.out ? { outDir: flags.out } : {}),
          onProgress: (n) => bar?.update(n),
        });
      } finally {
        bar?.stop();
        await harness.close();
      }
      const rate = report.checked / report.seconds;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(jsonReport(report))}\n`);
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
