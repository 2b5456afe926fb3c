// Putting the rendered report into --out without ever leaving partial files: every
// file is written into a staging folder next to the target (same file system), then
// moved into place with rename(2). A fresh --out is one rename of the whole folder; an
// existing one gets each top-level entry swapped in (files renamed over, folders such
// as traces/ swapped so no stale trace survives). Any failure removes the staging
// folder and leaves --out exactly as it was before the run.

import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface OutFile {
  /** Path inside the out dir, with "/" separators ("traces/D3-2.6.39-n.json"). */
  readonly path: string;
  readonly content: string;
}

/** The calls the writer makes; tests substitute failing ones. */
export interface WriteFs {
  mkdir(path: string, opts: { recursive: true }): Promise<unknown>;
  mkdtemp(prefix: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  rm(path: string, opts: { recursive: true; force: true }): Promise<void>;
  stat(path: string): Promise<{ isDirectory(): boolean }>;
  readdir(path: string): Promise<string[]>;
}
export const NODE_WRITE_FS: WriteFs = {
  mkdir: (p, o) => nodeFs.mkdir(p, o),
  mkdtemp: (p) => nodeFs.mkdtemp(p),
  writeFile: (p, d) => nodeFs.writeFile(p, d),
  rename: (a, b) => nodeFs.rename(a, b),
  rm: (p, o) => nodeFs.rm(p, o),
  stat: (p) => nodeFs.stat(p),
  readdir: (p) => nodeFs.readdir(p),
};

/** Why --out cannot be used, in words ("not a directory", "read-only file system"). */
export function whyNot(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOTDIR': return 'a path component is not a directory';
    case 'EEXIST': return 'exists and is not a directory';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    case 'ENOENT': return 'no such file or directory';
    default: return code ?? (err instanceof Error ? err.message : String(err));
  }
}

/**
 * Before running for a minute: can we create files next to (and in) --out? Creates the
 * parent folders if missing, probes with a temporary folder and removes it. Throws
 * an Error with a one-line reason.
 */
export async function checkOutDir(outDir: string, fs: WriteFs = NODE_WRITE_FS): Promise<void> {
  const out = resolve(outDir);
  const parent = dirname(out);
  try {
    await fs.mkdir(parent, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      // mkdir -p over a regular file: EEXIST for the last component, ENOTDIR above it
      throw e.code === 'EEXIST' ? Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }) : e;
    });
    const st = await fs.stat(out).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
    if (st && !st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    const probe = await fs.mkdtemp(join(parent, `.${basename(out)}.probe-`));
    await fs.rm(probe, { recursive: true, force: true });
  } catch (err) {
    throw new Error(`cannot write the report to ${outDir}: ${whyNot(err)}`);
  }
}

/** Write every file, then move them into `outDir`. All or nothing. */
export async function writeOutDir(outDir: string, files: readonly OutFile[], fs: WriteFs = NODE_WRITE_FS): Promise<void> {
  const out = resolve(outDir);
  const parent = dirname(out);
  await fs.mkdir(parent, { recursive: true });
  // mkdir, not mkdtemp: the folder that becomes --out gets the umask's mode (0755 under umask 022), like every other tool's output; mkdtemp would make it 0700
  const staging = join(parent, `.${basename(out)}.staging-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(staging, { recursive: true });
  const trash = join(staging, `.old-${randomBytes(4).toString('hex')}`);
  try {
    for (const f of files) {
      if (f.path.startsWith('/') || f.path.split('/').includes('..')) throw new Error(`refusing to write outside the out dir: ${f.path}`);
      const target = join(staging, ...f.path.split('/'));
      await fs.mkdir(dirname(target), { recursive: true });
      await fs.writeFile(target, f.content);
    }
    const existing = await fs.stat(out).catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
    if (existing === null) {
      await fs.rename(staging, out);
      return;
    }
    if (!existing.isDirectory()) throw Object.assign(new Error(`${outDir} exists and is not a directory`), { code: 'EEXIST' });
    await fs.mkdir(trash, { recursive: true });
    const tops = [...new Set(files.map((f) => f.path.split('/')[0]!))];
    for (const top of tops) {
      const dest = join(out, top);
      const isDir = files.some((f) => f.path.startsWith(`${top}/`));
      if (isDir) {
        // swap folders: the old one goes to the trash (if there is one), the new one in
        await fs.rename(dest, join(trash, top)).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      }
      await fs.rename(join(staging, top), dest);
    }
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
}
