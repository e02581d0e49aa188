/**
 * Site administration over HTTP.
 *
 * - `/v1/admin/sites…`: platform admins (ROLE_ADMIN of the default site) create, list, read, update and
 *   rotate the secret of every site.
 * - `/v1/site…`: a site's own ROLE_ADMIN reads and updates that site and rotates its secret.
 * - `GET /v1/site/public`: what a widget needs before anyone signs in.
 *
 * A site's signing secret appears only in the answers to creation and rotation; it is stored encrypted and
 * never logged.
 */
import type Koa from 'koa';
import { currentUser, requireRole } from '../auth/guard.js';
import { kakaoConfigured } from '../auth/kakao/kakao.service.js';
import type { Api } from '../platform/api.js';
import { AppError } from '../platform/errors.js';
import type { DomainDeps } from '../domain-deps.js';
import { requirePlatformAdmin } from './platform-admin.js';
import { currentSite } from './site-context.js';
import {
  createdSiteSchema,
  createSiteBody,
  publicIdParams,
  publicSiteSchema,
  siteSchema,
  siteSecretSchema,
  sitePageSchema,
  updateSiteBody,
} from '@synctalk/sdk/schemas';
import { createdSiteView, publicSiteView, siteView } from './site-views.js';
import { encodeSiteCursor, listSitesQuery } from './sites.schemas.js';
import type { Site } from './sites.repository.js';

const ADMIN_TAGS = ['sites (platform admin)'];
const SITE_TAGS = ['sites'];

/** Registers `/v1/admin/sites…` and `/v1/site…`. */
export function registerSiteRoutes(api: Api, deps: DomainDeps): void {
  const { repo } = deps.sites;
  const platformAdmin = [requirePlatformAdmin()];
  const siteAdmin = [requireRole('ROLE_ADMIN')];
  const kakao = kakaoConfigured(deps.config.kakao);

  const unknown = (publicId: string) => new AppError('not_found', `No site ${publicId}`);
  async function sitePath(publicId: string): Promise<Site> {
    const site = await repo.findByPublicId(publicId);
    if (!site) throw unknown(publicId);
    return site;
  }

  async function update(
    ctx: Koa.Context,
    site: Site,
    patch: Parameters<typeof repo.update>[1],
  ): Promise<Site> {
    const updated = await repo.update(site.id, patch);
    if (!updated) throw unknown(site.publicId);
    deps.logger.info(
      { site: site.publicId, by: currentUser(ctx).id, fields: Object.keys(patch) },
      'site updated',
    );
    return updated;
  }

  async function rotate(ctx: Koa.Context, site: Site): Promise<{ secret: string }> {
    const secret = await deps.sites.rotateSecret(site.id);
    if (!secret) throw unknown(site.publicId);
    deps.logger.info({ site: site.publicId, by: currentUser(ctx).id }, 'site secret rotated');
    return { secret };
  }

  // Platform administration.

  api.route({
    method: 'post',
    path: '/v1/admin/sites',
    summary: 'Create a site; answers its signing secret, shown this once',
    tags: ADMIN_TAGS,
    auth: 'required',
    before: platformAdmin,
    body: createSiteBody,
    response: createdSiteSchema,
    status: 201,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'forbidden'],
    handler: async (ctx, { body }) => {
      const { site, secret } = await deps.sites.create(body);
      deps.logger.info({ site: site.publicId, by: currentUser(ctx).id }, 'site created');
      return createdSiteView(site, secret);
    },
  });

  api.route({
    method: 'get',
    path: '/v1/admin/sites',
    summary: 'List sites, oldest first (keyset pages: pass nextCursor as cursor)',
    tags: ADMIN_TAGS,
    auth: 'required',
    before: platformAdmin,
    query: listSitesQuery,
    response: sitePageSchema,
    errors: ['validation_failed', 'unauthorized', 'forbidden'],
    handler: async (_ctx, { query }) => {
      // One extra row tells whether another page follows, without a second query.
      const rows = await repo.list({ limit: query.limit + 1, afterId: query.cursor });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map(siteView),
        nextCursor: rows.length > query.limit && last ? encodeSiteCursor(last.id) : null,
      };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/admin/sites/:publicId',
    summary: 'Get a site',
    tags: ADMIN_TAGS,
    auth: 'required',
    before: platformAdmin,
    params: publicIdParams,
    response: siteSchema,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: async (_ctx, { params }) => siteView(await sitePath(params.publicId)),
  });

  api.route({
    method: 'patch',
    path: '/v1/admin/sites/:publicId',
    summary: "Update a site's name, allowed origins or settings (settings are merged)",
    tags: ADMIN_TAGS,
    auth: 'required',
    before: platformAdmin,
    params: publicIdParams,
    body: updateSiteBody,
    response: siteSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'forbidden', 'not_found'],
    handler: async (ctx, { params, body }) =>
      siteView(await update(ctx, await sitePath(params.publicId), body)),
  });

  api.route({
    method: 'post',
    path: '/v1/admin/sites/:publicId/rotate-secret',
    summary: "Replace a site's signing secret; the old one stops working at once",
    tags: ADMIN_TAGS,
    auth: 'required',
    before: platformAdmin,
    params: publicIdParams,
    response: siteSecretSchema,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: async (ctx, { params }) => rotate(ctx, await sitePath(params.publicId)),
  });

  // The request's own site.

  api.route({
    method: 'get',
    path: '/v1/site/public',
    summary: "The site's public profile: name, the switches a widget needs, and whether Kakao Login is on",
    tags: SITE_TAGS,
    response: publicSiteSchema,
    errors: ['not_found'],
    handler: (ctx) => publicSiteView(currentSite(ctx), { kakao }),
  });

  api.route({
    method: 'get',
    path: '/v1/site',
    summary: 'Get my site (site admins)',
    tags: SITE_TAGS,
    auth: 'required',
    before: siteAdmin,
    response: siteSchema,
    errors: ['unauthorized', 'forbidden'],
    handler: (ctx) => siteView(currentSite(ctx)),
  });

  api.route({
    method: 'patch',
    path: '/v1/site',
    summary: "Update my site's name, allowed origins or settings (site admins; settings are merged)",
    tags: SITE_TAGS,
    auth: 'required',
    before: siteAdmin,
    body: updateSiteBody,
    response: siteSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'forbidden'],
    handler: async (ctx, { body }) => siteView(await update(ctx, currentSite(ctx), body)),
  });

  api.route({
    method: 'post',
    path: '/v1/site/rotate-secret',
    summary: "Replace my site's signing secret (site admins); the old one stops working at once",
    tags: SITE_TAGS,
    auth: 'required',
    before: siteAdmin,
    response: siteSecretSchema,
    errors: ['unauthorized', 'forbidden'],
    handler: (ctx) => rotate(ctx, currentSite(ctx)),
  });
}
