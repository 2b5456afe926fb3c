// Building the C harness (kernel/harness.c) and deciding whether this machine can run it.
//
// The binary is compiled with the system C compiler on first use into build/kernel/
// (ignored by git), named after a hash of the source and the flags, so a changed source
// is rebuilt and concurrent test workers never see a half-written binary (compile to a
// temporary name, then rename). Whether the machine can run it is decided by running it:
// a probe sequence must build a world, mount devpts and open a pty. Anything that stops
// it (not Linux, no compiler, no CAP_SYS_ADMIN, unshare refused) becomes one line of
// reason: tests skip with it, the CLI exits 77 with it.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HARNESS_SOURCE = fileURLToPath(new URL('./harness.c', import.meta.url));
export const BUILD_DIR = fileURLToPath(new URL('../build/kernel/', import.meta.url));

const CFLAGS = ['-O2', '-std=gnu11', '-Wall', '-Wextra'];

/** Raised when the harness cannot be built or run here; the message is the one-line reason. */
export class HarnessUnavailable extends Error {
  override readonly name = 'HarnessUnavailable';
}

function compilerCandidates(): string[] {
  return [...new Set([process.env.CC, 'cc', 'gcc', 'clang'].filter((c): c is string => typeof c === 'string' && c !== ''))];
}

function findCompiler(): string | null {
  for (const cc of compilerCandidates()) {
    const r = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return cc;
  }
  return null;
}

function compile(cc: string, out: string, extra: string[]): string | null {
  const r = spawnSync(cc, [...CFLAGS, ...extra, '-o', out, HARNESS_SOURCE], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.error?.message ?? r.stderr ?? `exit ${r.status}`).trim().split('\n').slice(0, 3).join(' / ');
}

let built: string | null = null;

/**
 * The path of the compiled harness, compiling it when the source changed. Statically
 * linked where the C library allows it (fork of a small static binary is cheaper),
 * dynamically otherwise. Throws HarnessUnavailable with the reason.
 */
export function harnessBinary(): string {
  if (built && existsSync(built)) return built;
  let source: Buffer;
  try {
    source = readFileSync(HARNESS_SOURCE);
  } catch {
    throw new HarnessUnavailable(`the harness source ${HARNESS_SOURCE} is missing`);
  }
  const hash = createHash('sha256').update(source).update(CFLAGS.join(' ')).digest('hex').slice(0, 16);
  const binary = join(BUILD_DIR, `harness-${hash}`);
  if (existsSync(binary)) return (built = binary);
  const cc = findCompiler();
  if (cc === null) throw new HarnessUnavailable(`no C compiler (tried ${compilerCandidates().join(', ')}; set CC)`);
  mkdirSync(BUILD_DIR, { recursive: true });
  const temp = `${binary}.${process.pid}.tmp`;
  const failure = compile(cc, temp, ['-static']) === null ? null : compile(cc, temp, []);
  if (failure !== null) {
    try { unlinkSync(temp); } catch { /* not created */ }
    throw new HarnessUnavailable(`${cc} cannot compile kernel/harness.c: ${failure}`);
  }
  renameSync(temp, binary);
  // binaries of older sources are of no use any more
  for (const name of readdirSync(BUILD_DIR)) {
    if (name.startsWith('harness-') && join(BUILD_DIR, name) !== binary && !name.endsWith('.tmp')) {
      try { unlinkSync(join(BUILD_DIR, name)); } catch { /* another worker removed it */ }
    }
  }
  return (built = binary);
}

// ---- can this machine run it? ----------------------------------------------------------

export type Availability = { readonly ok: true; readonly binary: string } | { readonly ok: false; readonly reason: string };

const CAP_SYS_ADMIN = 21;

/** Effective capabilities of this process, from /proc/self/status (null when unreadable). */
function hasCapSysAdmin(): boolean | null {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapEff:'));
    if (!line) return null;
    return ((BigInt(`0x${line.split(/\s+/)[1]}`) >> BigInt(CAP_SYS_ADMIN)) & 1n) === 1n;
  } catch {
    return null;
  }
}

const PROBE = [
  '{"boot":{}}',
  '{"op":"open","path":"/dev/ptmx","as":"m"}',
  '{"op":"stat","path":"/dev/pts/0"}',
  '{"end":true}',
].join('\n') + '\n';

/** Run the probe sequence; null when it worked, else why not. */
function probe(binary: string): string | null {
  const r = spawnSync(binary, ['--timeout', '10'], { input: PROBE, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return `the harness does not run: ${r.error.message}`;
  const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l !== '');
  let parsed: Record<string, unknown>[];
  try {
    parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return `the harness answered something that is not JSON: ${lines[0] ?? '(nothing)'}`;
  }
  const [boot, open, stat] = parsed;
  if (!boot || typeof boot.error === 'string') return `cannot build a world: ${String(boot?.error ?? 'no answer')}`;
  if (!open || open.ok !== true) return `cannot open a pty in the world: ${JSON.stringify(open ?? null)}`;
  if (!stat || stat.fs !== 'devpts1') return `the pty is not on devpts in the world: ${JSON.stringify(stat ?? null)}`;
  return null;
}

let availability: Availability | null = null;

/** Can the live-kernel harness run here? Computed once per process, synchronously. */
export function kernelAvailability(): Availability {
  if (availability) return availability;
  const no = (reason: string): Availability => (availability = { ok: false, reason });
  if (process.platform !== 'linux') return no(`not Linux (${process.platform}): the harness needs Linux mount namespaces`);
  const admin = hasCapSysAdmin();
  if (admin === false) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    return no(`no CAP_SYS_ADMIN${uid !== 0 ? ` (not root: uid ${uid})` : ''}: the harness needs it for unshare(CLONE_NEWNS) and mounts`);
  }
  let binary: string;
  try {
    binary = harnessBinary();
  } catch (err) {
    if (err instanceof HarnessUnavailable) return no(err.message);
    throw err;
  }
  const why = probe(binary);
  return why === null ? (availability = { ok: true, binary }) : no(why);
}

/** The one line printed where the kernel checks cannot run. */
export const unavailableLine = (reason: string): string => `live-kernel checks skipped: ${reason}`;
