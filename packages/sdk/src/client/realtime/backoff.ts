/** Reconnect delays: exponential with full jitter, so clients of a dead node do not return all at once. */

/**
 * Reconnect delay settings.
 *
 * @example
 * ```ts
 * const options: BackoffOptions = { initialMs: 250, maxMs: 5_000 };
 * ```
 */
export interface BackoffOptions {
  /** First delay in ms (default 500). */
  initialMs?: number;
  /** Largest delay in ms (default 10 000). */
  maxMs?: number;
  /** Random source in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): a random value between half and all of
 * `initialMs · 2^attempt`, capped at `maxMs`.
 *
 * @example
 * ```ts
 * backoffDelay(0); // 250–500 ms
 * backoffDelay(5); // 8 000–10 000 ms (capped)
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 10_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
