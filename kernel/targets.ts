// Which kernel proves which profile, and how to get a runner for it.
//
//   2.6.39-n → QEMU, bzImage-2.6.39-n (2.6.39.4, CONFIG_DEVPTS_MULTIPLE_INSTANCES=n)
//   2.6.39-y → QEMU, bzImage-2.6.39-y       3.4-y → QEMU, bzImage-3.4-y (3.4.113)
//   4.4-y    → QEMU, bzImage-4.4-y (4.4.178) 4.4-n → QEMU, bzImage-4.4-n
//   6.1      → QEMU, Debian's 6.1 kernel (kernel/debian-kernel.ts fetches it)
//   6.x      → the live kernel (kernel/harness.c in private mount namespaces)
// `--kernel-image FILE` runs a profile's sequences on another image. The images are
// looked up in ../shared/kernels relative to the project root (CI lays out shared/ next
// to the clone), or in $DEVPTS_CHECK_KERNELS, or in --kernels DIR.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileId } from '../model/index.ts';
import { kernelAvailability } from './build.ts';
import { KernelHarness, type SequenceRunner } from './driver.ts';
import { debianKernel } from './debian-kernel.ts';
import { guestTools, GuestUnavailable } from './guest-build.ts';
import { GuestPool, type GuestInfo } from './qemu.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Where the kernel images are: --kernels DIR, else $DEVPTS_CHECK_KERNELS, else ../shared/kernels. */
export function kernelsDir(override?: string): string {
  if (override !== undefined && override !== '') return resolve(override);
  const env = process.env.DEVPTS_CHECK_KERNELS;
  return env !== undefined && env !== '' ? resolve(env) : resolve(PROJECT_ROOT, '..', 'shared', 'kernels');
}

/** The image file of each profile proved under QEMU (in kernelsDir). */
const IMAGES: Readonly<Record<string, string>> = {
  '2.6.39-n': 'bzImage-2.6.39-n',
  '2.6.39-y': 'bzImage-2.6.39-y',
  '3.4-y': 'bzImage-3.4-y',
  '4.4-n': 'bzImage-4.4-n',
  '4.4-y': 'bzImage-4.4-y',
};

/** What each image is expected to say when it is up (a wrong file is refused). */
const EXPECTED: Readonly<Record<string, { release: string; ptmxNode: boolean }>> = {
  '2.6.39-n': { release: '2.6.39', ptmxNode: false },
  '2.6.39-y': { release: '2.6.39', ptmxNode: true },
  '3.4-y': { release: '3.4.', ptmxNode: true },
  '4.4-n': { release: '4.4.', ptmxNode: false },
  '4.4-y': { release: '4.4.', ptmxNode: true },
  '6.1': { release: '6.1.', ptmxNode: true },
};

export type KernelTarget =
  | { readonly kind: 'live' }
  | { readonly kind: 'guest'; readonly image: string; readonly expect?: { release: string; ptmxNode: boolean } };

/** Raised when the kernel of a target cannot run here: the one-line reason (exit 77). */
export class TargetUnavailable extends Error {
  override readonly name = 'TargetUnavailable';
}

export interface TargetOptions {
  /** Run on this image instead of the profile's own. */
  readonly kernelImage?: string;
  /** Where the images are (default kernelsDir()). */
  readonly kernels?: string;
}

/** The kernel a profile is checked on. Throws TargetUnavailable when its image is missing. */
export async function targetFor(profile: ProfileId, options: TargetOptions = {}): Promise<KernelTarget> {
  if (options.kernelImage !== undefined) {
    const image = resolve(options.kernelImage);
    if (!existsSync(image)) throw new TargetUnavailable(`kernel image ${options.kernelImage} does not exist`);
    return { kind: 'guest', image };
  }
  if (profile === '6.x') return { kind: 'live' };
  if (profile === '6.1') {
    try {
      return { kind: 'guest', image: await debianKernel(), expect: EXPECTED['6.1']! };
    } catch (err) {
      throw new TargetUnavailable(`profile 6.1 runs on Debian's 6.1 kernel: ${(err as Error).message}`);
    }
  }
  const name = IMAGES[profile];
  if (name === undefined) throw new TargetUnavailable(`no kernel image is known for profile ${profile}`);
  const image = join(kernelsDir(options.kernels), name);
  if (!existsSync(image)) throw new TargetUnavailable(`kernel image ${image} is missing (images: ../shared/kernels, or set DEVPTS_CHECK_KERNELS)`);
  return { kind: 'guest', image, ...(EXPECTED[profile] ? { expect: EXPECTED[profile] } : {}) };
}

