// What a QEMU guest needs on this machine: qemu-system-x86_64, and an initramfs holding
// kernel/guest-init.c as /init and kernel/harness.c as /harness, both compiled with
// `musl-gcc -static` (glibc's static binaries refuse to start on kernels older than 3.2;
// musl's run on every kernel here). The archive is written by initramfs.ts into
// build/kernel/ (ignored by git), named after a hash of its inputs (both sources, the
// flags, initramfs.ts), through a temporary name and a rename, so concurrent test
// workers never see half an archive. Anything missing becomes a one-line reason
// (GuestUnavailable): the CLI exits 77 with it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_DIR, HARNESS_SOURCE } from './build.ts';
import { guestInitramfs } from './initramfs.ts';

export const GUEST_INIT_SOURCE = fileURLToPath(new URL('./guest-init.c', import.meta.url));
const INITRAMFS_WRITER = fileURLToPath(new URL('./initramfs.ts', import.meta.url));

const MUSL_CFLAGS = ['-static', '-O2', '-std=gnu11', '-Wall', '-Wextra'];

/** Raised when guests cannot run here; the message is the one-line reason. */
export class GuestUnavailable extends Error {
  override readonly name = 'GuestUnavailable';
}

const works = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** The QEMU binary (QEMU env var, else qemu-system-x86_64 on PATH), or null. */
export function qemuBinary(): string | null {
  const q = process.env.QEMU && process.env.QEMU !== '' ? process.env.QEMU : 'qemu-system-x86_64';
  return works(q, ['--version']) ? q : null;
}

function musl(): string | null {
  const cc = process.env.MUSL_CC && process.env.MUSL_CC !== '' ? process.env.MUSL_CC : 'musl-gcc';
  return works(cc, ['--version']) ? cc : null;
}

function compileStatic(cc: string, source: string, out: string): void {
  const r = spawnSync(cc, [...MUSL_CFLAGS, '-o', out, source], { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.error?.message ?? r.stderr ?? `exit ${r.status}`).trim().split('\n').slice(0, 3).join(' / ');
    throw new GuestUnavailable(`${cc} cannot compile ${source.split('/').pop()}: ${why}`);
  }
}

let built: string | null = null;

/** The path of the guest initramfs, building it when its inputs changed. Throws GuestUnavailable. */
export function guestInitramfsFile(): string {
  if (built && existsSync(built)) return built;
  const sources = [HARNESS_SOURCE, GUEST_INIT_SOURCE, INITRAMFS_WRITER].map((f) => {
    try { return readFileSync(f); } catch { throw new GuestUnavailable(`the guest source ${f} is missing`); }
  });
  const hash = createHash('sha256');
  for (const s of sources) hash.update(s);
  const key = hash.update(MUSL_CFLAGS.join(' ')).digest('hex').slice(0, 16);
  const file = join(BUILD_DIR, `initramfs-${key}.cpio.gz`);
  if (existsSync(file)) return (built = file);
  const cc = musl();
  if (cc === null) throw new GuestUnavailable('no musl-gcc (Debian package musl-tools): the guest harness must be a static musl binary');
  mkdirSync(BUILD_DIR, { recursive: true });
  const tmp = (name: string) => join(BUILD_DIR, `${name}.${process.pid}.tmp`);
  const init = tmp('guest-init'), harness = tmp('guest-harness'), archive = `${file}.${process.pid}.tmp`;
  try {
    compileStatic(cc, GUEST_INIT_SOURCE, init);
    compileStatic(cc, HARNESS_SOURCE, harness);
    writeFileSync(archive, guestInitramfs(readFileSync(init), readFileSync(harness)));
    renameSync(archive, file);
  } finally {
    for (const f of [init, harness, archive]) { try { unlinkSync(f); } catch { /* not made */ } }
  }
  for (const name of readdirSync(BUILD_DIR)) { // archives of older sources are of no use any more
    if (name.startsWith('initramfs-') && join(BUILD_DIR, name) !== file && !name.endsWith('.tmp')) {
      try { unlinkSync(join(BUILD_DIR, name)); } catch { /* another worker removed it */ }
    }
  }
  return (built = file);
}

/** QEMU and the initramfs, or the one-line reason why guests cannot run here. */
export function guestTools(): { qemu: string; initramfs: string } {
  const qemu = qemuBinary();
  if (qemu === null) throw new GuestUnavailable('no qemu-system-x86_64 (Debian package qemu-system-x86): old kernels run under QEMU');
  return { qemu, initramfs: guestInitramfsFile() };
}
