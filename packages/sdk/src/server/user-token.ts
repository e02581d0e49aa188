/**
 * Site tokens, minted by a site's own backend: the way a site tells SyncTalk "this visitor is my user X".
 * An HS256 JWT signed with the site's secret, made with node:crypto alone (no dependency).
 */
import { createHmac, randomBytes } from 'node:crypto';

/**
 * The longest lifetime SyncTalk accepts for a site token: 24 hours.
 *
 * @example
 * ```ts
 * const token = createUserToken({ siteId, siteSecret, userId: '42', expiresIn: MAX_USER_TOKEN_LIFETIME });
 * ```
 */
export const MAX_USER_TOKEN_LIFETIME = 24 * 60 * 60;

/**
 * The default lifetime: one hour. Tokens are exchanged at once, so short is fine.
 *
 * @example
 * ```ts
 * createUserToken({ siteId, siteSecret, userId: '42' }); // valid for one hour
 * createUserToken({ siteId, siteSecret, userId: '42', expiresIn: DEFAULT_USER_TOKEN_LIFETIME }); // the same
 * ```
 */
export const DEFAULT_USER_TOKEN_LIFETIME = 60 * 60;

/**
 * The options of `createUserToken`: your site's id and secret, and which of your users the token is for.
 *
 * @example
 * ```ts
 * const options: CreateUserTokenOptions = { siteId: 'st_AbC123', siteSecret, userId: '42', name: 'Ann' };
 * const token = createUserToken(options);
 * ```
 */
export interface CreateUserTokenOptions {
  /** The site's public id (`st_…`), as shown in the site's settings. */
  siteId: string;
  /** The site's signing secret (`sts_…`). Keep it on your server; never ship it to browsers. */
  siteSecret: string;
  /** Your own, stable id for the user (1–128 characters). The same id always means the same SyncTalk user. */
  userId: string;
  /** Display name to show in chat (1–64 characters); updates the user's name on every sign-in that sets it. */
  name?: string;
  /** Avatar URL (http or https); `null` removes the avatar, leaving it out keeps the current one. */
  avatarUrl?: string | null;
  /** Lifetime in seconds: default 3600 (1 hour), at most 86400 (24 hours). */
  expiresIn?: number;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * Creates a site token for one of your users. Your backend calls this for a signed-in visitor and hands the
 * token to the page, which exchanges it (once) at `POST /v1/auth/site-token` for a SyncTalk session.
 *
 * Each token has a random `jti` and can be exchanged only once; mint a new one for each sign-in.
 *
 * @throws TypeError when an option is missing or malformed, RangeError when `expiresIn` is out of range.
 *
 * @example
 * ```ts
 * import { createUserToken } from '@synctalk/sdk/server';
 *
 * app.get('/chat-token', requireLogin, (req, res) => {
 *   const token = createUserToken({
 *     siteId: process.env.SYNCTALK_SITE_ID!,
 *     siteSecret: process.env.SYNCTALK_SITE_SECRET!,
 *     userId: String(req.user.id),
 *     name: req.user.displayName,
 *     avatarUrl: req.user.avatarUrl ?? undefined,
 *     expiresIn: 300,
 *   });
 *   res.json({ token });
 * });
 * // In the page: POST {token} to https://chat.example.com/v1/auth/site-token
 * // with the header X-SyncTalk-Site: <siteId>.
 * ```
 */
export function createUserToken(options: CreateUserTokenOptions): string {
  const { siteId, siteSecret, userId, name, avatarUrl } = options;
  if (typeof siteId !== 'string' || !/^st_[A-Za-z0-9]{1,64}$/.test(siteId)) {
    throw new TypeError('siteId must be the site public id, like "st_AbC123…"');
  }
  if (typeof siteSecret !== 'string' || siteSecret.length === 0) {
    throw new TypeError('siteSecret is required');
  }
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 128) {
    throw new TypeError('userId must be a string of 1 to 128 characters');
  }
  if (name !== undefined && (typeof name !== 'string' || name.trim().length === 0)) {
    throw new TypeError('name must be a non-empty string when given');
  }
  if (avatarUrl !== undefined && avatarUrl !== null && typeof avatarUrl !== 'string') {
    throw new TypeError('avatarUrl must be a URL string or null');
  }
  const expiresIn = options.expiresIn ?? DEFAULT_USER_TOKEN_LIFETIME;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_USER_TOKEN_LIFETIME) {
    throw new RangeError(`expiresIn must be a whole number of seconds from 1 to ${MAX_USER_TOKEN_LIFETIME}`);
  }

  const iat = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    sub: userId,
    site: siteId,
    iat,
    exp: iat + expiresIn,
    jti: randomBytes(16).toString('base64url'),
  };
  if (name !== undefined) payload.name = name;
  if (avatarUrl !== undefined) payload.avatar = avatarUrl;

  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createHmac('sha256', siteSecret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
