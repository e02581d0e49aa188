/**
 * Brute-force protection for password sign-in, counted in the shared store so every node sees the same
 * numbers (Redis when configured, process memory otherwise). Every limit is per site: one tenant's traffic
 * never locks out another's. Client addresses are `ctx.ip` (TRUST_PROXY decides what that is).
 *
 * - Per address: every sign-in attempt counts, right or wrong; past `LOGIN_MAX_PER_IP` in `LOGIN_WINDOW` the
 *   address is refused. This stops one client trying many usernames.
 * - Per (username, address) pair: failed attempts count. The attempt is counted *before* the password is
 *   checked and the count is cleared when the password turns out right, so parallel guesses cannot slip past
 *   the limit while bcrypt runs. After `LOGIN_MAX_PER_USERNAME` failures the pair is refused, even with the
 *   right password, until the window (which starts at the first failure) ends. A stranger locks out only
 *   their own address: the user still signs in from theirs.
 * - Per account (username, from every address): attempts not refused above count, and so do successes, on a
 *   counter of their own; failures are the difference. Past twice `LOGIN_MAX_PER_USERNAME` failures every
 *   further attempt waits before its password is checked, twice as long each time up to 2 s (a timer per
 *   request, nothing queued); past `LOGIN_MAX_PER_ACCOUNT` the account is refused from everywhere until the
 *   window ends.
 *
 * Unknown usernames count like known ones, so the limits do not reveal which exist.
 *
 * Sign-ups from one address are limited by the same per-address numbers on a counter of their own (each one
 * costs a bcrypt hash).
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** How long the attempt was held back before it was allowed on (ms); 0 when the account is not slowed. */
  readonly delayMs: number;
  succeeded(): Promise<void>;
}

/** The first slow-down delay, and the longest. */
export const SLOW_DOWN_BASE_MS = 125;
export const SLOW_DOWN_MAX_MS = 2000;

/**
 * The delay before checking a password on an account with `accountAttempts` counted in the window: none up
 * to `threshold`, then `SLOW_DOWN_BASE_MS` doubling with each further attempt, capped at `SLOW_DOWN_MAX_MS`.
 */
export function slowDownMs(accountAttempts: number, threshold: number): number {
  const excess = accountAttempts - threshold;
  if (excess <= 0) return 0;
  // Capping the exponent first keeps the arithmetic finite for any count.
  return Math.min(SLOW_DOWN_MAX_MS, SLOW_DOWN_BASE_MS * 2 ** Math.min(excess - 1, 30));
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

/** Store keys of the login counters (usernames have no `:`; addresses may, so they come last). */
export const loginKeys = {
  ip: (sitePublicId: string, ip: string) => `login:ip:${sitePublicId}:${ip}`,
  pair: (sitePublicId: string, usernameLower: string, ip: string) =>
    `login:pair:${sitePublicId}:${usernameLower}:${ip}`,
  account: (sitePublicId: string, usernameLower: string) => `login:account:${sitePublicId}:${usernameLower}`,
  accountSuccesses: (sitePublicId: string, usernameLower: string) =>
    `login:account-ok:${sitePublicId}:${usernameLower}`,
};

/** The sign-in and sign-up limits over `deps.store`, with the numbers of `deps.config.auth.login`. */
export function loginLimiter(deps: LimiterDeps) {
  const { maxPerUsername, maxPerAccount, maxPerIp, windowMs } = deps.config.auth.login;
  const slowDownAfter = 2 * maxPerUsername;

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

  /**
   * The account's failures in the window, this attempt included: its counted attempts less its successes.
   * Successes are only read when the attempts alone could reach a limit.
   */
  async function accountFailures(sitePublicId: string, usernameLower: string, attempts: number) {
    if (attempts <= slowDownAfter && attempts <= maxPerAccount) return attempts;
    let successes: string | null;
    try {
      successes = await deps.store.get(loginKeys.accountSuccesses(sitePublicId, usernameLower));
    } catch (error) {
      deps.logger.error({ err: error }, 'rate-limit store unavailable');
      throw new AppError('unavailable', 'Sign-in is temporarily unavailable; try again shortly');
    }
    return Math.max(0, attempts - Number(successes ?? 0));
  }

  return {
    /**
     * Counts a sign-in attempt for (`sitePublicId`, `username`) from `ip`. Throws `rate_limited` (with
     * Retry-After) when the address, the pair or the account is over its limit; otherwise waits out the
     * account's slow-down, if any, and returns the attempt.
     */
    async begin(sitePublicId: string, username: string, ip: string): Promise<LoginAttempt> {
      const byIp = await hit(loginKeys.ip(sitePublicId, ip));
      if (byIp.count > maxPerIp) throw tooMany('sign-in attempts from this address', byIp.resetMs);
      const usernameLower = username.toLowerCase();
      const pairKey = loginKeys.pair(sitePublicId, usernameLower, ip);
      const byPair = await hit(pairKey);
      if (byPair.count > maxPerUsername) throw tooMany('failed sign-ins for this user', byPair.resetMs);
      const byAccount = await hit(loginKeys.account(sitePublicId, usernameLower));
      const failures = await accountFailures(sitePublicId, usernameLower, byAccount.count);
      if (failures > maxPerAccount) {
        // Once per window, not once per refused attempt: an attack must not flood the log.
        if (failures === maxPerAccount + 1)
          deps.logger.warn({ sitePublicId }, 'sign-in: an account reached its failed-attempt ceiling');
        throw tooMany('failed sign-ins for this user from all addresses', byAccount.resetMs);
      }
      const delayMs = slowDownMs(failures, slowDownAfter);
      if (delayMs > 0) await sleep(delayMs);
      return {
        delayMs,
        async succeeded() {
          // A right password ends this address's run of failures, and is no failure of the account. Best
          // effort: a leftover count only expires later.
          await Promise.all([
            deps.store.del(pairKey),
            deps.store.hit(loginKeys.accountSuccesses(sitePublicId, usernameLower), windowMs),
          ]).catch((error: unknown) => {
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

/** The limiter `loginLimiter` returns. */
export type LoginLimiter = ReturnType<typeof loginLimiter>;
