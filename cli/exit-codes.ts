// The exit codes and the errors that map to them (traces/errors.ts: below every layer that throws them).
export { EXIT, UsageError, UnavailableError, type ExitCode } from '../traces/errors.ts';
