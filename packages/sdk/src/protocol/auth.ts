/**
 * REST shapes of accounts and sign-in, inferred from the wire schemas (`@synctalk/sdk/schemas`). Type-only:
 * nothing of zod is loaded at runtime.
 */
import type { z } from 'zod';
import type {
  authResponseSchema,
  loginBody,
  logoutBody,
  refreshBody,
  signupBody,
  siteRole,
  updateMeBody,
  userKind,
  userSchema,
} from '../schemas/auth.js';
import type { kakaoStartResponse } from '../schemas/kakao.js';

/**
 * `ROLE_USER` and `ROLE_ADMIN` are site-wide; room roles are on memberships.
 *
 * @example
 * ```ts
 * const role: SiteRole = 'ROLE_ADMIN';
 * const isSiteAdmin = user.roles.includes(role);
 * ```
 */
export type SiteRole = z.output<typeof siteRole>;

/**
 * How a user signs in: a password account, Kakao, a token from the site's own backend, or a guest.
 *
 * @example
 * ```ts
 * const isGuest = (kind: UserKind): boolean => kind === 'guest';
 * if (isGuest(user.kind)) showSignUpOffer();
 * ```
 */
export type UserKind = z.output<typeof userKind>;

/**
 * A user as every API returns it.
 *
 * @example
 * ```ts
 * const me: User = await client.me.get();
 * console.log(me.id, me.displayName, me.kind); // '42' 'Ann' 'password'
 * ```
 */
export type User = z.output<typeof userSchema>;

/**
 * The answer to every successful sign-in and refresh.
 *
 * @example
 * ```ts
 * const auth: AuthResponse = await client.auth.login({ username: 'ann', password: 'correct horse battery' });
 * console.log(`signed in as ${auth.user.displayName} (user ${auth.user.id})`);
 * ```
 */
export type AuthResponse = z.output<typeof authResponseSchema>;

/**
 * `POST /v1/auth/signup`. Usernames: 3–32 characters, ASCII letters, digits, `_`, `.` and `-`, starting with
 * a letter or digit, unique per site ignoring case. Passwords: at least 8 characters and at most 72 bytes of
 * UTF-8 (bcrypt's limit; longer passwords are refused, never truncated).
 *
 * @example
 * ```ts
 * const body: SignupRequest = { username: 'ann', password: 'correct horse battery', displayName: 'Ann' };
 * const auth = await client.auth.signup(body);
 * ```
 */
export type SignupRequest = z.input<typeof signupBody>;

/**
 * `POST /v1/auth/login`. The username is matched ignoring case.
 *
 * @example
 * ```ts
 * const body: LoginRequest = { username: 'ann', password: 'correct horse battery' };
 * const auth = await client.auth.login(body);
 * ```
 */
export type LoginRequest = z.input<typeof loginBody>;

/**
 * `POST /v1/auth/refresh`: exchanges a refresh token (single use) for a new pair.
 *
 * @example
 * ```ts
 * const body: RefreshRequest = { refreshToken: stored.refreshToken };
 * const init = { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) };
 * const auth: AuthResponse = await (await fetch(`${baseUrl}/v1/auth/refresh`, init)).json();
 * ```
 */
export type RefreshRequest = z.input<typeof refreshBody>;

/**
 * `POST /v1/auth/logout`: ends the session the refresh token belongs to, and clears the access cookie.
 *
 * @example
 * ```ts
 * const body: LogoutRequest = { refreshToken: stored.refreshToken };
 * const init = { method: 'POST', headers: jsonHeaders, body: JSON.stringify(body) };
 * await fetch(`${baseUrl}/v1/auth/logout`, init);
 * ```
 */
export type LogoutRequest = z.input<typeof logoutBody>;

/**
 * `PATCH /v1/me`: at least one field. `avatarUrl: null` removes the avatar.
 *
 * @example
 * ```ts
 * const patch: UpdateMeRequest = { displayName: 'Ann Lee', avatarUrl: null }; // and remove the avatar
 * const me = await client.me.update(patch);
 * ```
 */
export type UpdateMeRequest = z.input<typeof updateMeBody>;

/**
 * `GET /v1/auth/kakao/start?origin=&site=`: Kakao's authorization page for a popup, and the flow's one-time
 * state. The popup ends on the server's callback page, which posts the outcome to the opener (at `origin`,
 * one of the site's allowed origins) as `{ source: 'synctalk', type: 'kakao:login', state, ok, auth | error }`.
 *
 * @example
 * ```ts
 * const { url, state }: KakaoStart = await client.auth.kakaoStart({ origin: location.origin });
 * popup.location.href = url; // the callback page posts { source: 'synctalk', state, ok, … } back
 * ```
 */
export type KakaoStart = z.output<typeof kakaoStartResponse>;
