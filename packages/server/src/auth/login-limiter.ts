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
import type { Logger } from '../platform/logger.js';
import { rateLimitedError, rateLimiter, rateLimitKey, type RateLimit } from '../platform/rate-limit.js';
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

/** The counters of the login limits: their store key prefixes. */
const COUNTERS = {
  ip: 'login:ip',
  pair: 'login:pair',
  account: 'login:account',
  accountSuccesses: 'login:account-ok',
  signupIp: 'signup:ip',
} as const;

/** Store keys of the login counters (usernames have no `:`; addresses may, so they come last). */
export const loginKeys = {
  ip: (sitePublicId: string, ip: string) => rateLimitKey(COUNTERS.ip, [sitePublicId, ip]),
  pair: (sitePublicId: string, usernameLower: string, ip: string) =>
    rateLimitKey(COUNTERS.pair, [sitePublicId, usernameLower, ip]),
  account: (sitePublicId: string, usernameLower: string) =>
    rateLimitKey(COUNTERS.account, [sitePublicId, usernameLower]),
  accountSuccesses: (sitePublicId: string, usernameLower: string) =>
    rateLimitKey(COUNTERS.accountSuccesses, [sitePublicId, usernameLower]),
};

const UNAVAILABLE = 'Sign-in is temporarily unavailable; try again shortly';

const refusal = (what: string) => (seconds: number) => `Too many ${what}; try again in ${seconds} seconds`;

/** The sign-in and sign-up limits over `deps.store`, with the numbers of `deps.config.auth.login`. */
export function loginLimiter(deps: LimiterDeps) {
  const { maxPerUsername, maxPerAccount, maxPerIp, windowMs } = deps.config.auth.login;
  const slowDownAfter = 2 * maxPerUsername;
  // The store is the only thing that knows the counts; if it cannot answer, the limiter refuses
  // (`unavailable`) rather than let sign-ins through unlimited.
  const limiter = rateLimiter(deps);
  const limit = (name: string, max: number): RateLimit => ({ name, max, windowMs, unavailable: UNAVAILABLE });
  const byIpLimit = limit(COUNTERS.ip, maxPerIp);
  const byPairLimit = limit(COUNTERS.pair, maxPerUsername);
  // Refusals on the account count failures (attempts less successes), so they are decided below.
  const byAccountLimit = limit(COUNTERS.account, maxPerAccount);
  const successesCounter = limit(COUNTERS.accountSuccesses, Infinity);
  const signupLimit = limit(COUNTERS.signupIp, maxPerIp);

  /**
   * The account's failures in the window, this attempt included: its counted attempts less its successes.
   * Successes are only read when the attempts alone could reach a limit.
   */
  async function accountFailures(sitePublicId: string, usernameLower: string, attempts: number) {
    if (attempts <= slowDownAfter && attempts <= maxPerAccount) return attempts;
    const successes = await limiter.peek(successesCounter, [sitePublicId, usernameLower]);
    return Math.max(0, attempts - successes.count);
  }

  return {
    /**
     * Counts a sign-in attempt for (`sitePublicId`, `username`) from `ip`. Throws `rate_limited` (with
     * Retry-After) when the address, the pair or the account is over its limit; otherwise waits out the
     * account's slow-down, if any, and returns the attempt.
     */
    async begin(sitePublicId: string, username: string, ip: string): Promise<LoginAttempt> {
      await limiter.consume(byIpLimit, [sitePublicId, ip], refusal('sign-in attempts from this address'));
      const usernameLower = username.toLowerCase();
      const pair = [sitePublicId, usernameLower, ip];
      await limiter.consume(byPairLimit, pair, refusal('failed sign-ins for this user'));
      const account = [sitePublicId, usernameLower];
      const byAccount = await limiter.hit(byAccountLimit, account);
      const failures = await accountFailures(sitePublicId, usernameLower, byAccount.count);
      if (failures > maxPerAccount) {
        // Once per window, not once per refused attempt: an attack must not flood the log.
        if (failures === maxPerAccount + 1)
          deps.logger.warn({ sitePublicId }, 'sign-in: an account reached its failed-attempt ceiling');
        const seconds = byAccount.retryAfter;
        throw rateLimitedError(refusal('failed sign-ins for this user from all addresses')(seconds), seconds);
      }
      const delayMs = slowDownMs(failures, slowDownAfter);
      if (delayMs > 0) await sleep(delayMs);
      return {
        delayMs,
        async succeeded() {
          // A right password ends this address's run of failures, and is no failure of the account. Best
          // effort: a leftover count only expires later.
          await Promise.all([limiter.reset(byPairLimit, pair), limiter.hit(successesCounter, account)]).catch(
            (error: unknown) => {
              deps.logger.warn({ err: error }, 'could not clear the failed sign-in count');
            },
          );
        },
      };
    },

    /** Counts a sign-up from `ip`; throws `rate_limited` past the per-IP limit. */
    async signup(sitePublicId: string, ip: string): Promise<void> {
      await limiter.consume(signupLimit, [sitePublicId, ip], refusal('sign-ups from this address'));
    },
  };
}

/** The limiter `loginLimiter` returns. */
export type LoginLimiter = ReturnType<typeof loginLimiter>;
