/**
 * Authentication and authorisation for HTTP. koa-jwt verifies the access token from the `Authorization:
 * Bearer` header or the httpOnly cookie, once per token and node (verified-tokens.ts); this module turns its outcome into `ctx.state.user` or one of our
 * errors, checks the token belongs to the request's site, and provides `requireRole`.
 */
import type Koa from 'koa';
import koaJwt from 'koa-jwt';
import jwt from 'jsonwebtoken';
import type { SiteRole } from '@synctalk/sdk';
import { API_KEY_PREFIX } from '@synctalk/sdk/schemas';
import type { Config } from '../config.js';
import { AppError } from '../platform/errors.js';
import { currentSite } from '../sites/site-context.js';
import { ACCESS_COOKIE, bearerToken } from './request-token.js';
import { ALGORITHM, claimsToUser, ISSUER, signingKey, verifiedTokens, type AuthUser } from './tokens.js';

export function currentUser(ctx: Koa.Context): AuthUser {
  const user = ctx.state.user as AuthUser | undefined;
  if (!user) throw new AppError('unauthorized', 'Authentication required');
  return user;
}

/** Lets the request through as `user` when the token's site is the request's. */
async function admit(ctx: Koa.Context, user: AuthUser, next: Koa.Next): Promise<void> {
  if (user.siteId !== currentSite(ctx).id) {
    throw new AppError('unauthorized', 'The access token belongs to another site');
  }
  ctx.state.user = user;
  await next();
}

export function authMiddleware(config: Config) {
  const key = signingKey(config);
  // passthrough: koa-jwt never throws; we decide below, so every failure has our error shape.
  const verify = koaJwt({
    secret: key as unknown as string,
    algorithms: [ALGORITHM],
    issuer: ISSUER,
    key: 'jwt',
    cookie: ACCESS_COOKIE,
    passthrough: true,
    getToken: (ctx) => bearerToken(ctx as unknown as Koa.Context),
  } as koaJwt.Options);

  const authenticate =
    (required: boolean): Koa.Middleware =>
    async (ctx, next) => {
      // The token koa-jwt takes: ours (the Bearer header) first, else the cookie.
      const token = bearerToken(ctx) ?? ctx.cookies.get(ACCESS_COOKIE);
      if (!token) {
        if (required) throw new AppError('unauthorized', 'Authentication required');
        return next();
      }
      // A site API key is for the server API only (server-api/api-key-auth.ts), never a user's routes.
      if (token.startsWith(API_KEY_PREFIX)) {
        throw new AppError('unauthorized', "A site API key is not accepted here: use a user's access token");
      }
      // A token this node verified before is not verified again (see verified-tokens.ts).
      const known = verifiedTokens.get(token, key);
      if (known) {
        if (!('user' in known)) throw new AppError('token_expired', 'The access token expired');
        return admit(ctx, known.user, next);
      }
      try {
        await verify(ctx, async () => undefined);
      } catch {
        // passthrough keeps koa-jwt from throwing; should a token still make it, it is the client's fault.
        throw new AppError('unauthorized', 'Invalid access token');
      }
      const failure = ctx.state.jwtOriginalError as Error | undefined;
      if (failure) {
        if (failure instanceof jwt.TokenExpiredError)
          throw new AppError('token_expired', 'The access token expired');
        throw new AppError('unauthorized', 'Invalid access token');
      }
      const user = claimsToUser(ctx.state.jwt);
      if (!user) throw new AppError('unauthorized', 'Invalid access token');
      verifiedTokens.add(token, key, user);
      return admit(ctx, user, next);
    };

  return { requireAuth: authenticate(true), optionalAuth: authenticate(false) };
}

/** Allows the request only when the user has one of `roles` (site-wide roles). */
export function requireRole(...roles: SiteRole[]): Koa.Middleware {
  return async (ctx, next) => {
    const user = currentUser(ctx);
    if (!user.roles.some((r) => roles.includes(r))) {
      throw new AppError('forbidden', `Requires ${roles.join(' or ')}`);
    }
    await next();
  };
}

export function hasRole(user: AuthUser, role: SiteRole): boolean {
  return user.roles.includes(role);
}
