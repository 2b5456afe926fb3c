// The `fs` labels of operations.md (model/labels.ts), applied to model results.

import { isOk, type StepResult } from '../model/index.ts';
import { FsLabeler, OTHER_FS } from '../model/labels.ts';

export { FsLabeler, OTHER_FS };

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
