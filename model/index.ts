// The model's public surface.
export * from './ops.ts';
export type * from './state.ts';
export { INITIAL_NS, INITIAL_USERNS } from './state.ts';
export { step, stepWith, type Outcome } from './step.ts';
export { boot, bootWith, BootError } from './boot.ts';
export { PROFILES, profileOf, kernelMode, type Profile, type KernelMode } from './profiles.ts';
export { validateOp, validateBoot, BOOT_FIELD_NAMES, asOp, type Problem } from './validate.ts';
export { DEFAULT_OPTIONS } from './options.ts';
export { kernelMachine, startKernelActor, runThroughMachine, opEvent, type OpEvent, type KernelSnapshot } from './machine.ts';
export { FsLabeler, OTHER_FS, labelModelResult } from './labels.ts';
export { ptyLimitReached, lowestFree, totalPtys, type PtyLimits } from './limits.ts';
export { deepEqual } from './equal.ts';
export { mountPointPath } from './mountinfo.ts';
