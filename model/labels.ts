// The `fs` labels of operations.md: devpts1, devpts2, ... in order of first appearance
// in the results of one run, and "other" for every non-devpts filesystem. Raw keys are
// whatever tells instances apart on one side: the model's instance id ("devpts#3"), or
// st_dev ("0:40") on the live kernel. Use one labeler per run, so that model and
// kernel label the same instances the same way. (Pure: traces/, shell/ and kernel/ share it.)

import { isOk, type StepResult } from './ops.ts';

export const OTHER_FS = 'other';

export class FsLabeler<Key = string> {
  private readonly labels = new Map<Key, string>();

  /** The label of a devpts instance, handing out the next one on first sight. */
  devpts(key: Key): string {
    let label = this.labels.get(key);
    if (label === undefined) {
      label = `devpts${this.labels.size + 1}`;
      this.labels.set(key, label);
    }
    return label;
  }

  /** The label of a raw key: `null` (not devpts) is "other". */
  label(key: Key | null): string {
    return key === null ? OTHER_FS : this.devpts(key);
  }

  /** Labels handed out so far, in order (raw key → label). */
  entries(): [Key, string][] {
    return [...this.labels];
  }

  /** The label already handed out for a raw key, or null (asking never hands one out). */
  known(key: Key): string | null {
    return this.labels.get(key) ?? null;
  }
}

/** The model names an instance by its id and everything else "other" (model/files.ts fsName). */
export const modelFsKey = (fs: string): string | null => (fs === OTHER_FS ? null : fs);

/** A model result with its `fs` relabelled; results without `fs` are returned as they are. */
export function labelModelResult(labeler: FsLabeler<string>, result: StepResult): StepResult {
  if (!isOk(result)) return result;
  if (result.mounts !== undefined) {
    // one label per instance, in the order the lines show them (first appearance)
    return { ...result, mounts: result.mounts.map((m) => ({ ...m, fs: labeler.label(modelFsKey(m.fs)) })) };
  }
  if (result.fs === undefined) return result;
  return { ...result, fs: labeler.label(modelFsKey(result.fs)) };
}
