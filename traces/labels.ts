// The `fs` labels of operations.md (model/labels.ts), applied to model results: the
// labeler and the relabelling live in the model; the trace tools use them from here.

export { FsLabeler, OTHER_FS, labelModelResult, modelFsKey } from '../model/labels.ts';
