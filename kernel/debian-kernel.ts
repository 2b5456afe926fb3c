// Debian's own 6.1 kernel, for the 6.1 profile (and as a second 6.x-era kernel where
// sysctls and devtmpfs writes are safe): `apt-get download` the newest
// linux-image-6.1.*-amd64-unsigned package, take boot/vmlinuz-* out of it with
// `dpkg-deb -x`, keep it in build/kernels/ (ignored by git). Its devtmpfs, devpts,
// tmpfs, user namespaces and 8250 console are built in, so it boots the guest
// initramfs as it is (about 9 s under TCG). Debian's package archive is reachable from
// these machines; nothing else is downloaded.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNELS_BUILD_DIR = fileURLToPath(new URL('../build/kernels/', import.meta.url));

const PACKAGE = /^linux-image-(6\.1\.\d+-\d+)-amd64-unsigned$/;

/** The kernel already fetched, if any: build/kernels/vmlinuz-6.1.* (the newest). */
export function fetchedDebianKernel(): string | null {
  if (!existsSync(KERNELS_BUILD_DIR)) return null;
  const found = readdirSync(KERNELS_BUILD_DIR).filter((n) => /^vmlinuz-6\.1\.\d+-\d+-amd64$/.test(n)).sort();
  return found.length > 0 ? join(KERNELS_BUILD_DIR, found.at(-1)!) : null;
}

const run = (cmd: string, args: string[], cwd?: string) =>
  spawnSync(cmd, args, { encoding: 'utf8', ...(cwd ? { cwd } : {}), timeout: 300_000 });

/** The newest linux-image-6.1.*-amd64-unsigned package apt knows, or null. */
function newestPackage(): string | null {
  const r = run('apt-cache', ['search', '--names-only', '^linux-image-6\\.1\\.[0-9]+-[0-9]+-amd64-unsigned$']);
  if (r.status !== 0) return null;
  const names = r.stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((n) => PACKAGE.test(n));
  const abi = (n: string) => Number(PACKAGE.exec(n)![1]!.split('-')[1]);
  names.sort((a, b) => abi(a) - abi(b));
  return names.at(-1) ?? null;
}

/**
 * The path of Debian's 6.1 vmlinuz, fetching it on first use. Throws Error with a
 * one-line reason (no apt, package unknown: run apt-get update, download failed).
 */
export async function debianKernel(): Promise<string> {
  const have = fetchedDebianKernel();
  if (have) return have;
  if (run('dpkg-deb', ['--version']).status !== 0) throw new Error('dpkg-deb is missing (not a Debian system)');
  const pkg = newestPackage();
  if (pkg === null) throw new Error('apt knows no linux-image-6.1.*-amd64-unsigned package (run apt-get update)');
  mkdirSync(KERNELS_BUILD_DIR, { recursive: true });
  const work = mkdtempSync(join(KERNELS_BUILD_DIR, 'fetch-'));
  try {
    const dl = run('apt-get', ['download', pkg], work);
    if (dl.status !== 0) throw new Error(`apt-get download ${pkg} failed: ${(dl.stderr || dl.stdout).trim().split('\n').at(-1)}`);
    const deb = readdirSync(work).find((n) => n.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    const x = run('dpkg-deb', ['-x', deb, 'root'], work);
    if (x.status !== 0) throw new Error(`dpkg-deb -x ${deb} failed: ${x.stderr.trim()}`);
    const boot = join(work, 'root', 'boot');
    const vmlinuz = readdirSync(boot).find((n) => /^vmlinuz-6\.1\./.test(n));
    if (!vmlinuz) throw new Error(`${deb} holds no boot/vmlinuz-6.1.*`);
    const tmp = join(work, 'vmlinuz');
    copyFileSync(join(boot, vmlinuz), tmp);
    renameSync(tmp, join(KERNELS_BUILD_DIR, vmlinuz));
    return join(KERNELS_BUILD_DIR, vmlinuz);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
