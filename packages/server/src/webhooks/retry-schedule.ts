/**
 * When a failed delivery is tried again: exponential backoff from `baseMs`, doubling per attempt up to
 * `maxMs`, each wait spread by ±20% jitter (so the deliveries that failed together, e.g. while a receiver
 * was down, do not all come back at the same moment), until `windowMs` after the event: then the delivery
 * has failed for good.
 */

export interface RetryOptions {
  /** The wait after the first failed attempt. */
  baseMs: number;
  /** The longest wait between two attempts. */
  maxMs: number;
  /** How long after the event attempts go on. */
  windowMs: number;
}

/** The defaults of WEBHOOK_RETRY_BASE, WEBHOOK_RETRY_MAX and WEBHOOK_RETRY_WINDOW. */
export const DEFAULT_RETRY: RetryOptions = {
  baseMs: 10_000,
  maxMs: 60 * 60_000,
  windowMs: 24 * 60 * 60_000,
};

/** The default of WEBHOOK_TIMEOUT: how long one attempt waits for the answer. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The spread of each wait: ±20%. */
export const JITTER = 0.2;

/** The wait before the next attempt when `attempts` attempts failed so far (≥ 1), without jitter. */
export function backoffMs(attempts: number, options: Pick<RetryOptions, 'baseMs' | 'maxMs'>): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(options.baseMs * 2 ** exponent, options.maxMs);
}

/**
 * The wait before the next attempt with jitter: `backoffMs` × a factor in [1 − JITTER, 1 + JITTER).
 * `random` is in [0, 1) (Math.random by default).
 */
export function retryDelayMs(
  attempts: number,
  options: Pick<RetryOptions, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  return Math.round(backoffMs(attempts, options) * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * When the attempt after `attempts` failures should run, or `undefined` when that would be past the retry
 * window (the delivery has then failed).
 */
export function nextAttemptAt(
  createdAt: Date,
  attempts: number,
  now: Date,
  options: RetryOptions,
  random: () => number = Math.random,
): Date | undefined {
  const next = new Date(now.getTime() + retryDelayMs(attempts, options, random));
  return next.getTime() - createdAt.getTime() > options.windowMs ? undefined : next;
}

/** Every attempt of a delivery that always fails at once, without jitter: the documented schedule. */
export function retrySchedule(options: RetryOptions = DEFAULT_RETRY): {
  timeoutMs: number;
  windowMs: number;
  attempts: { attempt: number; delayMs: number; elapsedMs: number }[];
} {
  const attempts = [{ attempt: 1, delayMs: 0, elapsedMs: 0 }];
  let elapsed = 0;
  for (let failed = 1; ; failed += 1) {
    const delay = backoffMs(failed, options);
    if (elapsed + delay > options.windowMs) break;
    elapsed += delay;
    attempts.push({ attempt: failed + 1, delayMs: delay, elapsedMs: elapsed });
  }
  return { timeoutMs: DEFAULT_TIMEOUT_MS, windowMs: options.windowMs, attempts };
}