/** How a kernel is named in reports: "live 6.18.44", "QEMU 2.6.39.4 =y". */
export function kernelLabel(target: KernelTarget, info: GuestInfo | null): string {
  if (target.kind === 'live') return `live ${process.platform === 'linux' ? liveRelease() : 'kernel'}`;
  if (info === null) return `QEMU ${basename(target.image)}`;
  const config = /^(2\.6|3\.|4\.[0-6]\.)/.test(info.release) ? (info.ptmxNode ? ' =y' : ' =n') : '';
  return `QEMU ${info.release}${config}`;
}

/** uname -r of the running kernel, without the distribution suffix. */
const liveRelease = (): string => release().split('-')[0] ?? 'kernel';

export interface OpenedRunner {
  readonly runner: SequenceRunner;
  /** "live 6.18.44", "QEMU 2.6.39.4 =y" */
  readonly label: string;
  readonly target: KernelTarget;
  readonly info: GuestInfo | null;
}

export interface RunnerOptions {
  /** Guests at once (default 3: a guest is idle part of the time, waiting on kernel timers). */
  readonly guests?: number;
  readonly answerTimeoutMs?: number;
  readonly sequenceTimeout?: number;
}

/**
 * Start what runs sequences on `target`: the live harness, or a pool of QEMU guests
 * (the first one up says which kernel it is; a wrong image is refused). Throws
 * TargetUnavailable with the one-line reason where it cannot run here.
 */
export async function openRunner(target: KernelTarget, options: RunnerOptions = {}): Promise<OpenedRunner> {
  if (target.kind === 'live') {
    const a = kernelAvailability();
    if (!a.ok) throw new TargetUnavailable(`live-kernel checks skipped: ${a.reason}`);
    return { runner: KernelHarness.start({ binary: a.binary }), label: kernelLabel(target, null), target, info: null };
  }
  let tools;
  try {
    tools = guestTools();
  } catch (err) {
    if (err instanceof GuestUnavailable) throw new TargetUnavailable(`QEMU guests cannot run here: ${err.message}`);
    throw err;
  }
  const pool = new GuestPool({
    qemu: tools.qemu, initramfs: tools.initramfs, image: target.image, guests: options.guests ?? 3,
    ...(options.answerTimeoutMs !== undefined ? { answerTimeoutMs: options.answerTimeoutMs } : {}),
    ...(options.sequenceTimeout !== undefined ? { sequenceTimeout: options.sequenceTimeout } : {}),
  });
  return { runner: pool, label: kernelLabel(target, null), target, info: null };
}

/** Wait until the pool's first guest is up; check it is the expected kernel; the label. */
export async function guestStarted(opened: OpenedRunner): Promise<OpenedRunner> {
  if (!(opened.runner instanceof GuestPool) || opened.target.kind !== 'guest') return opened;
  let info: GuestInfo;
  try {
    info = await opened.runner.start();
  } catch (err) {
    opened.runner.kill();
    throw new TargetUnavailable(`the guest on ${basename(opened.target.image)} did not start: ${(err as Error).message}`);
  }
  const want = opened.target.expect;
  if (want && (!info.release.startsWith(want.release) || info.ptmxNode !== want.ptmxNode)) {
    opened.runner.kill();
    throw new TargetUnavailable(`${opened.target.image} is ${info.release} (${info.ptmxNode ? 'with' : 'without'} a ptmx node), not the expected ${want.release}x ${want.ptmxNode ? '=y' : '=n'}`);
  }
  return { ...opened, info, label: kernelLabel(opened.target, info) };
}
