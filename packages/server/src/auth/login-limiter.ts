/**
 * Brute-force protection for password sign-in, counted in the shared store so every node sees the same
 * numbers (Redis when configured, process memory otherwise). Both limits are per site: one tenant's traffic
 * never locks out another's.
 *
 * - Per IP: every sign-in attempt counts, right or wrong; past `LOGIN_MAX_PER_IP` in `LOGIN_WINDOW` the IP is
 *   refused. This stops one client trying many usernames.
 * - Per username: failed attempts count. The attempt is counted *before* the password is checked and the count
 *   is cleared when the password turns out right, so parallel guesses cannot slip past the limit while bcrypt
 *   runs. After `LOGIN_MAX_PER_USERNAME` failures the username is refused, even with the right password,
 *   until the window (which starts at the first failure) ends. Unknown usernames count like known ones, so the
 *   limit does not reveal which exist.
 *
 * Sign-ups from one IP are limited by the same per-IP numbers on a counter of their own (each one costs a
 * bcrypt hash).
 */
import type { Config } from '../config.js';
import { AppError } from '../platform/errors.js';
import type { Logger } from '../platform/logger.js';
import type { SharedStore } from '../platform/redis.js';

export interface LimiterDeps {
  config: Config;
  store: SharedStore;
  logger: Logger;
}

/** A started sign-in attempt: call `succeeded()` when the password was right. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
}

function tooMany(what: string, resetMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(resetMs / 1000));
  return new AppError(
    'rate_limited',
    `Too many ${what}; try again in ${seconds} seconds`,
    { retryAfter: seconds },
    { 'Retry-After': String(seconds) },
  );
}

export function loginLimiter(deps: LimiterDeps) {
  const { maxPerUsername, maxPerIp, windowMs } = deps.config.auth.login;

  // The store is the only thing that knows the counts; if it cannot answer, refuse rather than let
  // sign-ins through unlimited.
  async function hit(key: string) {
    try {
      return await deps.store.hit(key, windowMs);
    } catch (error) {
      deps.logger.error({ err: error, key }, 'rate-limit store unavailable');
      throw new AppError('unavailable', 'Sign-in is temporarily unavailable; try again shortly');
    }
  }

  const userKey = (sitePublicId: string, usernameLower: string) =>
    `login:user:${sitePublicId}:${usernameLower}`;

  return {
    /**
     * Counts a sign-in attempt for (`sitePublicId`, `username`) from `ip`. Throws `rate_limited` (with
     * Retry-After) when the IP or the username is over its limit.
     */
    async begin(sitePublicId: string, username: string, ip: string): Promise<LoginAttempt> {
      const byIp = await hit(`login:ip:${sitePublicId}:${ip}`);
      if (byIp.count > maxPerIp) throw tooMany('sign-in attempts from this address', byIp.resetMs);
      const key = userKey(sitePublicId, username.toLowerCase());
      const byUser = await hit(key);
      if (byUser.count > maxPerUsername) throw tooMany('failed sign-ins for this user', byUser.resetMs);
      return {
        async succeeded() {
          // A right password ends the run of failures. Best effort: a leftover count only expires later.
          await deps.store.del(key).catch((error: unknown) => {
            deps.logger.warn({ err: error }, 'could not clear the failed sign-in count');
          });
        },
      };
    },

    /** Counts a sign-up from `ip`; throws `rate_limited` past the per-IP limit. */
    async signup(sitePublicId: string, ip: string): Promise<void> {
      const byIp = await hit(`signup:ip:${sitePublicId}:${ip}`);
      if (byIp.count > maxPerIp) throw tooMany('sign-ups from this address', byIp.resetMs);
    },
  };
}

export type LoginLimiter = ReturnType<typeof loginLimiter>;
