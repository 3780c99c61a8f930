/** Bounded exponential backoff for reconnect attempts. */
export interface BackoffOptions {
  /** Delay before the first attempt after a loss (ms). Default 100. */
  initialDelayMs?: number;
  /** Upper bound on any delay (ms). Default 5000. */
  maxDelayMs?: number;
  /** Growth factor per failed attempt. Default 2. */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialDelayMs: 100, maxDelayMs: 5000, factor: 2 };

/** Delay before attempt `attempt` (0-based): initial × factor^attempt, capped at maxDelayMs. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { initialDelayMs, maxDelayMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  return Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attempt));
}
