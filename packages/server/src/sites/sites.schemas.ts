/**
 * zod schemas of the sites API: request bodies, params and queries (validation) and responses (the OpenAPI
 * document), plus the views that turn a stored site into what the API returns. Nothing here ever carries a
 * site's signing secret except `createdSiteSchema` / `siteSecretSchema`, the two answers that show it once.
 */
import { z } from 'zod';
import type {
  CreatedSite,
  PublicSite,
  Site as SiteView,
  SiteSettings as SiteSettingsView,
} from '@synctalk/sdk';
import { isOrigin } from '../config.js';
import { queryInt, text } from '../platform/schemas.js';
import { siteSettingsDefaults, type Site } from './sites.repository.js';

export const SITE_NAME_MAX = 100;
export const MAX_ORIGINS = 100;
export const SITE_PAGE_DEFAULT = 20;
export const SITE_PAGE_MAX = 100;

/** `st_` + letters and digits, as `newPublicId()` makes them (and as `X-SyncTalk-Site` accepts). */
export const PUBLIC_ID = /^st_[A-Za-z0-9]{1,64}$/;

/** A browser origin, validated exactly like `CORS_ORIGINS`. */
export const origin = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine(isOrigin, 'must be an origin like https://example.com (scheme, host and port; no path)')
  .describe('A browser origin: http(s)://host[:port], lower-case, no path or trailing slash');

/** The allowed origins of a site; duplicates are dropped (the order of first appearance is kept). */
export const allowedOrigins = z
  .array(origin)
  .max(MAX_ORIGINS, `must list at most ${MAX_ORIGINS} origins`)
  .transform((list) => [...new Set(list)]);

/** Settings in a request: each switch optional; unknown switches are refused. */
export const siteSettingsInput = z.strictObject({
  verifiedOnly: z.boolean().optional(),
  guestsEnabled: z.boolean().optional(),
  signupEnabled: z.boolean().optional(),
});

const siteName = text({ max: SITE_NAME_MAX }).describe(`1–${SITE_NAME_MAX} characters, one line`);

export const createSiteBody = z.strictObject({
  name: siteName,
  allowedOrigins,
  settings: siteSettingsInput.optional(),
});

export const updateSiteBody = z
  .strictObject({
    name: siteName.optional(),
    allowedOrigins: allowedOrigins.optional(),
    settings: siteSettingsInput.optional(),
  })
  .refine((b) => b.name !== undefined || b.allowedOrigins !== undefined || b.settings !== undefined, {
    message: 'name, allowedOrigins or settings is required',
  });

export const publicIdParams = z.object({
  publicId: z.string().regex(PUBLIC_ID, 'must be a site public id like st_AbC123'),
});

// Keyset cursor: the last row's id, base64url-wrapped so clients treat it as opaque.
const CURSOR_PREFIX = 'site:';

export function encodeSiteCursor(id: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function decodeSiteCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX)) return undefined;
  const id = decoded.slice(CURSOR_PREFIX.length);
  return /^[1-9]\d{0,17}$/.test(id) ? id : undefined;
}

export const listSitesQuery = z.object({
  limit: queryInt({ min: 1, max: SITE_PAGE_MAX, default: SITE_PAGE_DEFAULT }).describe(
    `Sites per page, 1–${SITE_PAGE_MAX} (default ${SITE_PAGE_DEFAULT})`,
  ),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const id = decodeSiteCursor(value);
      if (id === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
        return z.NEVER;
      }
      return id;
    })
    .optional()
    .describe('The nextCursor of the previous page'),
});

// Responses (for the document; handlers build them with the views below).

export const siteSettingsSchema = z
  .object({ verifiedOnly: z.boolean(), guestsEnabled: z.boolean(), signupEnabled: z.boolean() })
  .meta({ id: 'SiteSettings' });

export const siteSchema = z
  .object({
    publicId: z.string(),
    name: z.string(),
    allowedOrigins: z.array(z.string()),
    isDefault: z.boolean(),
    settings: siteSettingsSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Site' });

export const publicSiteSchema = z
  .object({
    publicId: z.string(),
    name: z.string(),
    settings: siteSettingsSchema,
    kakao: z.boolean().describe('Kakao Login is configured on this server (the same for every site)'),
  })
  .meta({ id: 'PublicSite' });

export const siteSecretSchema = z
  .object({ secret: z.string().describe('Shown once; store it on your backend.') })
  .meta({ id: 'SiteSecret' });

export const createdSiteSchema = z
  .object({ site: siteSchema, secret: z.string().describe('Shown once; store it on your backend.') })
  .meta({ id: 'CreatedSite' });

export const sitePageSchema = z
  .object({ items: z.array(siteSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SitePage' });

function settingsView(site: Site): SiteSettingsView {
  const s = { ...siteSettingsDefaults, ...site.settings };
  return { verifiedOnly: s.verifiedOnly, guestsEnabled: s.guestsEnabled, signupEnabled: s.signupEnabled };
}

/** A site as its administrators see it: never the secret, never the numeric id. */
export function siteView(site: Site): SiteView {
  return {
    publicId: site.publicId,
    name: site.name,
    allowedOrigins: site.allowedOrigins,
    isDefault: site.isDefault,
    settings: settingsView(site),
    createdAt: site.createdAt.toISOString(),
    updatedAt: site.updatedAt.toISOString(),
  };
}

/** What anyone may know about a site: no origins, no secret; plus the server's sign-in options. */
export function publicSiteView(site: Site, server: { kakao: boolean }): PublicSite {
  return { publicId: site.publicId, name: site.name, settings: settingsView(site), kakao: server.kakao };
}

export function createdSiteView(site: Site, secret: string): CreatedSite {
  return { site: siteView(site), secret };
}
