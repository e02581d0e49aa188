/**
 * Rate limits shared by every node: fixed-window counters in the shared store (`SharedStore.hit`: one atomic
 * INCR that starts the window's expiry on the first hit, a Lua script on Redis, a map in process memory).
 * A limit is a name, a maximum and a window; a subject (site, address, user…) picks its counter. A hit past
 * the maximum is refused with `rate_limited`, `details.retryAfter` and `Retry-After` saying how many seconds
 * remain in the window.
 *
 * Keys are `name:part:part…`. Each counter is one key and every operation touches one key, so each runs on the
 * one cluster slot that key hashes to and counters spread over the whole cluster. Braces in a part are
 * escaped: a client-chosen value (an address, a username) can never form a `{hash tag}` that would pin many
 * counters to one slot. Keys without `%`, `{` or `}` are left as they are.
 *
 * When the store cannot answer there is no count to enforce, so callers get `unavailable` (and the error is
 * logged) rather than unlimited access.
 */
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import type { SharedStore } from './redis.js';

export interface RateLimit {
  /** Names the counter: the key prefix (e.g. `guest:ip`) and what the logs say. */
  name: string;
  /** Hits allowed in one window; the next is refused. */
  max: number;
  windowMs: number;
  /** The message of the `unavailable` error thrown when the store cannot count. */
  unavailable: string;
}

/** A counter after a hit (or a look): how many in this window, whether allowed, and the wait when not. */
export interface RateLimitState {
  /** Hits counted in the current window (the one just counted included). */
  count: number;
  /** Whether the hit is within the limit (for `peek`: whether one more would be). */
  allowed: boolean;
  /** Whole seconds until the window ends, at least 1: what `Retry-After` says. */
  retryAfter: number;
}

/** Whole seconds to wait for `resetMs` to pass, at least 1 (a `Retry-After` of 0 would invite a retry storm). */
export function retryAfterSeconds(resetMs: number): number {
  return Math.max(1, Math.ceil(resetMs / 1000));
}

const escapePart = (part: string) =>
  part.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'));

/** The store key of `name`'s counter for the subject `parts`. */
export function rateLimitKey(name: string, parts: readonly string[]): string {
  return [name, ...parts.map(escapePart)].join(':');
}

/** The `rate_limited` error: `message`, `details.retryAfter` and a `Retry-After` header of `retryAfter` s. */
export function rateLimitedError(message: string, retryAfter: number): AppError {
  return new AppError('rate_limited', message, { retryAfter }, { 'Retry-After': String(retryAfter) });
}

export interface RateLimiter {
  /** Counts one hit on `limit` for `parts`. Throws `unavailable` when the store cannot count. */
  hit(limit: RateLimit, parts: readonly string[]): Promise<RateLimitState>;
  /**
   * Counts one hit and throws `rateLimitedError(refusal(seconds), seconds)` when it is past the limit.
   * Throws `unavailable` when the store cannot count.
   */
  consume(
    limit: RateLimit,
    parts: readonly string[],
    refusal: (retryAfter: number) => string,
  ): Promise<RateLimitState>;
  /**
   * Reads the count without adding to it (for limits that count only failures: look first, hit after a
   * failure). `retryAfter` is the whole window here: the store answers counts, not their expiry.
   */
  peek(limit: RateLimit, parts: readonly string[]): Promise<RateLimitState>;
  /** Forgets the subject's count (best effort is the caller's choice: errors are passed on). */
  reset(limit: RateLimit, parts: readonly string[]): Promise<void>;
}

/** Rate limits counted in `deps.store`. */
export function rateLimiter(deps: { store: SharedStore; logger: Logger }): RateLimiter {
  const { store, logger } = deps;

  async function guarded<T>(limit: RateLimit, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      logger.error({ err: error, limit: limit.name }, 'rate-limit store unavailable');
      throw new AppError('unavailable', limit.unavailable);
    }
  }

  const hit = async (limit: RateLimit, parts: readonly string[]): Promise<RateLimitState> => {
    const { count, resetMs } = await guarded(limit, () =>
      store.hit(rateLimitKey(limit.name, parts), limit.windowMs),
    );
    return { count, allowed: count <= limit.max, retryAfter: retryAfterSeconds(resetMs) };
  };

  return {
    hit,

    async consume(limit, parts, refusal) {
      const state = await hit(limit, parts);
      if (!state.allowed) throw rateLimitedError(refusal(state.retryAfter), state.retryAfter);
      return state;
    },

    async peek(limit, parts) {
      const value = await guarded(limit, () => store.get(rateLimitKey(limit.name, parts)));
      const count = Number(value ?? 0);
      return { count, allowed: count < limit.max, retryAfter: retryAfterSeconds(limit.windowMs) };
    },

    async reset(limit, parts) {
      await store.del(rateLimitKey(limit.name, parts));
    },
  };
}
