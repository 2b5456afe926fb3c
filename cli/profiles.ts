// --profile takes one form in every command: one or more profile IDs, comma-separated,
// and the option may be repeated (`--profile 2.6.39-y,6.x` = `--profile 2.6.39-y
// --profile 6.x`). Unknown IDs are a usage error naming the known ones.

import { PROFILE_IDS, type ProfileId } from '../model/index.ts';
import { UsageError } from './exit-codes.ts';

export const PROFILE_FLAG = '--profile <ids>';
export const PROFILE_HELP = `kernel profiles, comma-separated or repeated (${PROFILE_IDS.join(', ')})`;

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The profiles named, in the table's order, or null when the option was not given. */
export function parseProfiles(values: string | readonly string[] | undefined, command: string): ProfileId[] | null {
  if (values === undefined) return null;
  const items = (typeof values === 'string' ? [values] : values).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (items.length === 0) throw new UsageError(`${command}: --profile needs a profile (one of ${PROFILE_IDS.join(', ')})`);
  for (const p of items) {
    if (!(PROFILE_IDS as readonly string[]).includes(p)) throw new UsageError(`${command}: unknown profile "${p}" (one of ${PROFILE_IDS.join(', ')})`);
  }
  return PROFILE_IDS.filter((p) => items.includes(p));
}

/** The same selection as a flag for a rerun line ("" when every profile is selected by default). */
export function profileFlag(profiles: readonly ProfileId[] | null): string {
  return profiles === null ? '' : ` --profile ${profiles.join(',')}`;
}
