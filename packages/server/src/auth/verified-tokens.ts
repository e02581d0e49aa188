/**
 * Access tokens this process has verified, remembered until they expire, so each token's signature is
 * checked once per node rather than on every request and handshake: a client sends the same token with
 * every request for its whole life (minutes), and verifying it (decoding, an HMAC, claim checks) was about a
 * tenth of a simple request's CPU.
 *
 * Only what verification established is remembered: the token's user, for the key that verified it. What
 * can change while a token lives (its expiry, the request's site) is still checked on every use; an expired
 * token is answered expired exactly as `jsonwebtoken` would (at `exp`, in whole seconds, no tolerance).
 * Entries are keyed by the whole token string, so only the very token verified hits. The cache is bounded
 * (least recently used entries go first) and shared by the servers of a process, each entry tied to its key.
 */
import type { KeyObject } from 'node:crypto';

/** Tokens remembered at most (about 0.5 KB each: the token and its user). */
export const VERIFIED_TOKENS_MAX = 10_000;

/** What a verified token established: whose it is (any shape) with its site and expiry (seconds). */
export interface VerifiedUser {
  siteId: string;
  exp: number;
}

export type KnownToken<U> = { user: U } | { expired: true };

export class VerifiedTokens<U extends VerifiedUser> {
  readonly #entries = new Map<string, { key: KeyObject; user: U }>();

  constructor(private readonly max = VERIFIED_TOKENS_MAX) {}

  /**
   * What verifying `token` with `key` gave before, if it was verified (and is still remembered): its user,
   * or `expired` once its `exp` has passed. Undefined when it must be verified.
   */
  get(token: string, key: KeyObject, now = Date.now()): KnownToken<U> | undefined {
    const entry = this.#entries.get(token);
    if (!entry || entry.key !== key) return undefined;
    if (Math.floor(now / 1000) >= entry.user.exp) {
      this.#entries.delete(token);
      return { expired: true };
    }
    // Most recently used last: the first entry is the one to drop when full.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return { user: entry.user };
  }

  /** Remembers that `token` verified with `key` as `user`. */
  add(token: string, key: KeyObject, user: U): void {
    this.#entries.delete(token);
    if (this.#entries.size >= this.max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { key, user });
  }

  /** The site a remembered token was verified for (whatever the key): only for choosing a tenant. */
  siteOf(token: string): string | undefined {
    return this.#entries.get(token)?.user.siteId;
  }

  get size(): number {
    return this.#entries.size;
  }
}
