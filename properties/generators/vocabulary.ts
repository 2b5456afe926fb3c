// Mount data strings the generator draws: valid and bogus items in varied order, by
// vocabulary (a clause's generation hints say which: clauses/checks.ts Vocabulary).

import { VALID_ON_BOTH } from '../../clauses/comparisons.ts';
import type { Vocabulary } from '../../clauses/index.ts';

/**
 * - `any`: valid and bogus items (unknown names, malformed values, `newinstance=1`, `ro`, ...) in any order;
 * - `noNewinstance`: like `any` without `newinstance` (D5);
 * - `legacyAny`: like `any` without the CONFIG=y options `newinstance` and `ptmxmode=` (U1: what a legacy-era script may pass);
 * - `legacyValid`: only items the 2.6.39 legacy parser accepts: uid=, gid=, mode= (R1);
 * - `newinstanceValid`: always `newinstance`, plus items valid on every CONFIG=y kernel and 6.x (R2, U7).
 */
export type OptionVocabulary = Vocabulary;

const ITEMS_ANY = [
  'mode=0620', 'gid=5', 'newinstance', 'ptmxmode=0666', 'ptmxmode=000', 'uid=1000', 'mode=620', 'max=2', 'bogus',
  'max=0', 'mode=8', 'uid=0', 'newinstance=1', 'ptmxmode=0644', 'gid=010', 'ro', 'max=1', 'mode=07777', '',
  'ptmxmode=0606', 'nosuid', 'uid=0x10', 'newinstance', 'ptmxmode=0666',
];
const ITEMS_LEGACY = ['mode=0620', 'gid=5', 'uid=1000', 'mode=620', 'uid=0', 'gid=010', 'mode=0600', 'mode=07777', '', 'uid=0x10'];
const VOCABULARIES: Readonly<Record<OptionVocabulary, readonly string[]>> = {
  any: ITEMS_ANY,
  noNewinstance: ITEMS_ANY.filter((i) => !i.startsWith('newinstance')),
  legacyAny: ITEMS_ANY.filter((i) => !i.startsWith('newinstance') && !i.startsWith('ptmxmode')),
  legacyValid: ITEMS_LEGACY,
  newinstanceValid: VALID_ON_BOTH,
};

/** The items a vocabulary may produce. */
export const vocabularyItems = (v: OptionVocabulary): readonly string[] =>
  v === 'newinstanceValid' ? [...VALID_ON_BOTH, 'newinstance'] : VOCABULARIES[v];

/** A mount data string from item choices; undefined when empty (no data). */
export function optionString(vocabulary: OptionVocabulary, picks: readonly number[], position: number): string | undefined {
  const table = VOCABULARIES[vocabulary];
  const items = picks.map((n) => table[n % table.length]!);
  if (vocabulary === 'newinstanceValid') items.splice(position % (items.length + 1), 0, 'newinstance');
  const s = items.join(',');
  return s === '' ? undefined : s;
}
