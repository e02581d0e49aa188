/**
 * Platform administrators: the `ROLE_ADMIN` users of the default site. They administer every site
 * (`/v1/admin/*`); the admins of any other site administer only their own (`/v1/site`).
 */
import type Koa from 'koa';
import { currentUser } from '../auth/guard.js';
import { AppError } from '../platform/errors.js';
import { currentSite } from './site-context.js';

/**
 * Allows the request only for a `ROLE_ADMIN` of the default site. Runs after authentication, which has
 * already checked that the token belongs to the request's site.
 */
export function requirePlatformAdmin(): Koa.Middleware {
  return async (ctx, next) => {
    const user = currentUser(ctx);
    const site = currentSite(ctx);
    if (!site.isDefault || user.siteId !== site.id || !user.roles.includes('ROLE_ADMIN')) {
      throw new AppError('forbidden', 'Requires a platform admin (ROLE_ADMIN of the default site)');
    }
    await next();
  };
}
