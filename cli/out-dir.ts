// Before a run of minutes: can the command write its output where it was told? An
// --out that is a file, under a file, on a read-only file system or without permission
// is a usage error (one line, exit 2) before anything runs, and the check creates
// nothing: it probes with a temporary folder in the nearest existing ancestor and
// removes it.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { errnoWords } from './errno-words.ts';
import { UsageError } from './exit-codes.ts';

/** Throws a UsageError ("check: --out X: the file system is read-only") unless files can be made in `dir`. */
export async function requireWritableDir(dir: string, prefix: string, shownAs: string = dir): Promise<void> {
  const fail = (why: string): never => { throw new UsageError(`${prefix}${shownAs}: ${why}`); };
  if (dir.trim() === '') fail('an empty path');
  let at = resolve(dir);
  let missing = false;
  for (;;) {
    const st = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : e));
    if (st instanceof Error) return fail(errnoWords(st));
    if (st === null) {
      missing = true;
      const up = dirname(at);
      if (up === at) fail('no such file or directory');
      at = up;
      continue;
    }
    if (!st.isDirectory()) fail(missing ? 'a path component is not a directory' : 'it exists and is not a directory');
    break;
  }
  try {
    const probe = await mkdtemp(join(at, '.devpts-check-probe-'));
    await rm(probe, { recursive: true, force: true });
  } catch (err) {
    fail(errnoWords(err));
  }
}

/** The folder a file will be written into must exist and be writable (nothing is created). */
export async function requireExistingDirFor(file: string, prefix: string): Promise<void> {
  const parent = dirname(resolve(file));
  const st = await stat(parent).catch(() => null);
  if (st === null) throw new UsageError(`${prefix}${file}: the folder ${dirname(file)} does not exist`);
  if (!st.isDirectory()) throw new UsageError(`${prefix}${file}: ${dirname(file)} is not a directory`);
  await requireWritableDir(parent, prefix, file);
}
