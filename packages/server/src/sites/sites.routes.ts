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
import { currentUser, requireRole } from '../auth/guard.js';
import { kakaoConfigured } from '../auth/kakao/kakao.service.js';
import type { Api } from '../platform/api.js';
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
  listSitesQuery,
} from '@synctalk/sdk/schemas';
import { createdSiteView, publicSiteView, siteView } from './site-views.js';

const ADMIN_TAGS = ['sites (platform admin)'];
const SITE_TAGS = ['sites'];

/** Registers `/v1/admin/sites…` and `/v1/site…`. */
export function registerSiteRoutes(api: Api, deps: DomainDeps): void {
  const { sites } = deps;
  const platformAdmin = [requirePlatformAdmin()];
  const siteAdmin = [requireRole('ROLE_ADMIN')];
  const kakao = kakaoConfigured(deps.config.kakao);

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
      const { site, secret } = await sites.create(body);
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
      const { items, nextCursor } = await sites.page(query);
      return { items: items.map(siteView), nextCursor };
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
    handler: async (_ctx, { params }) => siteView(await sites.get(params.publicId)),
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
      siteView(await sites.update(await sites.get(params.publicId), body, currentUser(ctx).id)),
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
    handler: async (ctx, { params }) => sites.rotate(await sites.get(params.publicId), currentUser(ctx).id),
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
    handler: async (ctx, { body }) =>
      siteView(await sites.update(currentSite(ctx), body, currentUser(ctx).id)),
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
    handler: (ctx) => sites.rotate(currentSite(ctx), currentUser(ctx).id),
  });
}
