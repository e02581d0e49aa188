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
