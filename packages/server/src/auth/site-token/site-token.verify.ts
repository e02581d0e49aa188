/**
 * Site tokens: a site's backend vouches for one of its users by signing a short-lived JWT with the site's
 * secret. This module checks one, with nothing but the secret, the site's public id and the clock:
 *
 * - header `alg` HS256 (nothing else, `none` included), signature by `secret`;
 * - `site` = the site's public id (a token minted for another site is refused even if the secrets matched);
 * - `sub` the site's own user id, 1–128 characters; `jti` 1–128 characters (the caller refuses replays);
 * - `iat` and `exp` present, `iat` not in the future and `exp` not past (60 s of clock skew either way),
 *   `exp - iat` at most 24 hours;
 * - optional `name` (a display name) and `avatar` (an http(s) URL, or null to remove it).
 *
 * Every failure, however malformed the token, is a 401 `unauthorized` whose message names the check.
 */
import jwt from 'jsonwebtoken';
import { AppError } from '../../platform/errors.js';
import { displayName, httpUrl } from '@synctalk/sdk/schemas';

export const SITE_TOKEN_SKEW_S = 60;
export const SITE_TOKEN_MAX_LIFETIME_S = 24 * 60 * 60;
export const EXTERNAL_ID_MAX = 128;

export interface SiteTokenClaims {
  /** The site's own id for the user. */
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  /** Display name, when the token sets one. */
  name?: string;
  /** Avatar URL; `null` removes it, undefined keeps it. */
  avatar?: string | null;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

const reject = (why: string) => new AppError('unauthorized', `Site token rejected: ${why}`);

function identifier(value: unknown, claim: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw reject(`claim "${claim}" is required (a string)`);
  if (value.length > EXTERNAL_ID_MAX)
    throw reject(`claim "${claim}" must be at most ${EXTERNAL_ID_MAX} characters`);
  if (CONTROL.test(value)) throw reject(`claim "${claim}" must not contain control characters`);
  return value;
}

/**
 * Verifies `token` for the site `sitePublicId` whose secret is `secret`, at `nowSeconds`.
 * Returns the claims; throws `unauthorized` naming the failed check.
 */
export function verifySiteToken(
  token: string,
  site: { publicId: string; secret: string },
  nowSeconds = Math.floor(Date.now() / 1000),
): SiteTokenClaims {
  let decoded: jwt.Jwt | null;
  try {
    // Throws, rather than answering null, for a `typ: JWT` header over a payload that is not JSON.
    decoded = jwt.decode(token, { complete: true });
  } catch {
    decoded = null;
  }
  if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null) {
    throw reject('not a well-formed JWT');
  }
  if (decoded.header.alg !== 'HS256') {
    throw reject(`must be signed with HS256 (this one says ${String(decoded.header.alg).slice(0, 20)})`);
  }
  // Checked before the signature so a token meant for another site says so, instead of "bad signature".
  const claimedSite = (decoded.payload as { site?: unknown }).site;
  if (claimedSite !== site.publicId) {
    throw reject(
      typeof claimedSite === 'string'
        ? 'it was issued for another site (claim "site" must be this site\'s public id)'
        : 'claim "site" (the site\'s public id) is required',
    );
  }

  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, site.secret, {
      algorithms: ['HS256'],
      clockTolerance: SITE_TOKEN_SKEW_S,
      clockTimestamp: nowSeconds,
    }) as jwt.JwtPayload;
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw reject('it expired');
    if (error instanceof jwt.NotBeforeError) throw reject('it is not valid yet (nbf)');
    if ((error as Error).message === 'invalid signature') {
      throw reject(
        "the signature does not match this site's secret (altered, or signed with another secret)",
      );
    }
    throw reject('not a well-formed JWT');
  }

  const { iat, exp } = payload;
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    throw reject('claim "iat" (issued at, seconds) is required');
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw reject('claim "exp" (expiry, seconds) is required');
  if (iat > nowSeconds + SITE_TOKEN_SKEW_S) throw reject('it is issued in the future (check the clock)');
  if (exp <= iat) throw reject('"exp" must be after "iat"');
  if (exp - iat > SITE_TOKEN_MAX_LIFETIME_S) throw reject('its lifetime (exp - iat) is longer than 24 hours');

  const claims: SiteTokenClaims = {
    sub: identifier(payload.sub, 'sub'),
    jti: identifier(payload.jti, 'jti'),
    iat,
    exp,
  };
  const raw = payload as Record<string, unknown>;
  if (raw.name !== undefined && raw.name !== null) {
    const name = displayName.safeParse(raw.name);
    if (!name.success) throw reject(`claim "name" ${name.error.issues[0]?.message ?? 'is invalid'}`);
    claims.name = name.data;
  }
  if (raw.avatar === null) claims.avatar = null;
  else if (raw.avatar !== undefined) {
    const avatar = httpUrl.safeParse(raw.avatar);
    if (!avatar.success) throw reject(`claim "avatar" ${avatar.error.issues[0]?.message ?? 'is invalid'}`);
    claims.avatar = avatar.data;
  }
  return claims;
}
