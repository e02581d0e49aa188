/**
 * Which site (tenant) a request belongs to, set as `ctx.state.site`:
 *
 * 1. the `X-SyncTalk-Site` header (a site's public id), when present: an unknown one is a 404;
 * 2. otherwise the site named in the access token (Bearer header, else the access cookie), so a client
 *    holding a token need not repeat the header;
 * 3. otherwise the default site.
 *
 * A site API key (`stk_…`, not a JWT) names no site here; routes that take one (`auth: 'apiKey'` or
 * `'siteAdmin'`, server-api/api-key-auth.ts) then make the key's own site the request's site, and refuse a
 * header naming another.
 *
 * The token is only decoded here, not verified: it merely picks the tenant. Authentication verifies it later
 * and refuses a token whose site is not the request's site, so a forged claim gains nothing that sending
 * the header would not.
 */
import type Koa from 'koa';
import { ACCESS_COOKIE, bearerToken } from '../auth/request-token.js';
import { unverifiedClaims, verifiedTokens } from '../auth/tokens.js';
import { AppError } from '../platform/errors.js';
import type { Site, SitesRepository } from './sites.repository.js';
import { PUBLIC_ID } from './sites.schemas.js';

export const SITE_HEADER = 'x-synctalk-site';

/** The request's site. Throws when `siteContext()` did not run (a wiring bug, hence a plain Error). */
export function currentSite(ctx: Koa.Context): Site {
  const site = ctx.state.site as Site | undefined;
  if (!site) throw new Error('site context missing: siteContext() must run first');
  return site;
}

/** The internal site id claimed by the request's access token, if any (unverified). */
function tokenSiteId(ctx: Koa.Context): string | undefined {
  const token = bearerToken(ctx) ?? ctx.cookies.get(ACCESS_COOKIE);
  if (!token) return undefined;
  // A token verified before names its site without being decoded again.
  const site = verifiedTokens.siteOf(token) ?? unverifiedClaims(token)?.site;
  return typeof site === 'string' && /^[1-9]\d{0,17}$/.test(site) ? site : undefined;
}

/** Sets `ctx.state.site` for every request under `/v1`. */
export function siteContext(
  repo: Pick<SitesRepository, 'findById' | 'findByPublicId' | 'findDefault'>,
): Koa.Middleware {
  return async (ctx, next) => {
    const publicId = ctx.get(SITE_HEADER);
    let site: Site | undefined;
    if (publicId) {
      site = PUBLIC_ID.test(publicId) ? await repo.findByPublicId(publicId) : undefined;
      if (!site) throw new AppError('not_found', `Unknown site "${publicId.slice(0, 80)}"`);
    } else {
      const fromToken = tokenSiteId(ctx);
      // A token naming a site that no longer exists falls through to the default site, where
      // authentication then refuses it (wrong site) rather than this answering "unknown site".
      if (fromToken) site = await repo.findById(fromToken);
      site ??= await repo.findDefault();
      if (!site) throw new AppError('unavailable', 'No default site exists yet');
    }
    ctx.state.site = site;
    await next();
  };
}
