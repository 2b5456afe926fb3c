// The random runner's defaults: one seed for the whole project (check, report, the
// suite's pinned verdicts), so one number reproduces a run.

export const DEFAULT_SEED = 20_260_004;
export const DEFAULT_RUNS = 150;
export const DEFAULT_MAX_STEPS = 20;
