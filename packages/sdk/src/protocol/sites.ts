/**
 * REST shapes of sites (tenants), inferred from the wire schemas (`@synctalk/sdk/schemas`). Type-only:
 * nothing of zod is loaded at runtime. A site is one embedding customer: its own users, rooms, allowed
 * browser origins and signing secret. Clients name their site with the `X-SyncTalk-Site` header (its
 * `publicId`).
 *
 * Times are ISO 8601 strings.
 */
import type { z } from 'zod';
import type {
  createdSiteSchema,
  createSiteBody,
  publicSiteSchema,
  sitePageSchema,
  siteSchema,
  siteSecretSchema,
  siteSettingsSchema,
  updateSiteBody,
} from '../schemas/sites.js';

/** Per-site switches. */
export type SiteSettings = z.output<typeof siteSettingsSchema>;

/** A site as its administrators see it. The signing secret is never part of it. */
export type Site = z.output<typeof siteSchema>;

/** `GET /v1/site/public`: what a widget needs to know before anyone signs in. */
export type PublicSite = z.output<typeof publicSiteSchema>;

/** `POST /v1/admin/sites`: the new site and its signing secret, which is shown this once. */
export type CreatedSite = z.output<typeof createdSiteSchema>;

/** `POST /v1/admin/sites/:publicId/rotate-secret`, `POST /v1/site/rotate-secret`: the new secret, shown once. */
export type SiteSecret = z.output<typeof siteSecretSchema>;

/** `GET /v1/admin/sites`: oldest first; pass `nextCursor` as `?cursor=` for the next page. */
export type SitePage = z.output<typeof sitePageSchema>;

/** `POST /v1/admin/sites`. */
export type CreateSiteRequest = z.input<typeof createSiteBody>;

/** `PATCH /v1/admin/sites/:publicId`, `PATCH /v1/site`: at least one field. */
export type UpdateSiteRequest = z.input<typeof updateSiteBody>;
