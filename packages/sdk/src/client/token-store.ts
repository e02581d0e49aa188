/**
 * Where the client keeps the session's tokens. The default keeps them in memory (a page reload signs out);
 * pass your own `TokenStore` to keep them elsewhere (e.g. `sessionStorage`, a mobile keychain, a file).
 */
import type { AuthResponse } from '../protocol/auth.js';

/**
 * A signed-in session as the client stores it.
 *
 * @example
 * ```ts
 * const tokens: Tokens | null = await client.auth.tokens();
 * ```
 */
export interface Tokens {
  accessToken: string;
  /** Single use: every refresh returns a new one, which replaces it. */
  refreshToken: string;
  /** When the access token expires (milliseconds since the epoch), if known. */
  accessExpiresAt?: number;
  /** The signed-in user's id. */
  userId?: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Storage hooks for the session. `load` is called before the first authenticated call (and before each
 * refresh, so that a refresh made by another tab sharing the storage is picked up); `save` after every
 * sign-in and refresh, and with `null` on sign-out or when the server refuses the refresh token.
 *
 * @example
 * ```ts
 * const tokens: TokenStore = {
 *   load: () => JSON.parse(sessionStorage.getItem('synctalk') ?? 'null'),
 *   save: (t) => (t ? sessionStorage.setItem('synctalk', JSON.stringify(t)) : sessionStorage.removeItem('synctalk')),
 * };
 * const client = createClient({ baseUrl: 'https://chat.example.com', tokens });
 * ```
 */
export interface TokenStore {
  load(): MaybePromise<Tokens | null | undefined>;
  save(tokens: Tokens | null): MaybePromise<void>;
}

/**
 * A `TokenStore` in memory, optionally seeded with tokens (e.g. from your own storage or a server render).
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl, tokens: memoryTokenStore({ accessToken, refreshToken }) });
 * ```
 */
export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return {
    load: () => tokens,
    save: (next) => {
      tokens = next;
    },
  };
}

/**
 * The `Tokens` of a sign-in answer (`now`: the time it arrived, for the expiry).
 *
 * @example
 * ```ts
 * const tokens = tokensFromAuth(await (await fetch(url, init)).json());
 * ```
 */
export function tokensFromAuth(auth: AuthResponse, now = Date.now()): Tokens {
  return {
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
    accessExpiresAt: now + auth.expiresIn * 1000,
    userId: auth.user.id,
  };
}
