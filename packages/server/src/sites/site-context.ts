/**
 * Which site (tenant) a request belongs to: the site in the access token when there is one, otherwise the
 * `X-SyncTalk-Site` header (a site's public id), otherwise the default site. Sets `ctx.state.site`.
 */
import type Koa from 'koa';
import { AppError } from '../platform/errors.js';
import type { Site, SitesRepository } from './sites.repository.js';

export const SITE_HEADER = 'x-synctalk-site';

export function currentSite(ctx: Koa.Context): Site {
  const site = ctx.state.site as Site | undefined;
  if (!site) throw new Error('site context missing: siteContext() must run first');
  return site;
}

export function siteContext(repo: SitesRepository): Koa.Middleware {
  return async (ctx, next) => {
    const publicId = ctx.get(SITE_HEADER);
    let site: Site | undefined;
    if (publicId) {
      site = /^st_[A-Za-z0-9]{1,64}$/.test(publicId) ? await repo.findByPublicId(publicId) : undefined;
      if (!site) throw new AppError('not_found', `Unknown site "${publicId.slice(0, 80)}"`);
    } else {
      site = await repo.findDefault();
      if (!site) throw new AppError('unavailable', 'No default site exists yet');
    }
    ctx.state.site = site;
    await next();
  };
}
