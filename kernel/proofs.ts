// What proved each profile: the kernel runs recorded by `devpts-check kernel --record`
// (0 divergences, nothing lost), kept in kernel/proofs.json (committed), read by the
// conformance report for its column headers ("2,000 sequences on QEMU 2.6.39.4 =y,
// 0 divergences"). Each record names the model it proved by a hash of model/*.ts, so
// the report can say when the model changed after the run.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileId } from '../model/index.ts';

export const PROOFS_FILE = fileURLToPath(new URL('./proofs.json', import.meta.url));
const MODEL_DIR = fileURLToPath(new URL('../model/', import.meta.url));

export interface Proof {
  readonly profile: ProfileId;
  /** "QEMU 2.6.39.4 =y", "live 6.18.44" */
  readonly kernel: string;
  /** The image's file name (null: the live kernel). */
  readonly image: string | null;
  readonly seed: number;
  readonly runs: number;
  readonly checked: number;
  readonly divergences: number;
  readonly seconds: number;
  /** ISO date of the run. */
  readonly date: string;
  /** Hash of model/*.ts when it ran. */
  readonly model: string;
}

interface ProofsFile { readonly format: 'devpts-check-proofs/1'; readonly proofs: Proof[] }

/** A short hash of the model's sources (model/*.ts), to tell whether a proof is about this model. */
export function modelHash(): string {
  const h = createHash('sha256');
  for (const name of readdirSync(MODEL_DIR).filter((n) => n.endsWith('.ts')).sort()) {
    h.update(name).update(readFileSync(join(MODEL_DIR, name)));
  }
  return h.digest('hex').slice(0, 12);
}

/** Every recorded proof (empty when none). */
export function readProofs(file = PROOFS_FILE): Proof[] {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as ProofsFile;
    return Array.isArray(data.proofs) ? data.proofs : [];
  } catch {
    return [];
  }
}

/** The proofs of one profile, newest first. */
export function proofsOf(profile: ProfileId, file = PROOFS_FILE): Proof[] {
  return readProofs(file).filter((p) => p.profile === profile).sort((a, b) => b.date.localeCompare(a.date));
}

/** "2,000 sequences on QEMU 2.6.39.4 =y, 0 divergences (seed 7, 2026-12-07)" */
export function describeProof(p: Proof, currentModel = modelHash()): string {
  const stale = p.model !== currentModel ? '; the model changed since' : '';
  return `${p.checked.toLocaleString('en-US')} sequences on ${p.kernel}, ${p.divergences} divergences (seed ${p.seed}, ${p.date}${stale})`;
}

/** Add (or replace: same profile and kernel) a proof; written atomically. Returns the file. */
export async function recordProof(p: Omit<Proof, 'date' | 'model' | 'image'> & { image: string | null }, file = PROOFS_FILE): Promise<string> {
  const proof: Proof = { ...p, image: p.image === null ? null : basename(p.image), date: new Date().toISOString().slice(0, 10), model: modelHash() };
  const others = readProofs(file).filter((q) => !(q.profile === proof.profile && q.kernel === proof.kernel));
  const data: ProofsFile = { format: 'devpts-check-proofs/1', proofs: [...others, proof].sort((a, b) => a.profile.localeCompare(b.profile) || a.kernel.localeCompare(b.kernel)) };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`);
  await rename(tmp, file);
  return file;
}
