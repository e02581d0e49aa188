/**
 * CORS by site. A preflight does not say which site it is for (browsers send no custom headers with it), so
 * it is answered for any origin some site allows; the real request is then checked against its own site's
 * allowed origins, and an Origin that site does not allow is refused with 403 `origin_not_allowed` before
 * anything runs. Requests without an Origin (server to server, curl) are not browser cross-origin requests
 * and pass, and so do requests from the server's own origin (pages it serves, like the demo page) for every
 * site.
 */
import type Koa from 'koa';
import { AppError } from '../platform/errors.js';
import { isOwnOrigin, type OwnOriginOptions } from '../platform/own-origin.js';
import { currentSite } from './site-context.js';
import type { SitesRepository } from './sites.repository.js';

export const ALLOWED_HEADERS = 'Authorization, Content-Type, X-SyncTalk-Site, X-Request-Id';
export const EXPOSED_HEADERS = 'Authorization, X-Request-Id, Retry-After';
export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
/** Seconds browsers may reuse a preflight answer. */
export const PREFLIGHT_MAX_AGE = 600;

export interface PreflightOptions {
  /**
   * How long an origin found allowed is remembered (ms). Only positive answers are cached: a site created or
   * updated a moment ago is honoured at once, and an origin removed since still meets the per-site check on
   * the real request, so a stale "yes" here grants nothing.
   */
  cacheMs?: number;
  /** Bound on remembered origins. */
  cacheSize?: number;
  /** How to tell the server's own origin (always allowed). */
  self?: OwnOriginOptions;
}

/** Answers preflights (OPTIONS with Access-Control-Request-Method). Runs before the site is known. */
export function corsPreflight(
  repo: Pick<SitesRepository, 'anySiteAllows'>,
  options: PreflightOptions = {},
): Koa.Middleware {
  const cacheMs = options.cacheMs ?? 30_000;
  const cacheSize = options.cacheSize ?? 1000;
  const allowed = new Map<string, number>(); // origin → when it was found allowed

  async function isAllowed(origin: string): Promise<boolean> {
    const at = allowed.get(origin);
    if (at !== undefined && Date.now() - at <= cacheMs) return true;
    const ok = await repo.anySiteAllows(origin);
    if (ok) {
      if (allowed.size >= cacheSize) allowed.clear();
      allowed.set(origin, Date.now());
    } else {
      allowed.delete(origin);
    }
    return ok;
  }

  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (ctx.method !== 'OPTIONS' || !origin || !ctx.get('access-control-request-method')) return next();
    ctx.vary('Origin');
    const own = options.self !== undefined && isOwnOrigin(origin, ctx.req, options.self);
    if (!own && !(await isAllowed(origin))) {
      ctx.status = 403;
      ctx.body = new AppError('origin_not_allowed', `Origin ${origin.slice(0, 200)} is not allowed`).toBody();
      return;
    }
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Access-Control-Allow-Credentials', 'true');
    ctx.set('Access-Control-Allow-Methods', ALLOWED_METHODS);
    ctx.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    ctx.set('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE));
    ctx.status = 204;
  };
}

/**
 * Checks a request's Origin against its site (the server's own origin passes for every site, told by
 * `self`). Runs after the site is known.
 */
export function corsForSite(self?: OwnOriginOptions): Koa.Middleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    if (origin) {
      const site = currentSite(ctx);
      const own = self !== undefined && isOwnOrigin(origin, ctx.req, self);
      if (!own && !site.allowedOrigins.includes(origin)) {
        throw new AppError(
          'origin_not_allowed',
          `Origin ${origin.slice(0, 200)} is not allowed for this site`,
        );
      }
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    await next();
  };
}
