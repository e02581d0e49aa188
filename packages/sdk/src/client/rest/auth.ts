/** `client.auth`: sign-up, sign-in (password, guest, site token), refresh and sign-out. */
import type { AuthResponse, KakaoStart, LoginRequest, SignupRequest } from '../../protocol/auth.js';
import { SyncTalkError } from '../errors.js';
import type { Tokens } from '../token-store.js';
import type { CallOptions, RestContext } from './call.js';
import { kakaoPopup, type KakaoPopupOptions } from './kakao-popup.js';

/**
 * The sign-in API. Every successful sign-in stores the session's tokens in the client's `TokenStore`.
 *
 * @example
 * ```ts
 * await client.auth.login({ username, password });
 * ```
 */
export interface AuthApi {
  /**
   * Creates a password account and signs in (`POST /v1/auth/signup`).
   *
   * @example
   * ```ts
   * const { user } = await client.auth.signup({ username: 'ann', password: 'correct horse battery' });
   * ```
   */
  signup(body: SignupRequest, options?: CallOptions): Promise<AuthResponse>;
  /**
   * Signs in with a username and password (`POST /v1/auth/login`).
   *
   * @example
   * ```ts
   * await client.auth.login({ username: 'ann', password: 'correct horse battery' });
   * ```
   */
  login(body: LoginRequest, options?: CallOptions): Promise<AuthResponse>;
  /**
   * Signs in as a new guest, on sites that allow guests (`POST /v1/auth/guest`).
   *
   * @example
   * ```ts
   * await client.auth.guest({ displayName: 'Visitor' });
   * ```
   */
  guest(body: { displayName: string }, options?: CallOptions): Promise<AuthResponse>;
  /**
   * Exchanges a site token, minted by your backend with `createUserToken` from `@synctalk/sdk/server`, for a
   * session (`POST /v1/auth/site-token`). Each site token works once.
   *
   * @example
   * ```ts
   * const { token } = await (await fetch('/my-backend/chat-token')).json();
   * await client.auth.siteToken(token);
   * ```
   */
  siteToken(token: string, options?: CallOptions): Promise<AuthResponse>;
  /**
   * Exchanges the refresh token for new tokens now (the client also does this by itself when the access
   * token expires). A refusal ends the session (the store is cleared) and throws `unauthorized`.
   *
   * @example
   * ```ts
   * const { expiresIn } = await client.auth.refresh();
   * ```
   */
  refresh(): Promise<AuthResponse>;
  /**
   * Starts Kakao Login for a popup (`GET /v1/auth/kakao/start`): open `url` in a window; the server's callback
   * page then posts the outcome to `window.opener` at `origin` (the embedding page's origin, which the site
   * must allow). Pass the posted `auth` to `setSession`.
   *
   * @example
   * ```ts
   * const popup = window.open('', 'synctalk-kakao', 'width=480,height=640'); // in the click handler
   * const { url, state } = await client.auth.kakaoStart({ origin: location.origin });
   * popup!.location.href = url;
   * addEventListener('message', (e) => {
   *   if (e.data?.source === 'synctalk' && e.data.state === state && e.data.ok) void client.auth.setSession(e.data.auth);
   * });
   * ```
   */
  kakaoStart(query: { origin: string }, options?: CallOptions): Promise<KakaoStart>;
  /**
   * Kakao Login in a popup (browsers): opens the window at once — so call it straight from the user's
   * click, with no `await` before it — runs the server's popup flow in it, and resolves with the session,
   * stored like `login`'s. Only the answer of that window, from the server's callback page, for this
   * sign-in counts. Rejects with a `SyncTalkError`: `forbidden` when the window was blocked, `unauthorized`
   * when the user closed it, cancelled at Kakao or took longer than `timeoutMs` (`details.reason` says
   * which: `'blocked'`, `'closed'`, `'timeout'`), the server's error when it refused (or `unavailable` when
   * the site does not allow the page's origin: the browser hides the answer), and `validation_failed`
   * outside a browser.
   *
   * @example
   * ```ts
   * kakaoButton.addEventListener('click', () => {
   *   client.auth.kakaoPopup().then(
   *     ({ user }) => showChat(user),
   *     (error: SyncTalkError) => showError(error.message), // e.g. "…the sign-in window was closed"
   *   );
   * });
   * ```
   */
  kakaoPopup(options?: KakaoPopupOptions): Promise<AuthResponse>;
  /**
   * Signs out: ends the session on the server (`POST /v1/auth/logout`) and clears the stored tokens, also
   * when the server cannot be reached.
   *
   * @example
   * ```ts
   * await client.auth.logout();
   * ```
   */
  logout(options?: CallOptions): Promise<void>;
  /**
   * Adopts a sign-in obtained another way, e.g. the `AuthResponse` the Kakao popup posts back.
   *
   * @example
   * ```ts
   * window.addEventListener('message', (e) => {
   *   if (e.data?.source === 'synctalk' && e.data.ok) void client.auth.setSession(e.data.auth);
   * });
   * ```
   */
  setSession(auth: AuthResponse): Promise<void>;
  /**
   * The stored tokens, or `null` when signed out.
   *
   * @example
   * ```ts
   * if (!(await client.auth.tokens())) showSignIn();
   * ```
   */
  tokens(): Promise<Tokens | null>;
}

/** Builds `client.auth`. */
export function authApi(ctx: RestContext): AuthApi {
  const signIn = async (path: string, body: unknown, options?: CallOptions) => {
    const auth = await ctx.anonymous<AuthResponse>('POST', path, options, body);
    await ctx.session.signIn(auth);
    return auth;
  };
  return {
    signup: (body, options) => signIn('/v1/auth/signup', body, options),
    login: (body, options) => signIn('/v1/auth/login', body, options),
    guest: (body, options) => signIn('/v1/auth/guest', body, options),
    siteToken: (token, options) => signIn('/v1/auth/site-token', { token }, options),
    refresh: () => ctx.session.refreshAuth(),
    kakaoStart: ({ origin }, options) => ctx.anonymous('GET', '/v1/auth/kakao/start', options, { origin }),
    kakaoPopup: (options) => kakaoPopup(ctx, options),
    async logout(options) {
      const tokens = await ctx.session.current();
      try {
        if (tokens) {
          await ctx.anonymous('POST', '/v1/auth/logout', options, { refreshToken: tokens.refreshToken });
        }
      } catch (error) {
        // An already-ended session is what signing out wants; anything else is reported after clearing.
        if (!(error instanceof SyncTalkError) || error.status !== 401) {
          await ctx.session.save(null);
          throw error;
        }
      }
      await ctx.session.save(null);
    },
    setSession: (auth) => ctx.session.signIn(auth),
    tokens: () => ctx.session.current(),
  };
}
