/**
 * Where an HTTP request carries its access token: the `Authorization: Bearer` header, or the httpOnly access
 * cookie set at sign-in. Shared by authentication (`guard.ts`, which verifies the token) and the site context
 * (`site-context.ts`, which only reads the site it names), so neither has to import the other.
 */
import type Koa from 'koa';

/** The name of the httpOnly cookie holding the access token for browser sessions. */
export const ACCESS_COOKIE = 'synctalk_access';

/** The token of the request's `Authorization: Bearer <token>` header, or null without one. */
export function bearerToken(ctx: Koa.Context): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  return match ? match[1]! : null;
}
