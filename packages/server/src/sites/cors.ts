/**
 * CORS by site. A preflight does not say which site it is for, so it is answered for any origin some site
 * allows; the real request is then checked against its own site's allowed origins, and an Origin that site
 * does not allow is refused with 403 `origin_not_allowed` before anything runs.
 */
import type Koa from 'koa';
import { AppError } from '../platform/errors.js';
import { currentSite } from './site-context.js';
import type { SitesRepository } from './sites.repository.js';

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-SyncTalk-Site, X-Request-Id';
const EXPOSED_HEADERS = 'Authorization, X-Request-Id, Retry-After';
const METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/** Answers preflights (OPTIONS with Access-Control-Request-Method). Runs before the site is known. */
export function corsPreflight(repo: SitesRepository, cacheMs = 5000): Koa.Middleware {
  let cached: { at: number; origins: Set<string> } | undefined;
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (ctx.method !== 'OPTIONS' || !origin || !ctx.get('access-control-request-method')) return next();
    if (!cached || Date.now() - cached.at > cacheMs) {
      cached = { at: Date.now(), origins: new Set(await repo.allOrigins()) };
    }
    ctx.vary('Origin');
    if (!cached.origins.has(origin)) {
      ctx.status = 403;
      ctx.body = new AppError('origin_not_allowed', `Origin ${origin} is not allowed`).toBody();
      return;
    }
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    ctx.set('Access-Control-Allow-Methods', METHODS);
    ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    ctx.set('Access-Control-Max-Age', '600');
    ctx.status = 204;
  };
}

/** Checks a request's Origin against its site. Runs after the site is known. */
export function corsForSite(): Koa.Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    if (origin) {
      const site = currentSite(ctx);
      if (!site.allowedOrigins.includes(origin)) {
        throw new AppError('origin_not_allowed', `Origin ${origin} is not allowed for this site`);
      }
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    await next();
  };
}
