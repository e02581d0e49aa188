/**
 * Sign-in sessions: an access token plus a rotating refresh token. Every sign-in path (password, Kakao, site
 * token, guest) ends in `issue()`. Refresh tokens are single-use: presenting one that was already rotated
 * means it leaked, and the whole family (every descendant of that sign-in) is revoked.
 *
 * Except within the grace window (`JWT_REFRESH_GRACE`, counted from the rotation and never extended): the
 * same token presented again then gets the same successor back, with a fresh access token for the same
 * session, so parallel refreshes from several tabs or a retried request do not sign the user out. That
 * holds only while the successor is the live head of the family; the successor is kept encrypted on the
 * rotated row for the window and cleared afterwards.
 */
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type { AuthResponse } from '@synctalk/sdk';
import { decrypt, deriveKey, encrypt, randomToken, sha256 } from '../platform/crypto.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { ACCESS_COOKIE } from './request-token.js';
import {
  refreshTokensRepository,
  type RefreshTokenRecord,
  type RefreshTokensRepository,
} from './refresh-tokens.repository.js';
import { signAccessToken } from './tokens.js';
import { publicUser, usersRepository, type UserRecord } from './users.repository.js';

/** How a refresh went, decided under the row lock; errors are thrown after the transaction commits. */
type RefreshOutcome =
  | { kind: 'rotated' | 'repeated'; refreshToken: string }
  | { kind: 'invalid' }
  | { kind: 'reused'; familyId: string };

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
  const graceMs = Math.round(config.auth.refreshGraceSeconds * 1000);
  const graceKey = deriveKey(config.auth.secretsKey, 'refresh-grace');

  /**
   * The successor kept on rotated row `rotated`, when its grace window is still open and the successor is
   * still the live head of the family (not rotated, revoked or expired itself).
   */
  async function successorWithinGrace(
    tx: RefreshTokensRepository,
    rotated: RefreshTokenRecord,
    now: number,
  ): Promise<string | undefined> {
    if (rotated.successorSealed === null || rotated.graceUntil === null) return undefined;
    if (rotated.graceUntil.getTime() <= now || rotated.replacedBy === null) return undefined;
    const successor = await tx.findById(rotated.replacedBy);
    if (!successor || successor.replacedBy !== null || successor.revokedAt !== null) return undefined;
    if (successor.expiresAt.getTime() <= now) return undefined;
    let token: string;
    try {
      token = decrypt(graceKey, rotated.successorSealed);
    } catch {
      return undefined; // sealed under another SECRETS_KEY: treat as reuse
    }
    return sha256(token) === successor.tokenHash ? token : undefined;
  }

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

    /**
     * Exchanges a refresh token for a new pair. A repeat of a token rotated less than the grace window ago
     * answers the same new refresh token; any other rotated token revokes its family.
     */
    async refresh(siteId: string, refreshToken: string): Promise<AuthResponse> {
      const invalid = () => new AppError('unauthorized', 'Invalid or expired refresh token');
      const record = await tokens.findByHash(sha256(refreshToken));
      if (!record) throw invalid();
      const user = await users.findById(siteId, record.userId);
      if (!user) throw invalid(); // another site's token, or the user is gone

      // Under the row lock, so parallel refreshes of one token line up: the first rotates, the rest repeat.
      const outcome = await tokens.transaction(async (tx): Promise<RefreshOutcome> => {
        const current = await tx.lockById(record.id);
        if (!current) return { kind: 'invalid' };
        const now = Date.now();
        if (current.replacedBy === null) {
          if (current.revokedAt !== null || current.expiresAt.getTime() <= now) return { kind: 'invalid' };
          const next = randomToken(32);
          const successor = await tx.insert({
            userId: user.id,
            familyId: current.familyId,
            tokenHash: sha256(next),
            expiresAt: expiry(),
          });
          await tx.markRotated(current.id, successor.id, {
            successorSealed: encrypt(graceKey, next),
            graceUntil: new Date(now + graceMs),
          });
          return { kind: 'rotated', refreshToken: next };
        }
        const repeated = await successorWithinGrace(tx, current, now);
        if (repeated) return { kind: 'repeated', refreshToken: repeated };
        await tx.revokeFamily(current.familyId);
        return { kind: 'reused', familyId: current.familyId };
      });

      switch (outcome.kind) {
        case 'invalid':
          throw invalid();
        case 'reused':
          // A rotated token came back outside its grace window: someone holds a copy. The family is revoked.
          deps.logger.warn(
            { userId: user.id, familyId: outcome.familyId },
            'refresh token reuse: family revoked',
          );
          throw invalid();
        case 'repeated':
          deps.logger.debug({ userId: user.id }, 'refresh token repeated within the grace window');
          return respond(user, outcome.refreshToken);
        case 'rotated':
          await tokens.clearEndedGraceWindows(new Date()).catch((error: unknown) => {
            deps.logger.warn({ err: error }, 'could not clear ended refresh grace windows');
          });
          return respond(user, outcome.refreshToken);
      }
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
