/**
 * Access tokens: HS256 JWTs (the algorithm is pinned on both sides; `none` and every other algorithm are
 * rejected), short-lived, with claims sub (user id), site (site id), roles, kind and typ=access.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SiteRole, UserKind } from '@synctalk/sdk';
import type { Config } from '../config.js';
import { VerifiedTokens } from './verified-tokens.js';

export const ISSUER = 'synctalk';

const keys = new Map<string, KeyObject>();

/**
 * The HMAC key as a KeyObject. Given a plain string, jsonwebtoken first tries to parse it as a PEM public
 * key on every call (about 0.4 ms); a secret KeyObject skips that on the hot path of every request.
 */
export function signingKey(config: Config): KeyObject {
  const secret = config.auth.jwtSecret;
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}
export const ALGORITHM = 'HS256';

export interface AccessClaims {
  sub: string;
  site: string;
  roles: SiteRole[];
  kind: UserKind;
  typ: 'access';
  iat: number;
  exp: number;
}

/** The authenticated user of a request or socket, from a verified access token. */
export interface AuthUser {
  id: string;
  siteId: string;
  roles: SiteRole[];
  kind: UserKind;
  /** Expiry of the token, seconds since the epoch. */
  exp: number;
}

export function signAccessToken(
  config: Config,
  user: { id: string; siteId: string; roles: SiteRole[]; kind: UserKind },
): { token: string; expiresIn: number } {
  const expiresIn = Math.round(config.auth.accessTtlSeconds);
  const token = jwt.sign(
    { site: user.siteId, roles: user.roles, kind: user.kind, typ: 'access' },
    signingKey(config),
    {
      algorithm: ALGORITHM,
      subject: user.id,
      issuer: ISSUER,
      expiresIn,
    },
  );
  return { token, expiresIn };
}

export function verifyOptions(): jwt.VerifyOptions {
  return { algorithms: [ALGORITHM], issuer: ISSUER };
}

/** Checks the decoded payload is one of our access tokens and returns the user it names. */
export function claimsToUser(payload: unknown): AuthUser | undefined {
  const p = payload as Partial<AccessClaims> | undefined;
  if (!p || p.typ !== 'access' || typeof p.sub !== 'string' || typeof p.site !== 'string') return undefined;
  if (!Array.isArray(p.roles) || typeof p.kind !== 'string' || typeof p.exp !== 'number') return undefined;
  return { id: p.sub, siteId: p.site, roles: p.roles, kind: p.kind, exp: p.exp };
}

/**
 * The payload of `token` decoded WITHOUT checking the signature, or undefined when it is not a JWT with a
 * JSON object payload. Never throws, whatever the input. Only for choosing things a verified token must
 * then confirm (e.g. which site a request is for).
 */
export function unverifiedClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload: unknown = jwt.decode(token, { json: true });
    return payload !== null && typeof payload === 'object' && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    // jsonwebtoken throws on a payload that is not JSON (e.g. `{"alg":"HS256"}.bm90anNvbg.x`).
    return undefined;
  }
}

/** The access tokens this process verified (see verified-tokens.ts). */
export const verifiedTokens = new VerifiedTokens<AuthUser>();

export type VerifyResult = { ok: true; user: AuthUser } | { ok: false; reason: 'expired' | 'invalid' };

/**
 * Verifies an access token outside HTTP (e.g. the socket handshake). A token this process verified before is
 * not verified again (see verified-tokens.ts); its expiry still is checked.
 */
export function verifyAccessToken(config: Config, token: string): VerifyResult {
  const key = signingKey(config);
  const known = verifiedTokens.get(token, key);
  if (known) return 'user' in known ? { ok: true, user: known.user } : { ok: false, reason: 'expired' };
  try {
    const payload = jwt.verify(token, key, verifyOptions());
    const user = claimsToUser(payload);
    if (!user) return { ok: false, reason: 'invalid' };
    verifiedTokens.add(token, key, user);
    return { ok: true, user };
  } catch (error) {
    return { ok: false, reason: error instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
  }
}
