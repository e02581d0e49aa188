/**
 * Sign-in sessions: an access token plus a rotating refresh token. Every sign-in path (password, Kakao, site
 * token, guest) ends in `issue()`. Refresh tokens are single-use: presenting one that was already rotated
 * means it leaked, and the whole family (every descendant of that sign-in) is revoked.
 */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { AuthResponse } from '@synctalk/sdk';
import { randomToken, sha256 } from '../platform/crypto.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { ACCESS_COOKIE } from './guard.js';
import { refreshTokensRepository } from './refresh-tokens.repository.js';
import { signAccessToken } from './tokens.js';
import { publicUser, usersRepository, type UserRecord } from './users.repository.js';

export function sessions(deps: Deps) {
  const tokens = refreshTokensRepository(deps.db);
  const users = usersRepository(deps.db);
  const { config } = deps;
  const refreshTtl = config.auth.refreshTtlSeconds;

  function respond(user: UserRecord, refreshToken: string): AuthResponse {
    const { token, expiresIn } = signAccessToken(config, user);
    return {
      tokenType: 'Bearer',
      accessToken: token,
      expiresIn,
      refreshToken,
      refreshExpiresIn: Math.round(refreshTtl),
      user: publicUser(user),
    };
  }

  const expiry = () => new Date(Date.now() + refreshTtl * 1000);

  return {
    /** Starts a new session (a new refresh-token family) for `user`. */
    async issue(user: UserRecord): Promise<AuthResponse> {
      const refreshToken = randomToken(32);
      await tokens.insert({
        userId: user.id,
        familyId: randomUUID(),
        tokenHash: sha256(refreshToken),
        expiresAt: expiry(),
      });
      return respond(user, refreshToken);
    },

    /** Exchanges a refresh token for a new pair. */
    async refresh(siteId: string, refreshToken: string): Promise<AuthResponse> {
      const invalid = () => new AppError('unauthorized', 'Invalid or expired refresh token');
      const record = await tokens.findByHash(sha256(refreshToken));
      if (!record) throw invalid();
      const user = await users.findById(siteId, record.userId);
      if (!user) throw invalid(); // another site's token, or the user is gone
      if (record.replacedBy !== null) {
        // A rotated token came back: someone holds a copy. End every session descending from it.
        await tokens.revokeFamily(record.familyId);
        deps.logger.warn(
          { userId: user.id, familyId: record.familyId },
          'refresh token reuse: family revoked',
        );
        throw invalid();
      }
      if (record.revokedAt !== null || record.expiresAt.getTime() <= Date.now()) throw invalid();
      const next = randomToken(32);
      const successor = await tokens.rotate(record.id, {
        userId: user.id,
        familyId: record.familyId,
        tokenHash: sha256(next),
        expiresAt: expiry(),
      });
      if (!successor) {
        // Lost a race with another refresh of the same token: treat as reuse.
        await tokens.revokeFamily(record.familyId);
        throw invalid();
      }
      return respond(user, next);
    },

    /** Revokes the refresh token's family (this device's session). Unknown tokens are ignored. */
    async logout(siteId: string, refreshToken: string): Promise<void> {
      const record = await tokens.findByHash(sha256(refreshToken));
      if (!record) return;
      const user = await users.findById(siteId, record.userId);
      if (user) await tokens.revokeFamily(record.familyId);
    },

    revokeAll: (userId: string) => tokens.revokeAllForUser(userId),
  };
}

export type Sessions = ReturnType<typeof sessions>;

/** Sets the `Authorization` response header and the httpOnly access cookie, as the original API did. */
export function attachAccessToken(ctx: Koa.Context, config: Deps['config'], auth: AuthResponse): void {
  ctx.set('Authorization', `Bearer ${auth.accessToken}`);
  // Secure in production. Behind a TLS-terminating proxy Koa may not see https; the flag is set anyway.
  if (config.env === 'production') ctx.cookies.secure = true;
  ctx.cookies.set(ACCESS_COOKIE, auth.accessToken, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.env === 'production',
    maxAge: auth.expiresIn * 1000,
    path: '/',
    overwrite: true,
  });
}

/** Expires the access cookie, with the attributes it was set with (Secure in production). */
export function clearAccessCookie(ctx: Koa.Context, config?: Deps['config']): void {
  const secure = config?.env === 'production';
  if (secure) ctx.cookies.secure = true;
  ctx.cookies.set(ACCESS_COOKIE, '', {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    maxAge: 0,
    path: '/',
    overwrite: true,
  });
}
