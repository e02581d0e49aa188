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

/** `ROLE_USER` and `ROLE_ADMIN` are site-wide; room roles are on memberships. */
export type SiteRole = z.output<typeof siteRole>;

/** How a user signs in: a password account, Kakao, a token from the site's own backend, or a guest. */
export type UserKind = z.output<typeof userKind>;

/** A user as every API returns it. */
export type User = z.output<typeof userSchema>;

/** The answer to every successful sign-in and refresh. */
export type AuthResponse = z.output<typeof authResponseSchema>;

/**
 * `POST /v1/auth/signup`. Usernames: 3–32 characters, ASCII letters, digits, `_`, `.` and `-`, starting with
 * a letter or digit, unique per site ignoring case. Passwords: at least 8 characters and at most 72 bytes of
 * UTF-8 (bcrypt's limit; longer passwords are refused, never truncated).
 */
export type SignupRequest = z.input<typeof signupBody>;

/** `POST /v1/auth/login`. The username is matched ignoring case. */
export type LoginRequest = z.input<typeof loginBody>;

/** `POST /v1/auth/refresh`: exchanges a refresh token (single use) for a new pair. */
export type RefreshRequest = z.input<typeof refreshBody>;

/** `POST /v1/auth/logout`: ends the session the refresh token belongs to, and clears the access cookie. */
export type LogoutRequest = z.input<typeof logoutBody>;

/** `PATCH /v1/me`: at least one field. `avatarUrl: null` removes the avatar. */
export type UpdateMeRequest = z.input<typeof updateMeBody>;

/**
 * `GET /v1/auth/kakao/start?origin=&site=`: Kakao's authorization page for a popup, and the flow's one-time
 * state. The popup ends on the server's callback page, which posts the outcome to the opener (at `origin`,
 * one of the site's allowed origins) as `{ source: 'synctalk', type: 'kakao:login', state, ok, auth | error }`.
 */
export type KakaoStart = z.output<typeof kakaoStartResponse>;
