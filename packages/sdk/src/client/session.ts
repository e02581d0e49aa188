/**
 * The signed-in session: the tokens (through the `TokenStore`), the access token for each call, and the
 * refresh. Refreshes are single-flight: however many calls find the access token expired at once, one
 * `POST /v1/auth/refresh` runs and all of them retry with its result. That matters beyond saving requests:
 * refresh tokens are single use. The server forgives a repeat within a short grace window after the rotation
 * (JWT_REFRESH_GRACE: it answers the same new pair, for other tabs and retries), but a repeat after it counts as
 * token theft and revokes the whole session.
 */
import type { AuthResponse } from '../protocol/auth.js';
import { SyncTalkError } from './errors.js';
import type { HttpTransport } from './http.js';
import { tokensFromAuth, type Tokens, type TokenStore } from './token-store.js';

/** Calls refresh first when the access token has less than this left, so it does not expire on the way. */
export const REST_MIN_VALIDITY_MS = 1_000;

/**
 * Tokens, refresh and retry-once-after-refresh for authenticated calls.
 *
 * @example
 * ```ts
 * const session = new Session(http, memoryTokenStore());
 * await session.signIn(await http.request<AuthResponse>({ method: 'POST', path: '/v1/auth/login', body }));
 * const me = await session.authorized((token) => http.request<User>({ method: 'GET', path: '/v1/me', token }));
 * ```
 */
export class Session {
  #tokens: Tokens | null | undefined;
  #loading: Promise<Tokens | null> | undefined;
  #refreshing: Promise<AuthResponse> | undefined;

  readonly #http: HttpTransport;
  readonly #store: TokenStore;
  readonly #now: () => number;

  constructor(http: HttpTransport, store: TokenStore, now: () => number = Date.now) {
    this.#http = http;
    this.#store = store;
    this.#now = now;
  }

  /** The stored tokens (loaded from the store on first use), or `null` when signed out. */
  current(): Promise<Tokens | null> {
    if (this.#tokens !== undefined) return Promise.resolve(this.#tokens);
    this.#loading ??= Promise.resolve(this.#store.load()).then((loaded) => {
      // A sign-in may have happened while the store was loading: it wins.
      if (this.#tokens === undefined) this.#tokens = loaded ?? null;
      this.#loading = undefined;
      return this.#tokens;
    });
    return this.#loading;
  }

  /** Adopts the tokens of a sign-in answer and saves them. */
  async signIn(auth: AuthResponse): Promise<void> {
    await this.save(tokensFromAuth(auth, this.#now()));
  }

  /** Adopts tokens obtained elsewhere (or `null`: signs out locally) and saves them. */
  async save(tokens: Tokens | null): Promise<void> {
    this.#tokens = tokens;
    await this.#store.save(tokens);
  }

  /**
   * An access token valid for at least `minValidityMs` more (when its expiry is known), refreshing first
   * if needed. Throws `unauthorized` when signed out.
   */
  async accessToken(minValidityMs = REST_MIN_VALIDITY_MS): Promise<string> {
    const tokens = await this.current();
    if (!tokens) throw new SyncTalkError('unauthorized', 'Not signed in: sign in first', { status: 401 });
    if (tokens.accessExpiresAt !== undefined && tokens.accessExpiresAt - this.#now() < minValidityMs) {
      return (await this.refresh(tokens.accessToken, minValidityMs)).accessToken;
    }
    return tokens.accessToken;
  }

  /**
   * Refreshes the tokens, unless `stale` (the access token a call was refused with) was already replaced by
   * a token valid for `minValidityMs` more, by a refresh of this client or, through a shared store, another
   * one. Joins a refresh already running.
   */
  async refresh(stale?: string, minValidityMs = REST_MIN_VALIDITY_MS): Promise<Tokens> {
    if (!this.#refreshing && stale !== undefined) {
      const fromStore = (await this.#store.load()) ?? null;
      if (fromStore && fromStore.refreshToken !== this.#tokens?.refreshToken) this.#tokens = fromStore;
      const tokens = this.#tokens;
      const fresh =
        tokens &&
        tokens.accessToken !== stale &&
        (tokens.accessExpiresAt === undefined || tokens.accessExpiresAt - this.#now() >= minValidityMs);
      if (fresh) return tokens;
    }
    await this.refreshAuth();
    return this.#tokens!;
  }

  /**
   * Exchanges the refresh token for new tokens now (joining a refresh already running). When the server
   * refuses it (`401`: expired, revoked or reused), the session ends: the store is cleared.
   */
  refreshAuth(): Promise<AuthResponse> {
    this.#refreshing ??= (async () => {
      try {
        const tokens = await this.current();
        if (!tokens) throw new SyncTalkError('unauthorized', 'Not signed in: sign in first', { status: 401 });
        let auth: AuthResponse;
        try {
          auth = await this.#http.request<AuthResponse>({
            method: 'POST',
            path: '/v1/auth/refresh',
            body: { refreshToken: tokens.refreshToken },
          });
        } catch (error) {
          // A refusal ends the session; a network failure leaves it for the next try.
          if (error instanceof SyncTalkError && error.status === 401) await this.save(null);
          throw error;
        }
        await this.signIn(auth);
        return auth;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /**
   * Runs `call` with an access token; when the server answers `token_expired`, refreshes (single-flight)
   * and runs it once more with the new token.
   */
  async authorized<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof SyncTalkError) || error.code !== 'token_expired') throw error;
      const fresh = await this.refresh(token);
      return call(fresh.accessToken);
    }
  }
}
