// Where the corpus of saved traces lives, and its files in a stable order.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/** Every `*.json` trace of traces/corpus, sorted by name, as absolute paths. */
export async function corpusFiles(dir: string = CORPUS_DIR): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return names.map((n) => join(dir, n));
}
