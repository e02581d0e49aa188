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

/**
 * Per-site switches.
 *
 * @example
 * ```ts
 * const settings: SiteSettings = (await client.siteInfo.info()).settings;
 * if (settings.guestsEnabled) showGuestButton();
 * ```
 */
export type SiteSettings = z.output<typeof siteSettingsSchema>;

/**
 * A site as its administrators see it. The signing secret is never part of it.
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/site`, { headers: { authorization: `Bearer ${accessToken}` } });
 * const site: Site = await res.json();
 * console.log(site.publicId, site.allowedOrigins); // 'st_AbC123' ['https://shop.example.com']
 * ```
 */
export type Site = z.output<typeof siteSchema>;

/**
 * `GET /v1/site/public`: what a widget needs to know before anyone signs in.
 *
 * @example
 * ```ts
 * const site: PublicSite = await client.siteInfo.info();
 * if (site.kakao) showKakaoButton();
 * ```
 */
export type PublicSite = z.output<typeof publicSiteSchema>;

/**
 * `POST /v1/admin/sites`: the new site and its signing secret, which is shown this once.
 *
 * @example
 * ```ts
 * const init = { method: 'POST', headers, body: JSON.stringify(body) };
 * const res = await fetch(`${baseUrl}/v1/admin/sites`, init);
 * const { site, secret }: CreatedSite = await res.json();
 * await saveSiteSecret(site.publicId, secret); // it cannot be read again
 * ```
 */
export type CreatedSite = z.output<typeof createdSiteSchema>;

/**
 * `POST /v1/admin/sites/:publicId/rotate-secret`, `POST /v1/site/rotate-secret`: the new secret, shown once.
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/site/rotate-secret`, { method: 'POST', headers });
 * const { secret }: SiteSecret = await res.json(); // the old secret stopped working
 * ```
 */
export type SiteSecret = z.output<typeof siteSecretSchema>;

/**
 * `GET /v1/admin/sites`: oldest first; pass `nextCursor` as `?cursor=` for the next page.
 *
 * @example
 * ```ts
 * const page: SitePage = await (await fetch(`${baseUrl}/v1/admin/sites?limit=50`, { headers })).json();
 * if (page.nextCursor) url.searchParams.set('cursor', page.nextCursor);
 * ```
 */
export type SitePage = z.output<typeof sitePageSchema>;

/**
 * `POST /v1/admin/sites`.
 *
 * @example
 * ```ts
 * const body: CreateSiteRequest = {
 *   name: 'Shop',
 *   allowedOrigins: ['https://shop.example.com'],
 *   settings: { guestsEnabled: true },
 * };
 * ```
 */
export type CreateSiteRequest = z.input<typeof createSiteBody>;

/**
 * `PATCH /v1/admin/sites/:publicId`, `PATCH /v1/site`: at least one field.
 *
 * @example
 * ```ts
 * const patch: UpdateSiteRequest = { settings: { signupEnabled: false } }; // other switches keep their value
 * await fetch(`${baseUrl}/v1/site`, { method: 'PATCH', headers, body: JSON.stringify(patch) });
 * ```
 */
export type UpdateSiteRequest = z.input<typeof updateSiteBody>;
