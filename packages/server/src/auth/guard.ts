/**
 * Authentication and authorisation for HTTP. koa-jwt verifies the access token from the `Authorization:
 * Bearer` header or the httpOnly cookie; this module turns its outcome into `ctx.state.user` or one of our
 * errors, checks the token belongs to the request's site, and provides `requireRole`.
 */
import type Koa from 'koa';
import koaJwt from 'koa-jwt';
import jwt from 'jsonwebtoken';
import type { SiteRole } from '@synctalk/sdk';
import type { Config } from '../config.js';
import { AppError } from '../platform/errors.js';
import { currentSite } from '../sites/site-context.js';
import { ACCESS_COOKIE, bearerToken } from './request-token.js';
import { ALGORITHM, claimsToUser, ISSUER, signingKey, type AuthUser } from './tokens.js';

export function currentUser(ctx: Koa.Context): AuthUser {
  const user = ctx.state.user as AuthUser | undefined;
  if (!user) throw new AppError('unauthorized', 'Authentication required');
  return user;
}

export function authMiddleware(config: Config) {
  // passthrough: koa-jwt never throws; we decide below, so every failure has our error shape.
  const verify = koaJwt({
    secret: signingKey(config) as unknown as string,
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
      const hasToken = bearerToken(ctx) !== null || Boolean(ctx.cookies.get(ACCESS_COOKIE));
      if (!hasToken) {
        if (required) throw new AppError('unauthorized', 'Authentication required');
        return next();
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
      if (user.siteId !== currentSite(ctx).id) {
        throw new AppError('unauthorized', 'The access token belongs to another site');
      }
      ctx.state.user = user;
      await next();
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
