/** REST shapes of accounts and sign-in. */

/** `ROLE_USER` and `ROLE_ADMIN` are site-wide; room roles are on memberships. */
export type SiteRole = 'ROLE_USER' | 'ROLE_ADMIN';

/** How a user signs in: a password account, Kakao, a token from the site's own backend, or a guest. */
export type UserKind = 'password' | 'kakao' | 'site' | 'guest';

/** A user as every API returns it. */
export interface User {
  id: string;
  /** Set for password accounts; others are known by their display name. */
  username: string | null;
  displayName: string;
  avatarUrl: string | null;
  kind: UserKind;
  roles: SiteRole[];
  createdAt: string;
}

/** The answer to every successful sign-in and refresh. */
export interface AuthResponse {
  tokenType: 'Bearer';
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
  /** Seconds until the refresh token expires. */
  refreshExpiresIn: number;
  user: User;
}

/**
 * `POST /v1/auth/signup`. Usernames: 3–32 characters, ASCII letters, digits, `_`, `.` and `-`, starting with
 * a letter or digit, unique per site ignoring case. Passwords: at least 8 characters and at most 72 bytes of
 * UTF-8 (bcrypt's limit; longer passwords are refused, never truncated).
 */
export interface SignupRequest {
  username: string;
  password: string;
  /** Shown to other users; defaults to the username. 1–64 characters. */
  displayName?: string;
}

/** `POST /v1/auth/login`. The username is matched ignoring case. */
export interface LoginRequest {
  username: string;
  password: string;
}

/** `POST /v1/auth/refresh`: exchanges a refresh token (single use) for a new pair. */
export interface RefreshRequest {
  refreshToken: string;
}

/** `POST /v1/auth/logout`: ends the session the refresh token belongs to, and clears the access cookie. */
export interface LogoutRequest {
  refreshToken?: string;
}

/** `PATCH /v1/me`: at least one field. `avatarUrl: null` removes the avatar. */
export interface UpdateMeRequest {
  displayName?: string;
  avatarUrl?: string | null;
}

/**
 * `GET /v1/auth/kakao/start?origin=&site=`: Kakao's authorization page for a popup, and the flow's one-time
 * state. The popup ends on the server's callback page, which posts the outcome to the opener (at `origin`,
 * one of the site's allowed origins) as `{ source: 'synctalk', type: 'kakao:login', state, ok, auth | error }`.
 */
export interface KakaoStart {
  url: string;
  state: string;
}
