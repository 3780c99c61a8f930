/**
 * A mistake in how a command was called (a bad option value, options that exclude each other, an output file
 * that cannot be created): one line on stderr and exit status 2, the same as commander's own usage errors
 * and `tenkey read`'s EXIT_CODES.USAGE.
 */
export const USAGE_EXIT_CODE = 2;

/** Longest one-line error the CLI prints (what a user typed is quoted in it, never a screenful). */
export const MAX_CLI_ERROR = 500;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = USAGE_EXIT_CODE;
}

export function isUsageError(e: unknown): e is UsageError {
  return e instanceof UsageError;
}
