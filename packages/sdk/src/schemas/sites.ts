/**
 * zod schemas of sites (tenants): request bodies, params and queries (validation) and responses (the OpenAPI
 * document and the SDK's types). A site is one embedding customer: its own users, rooms, allowed browser
 * origins and signing secret. Clients name their site with the `X-SyncTalk-Site` header (its `publicId`).
 * Nothing here ever carries a site's signing secret except `createdSiteSchema` / `siteSecretSchema`, the two
 * answers that show it once.
 */
import { z } from 'zod';
import { isOrigin, PUBLIC_ID, queryInt, text } from './primitives.js';
import { CURSOR_MAX_LENGTH } from './rooms.js';

/**
 * Longest site name, in characters.
 *
 * @example
 * ```ts
 * const fits = codePoints(name.trim()) <= SITE_NAME_MAX;
 * ```
 */
export const SITE_NAME_MAX = 100;
/**
 * Most allowed origins a site may list.
 *
 * @example
 * ```ts
 * if (origins.length > MAX_ORIGINS) throw new RangeError(`at most ${MAX_ORIGINS} origins`);
 * ```
 */
export const MAX_ORIGINS = 100;
/**
 * The page size of `GET /v1/admin/sites` when `limit` is omitted.
 *
 * @example
 * ```ts
 * listSitesQuery.parse({}).limit === SITE_PAGE_DEFAULT; // true
 * ```
 */
export const SITE_PAGE_DEFAULT = 20;
/**
 * Largest page of `GET /v1/admin/sites`.
 *
 * @example
 * ```ts
 * const res = await fetch(`${baseUrl}/v1/admin/sites?limit=${SITE_PAGE_MAX}`, { headers });
 * ```
 */
export const SITE_PAGE_MAX = 100;

/**
 * A browser origin, validated exactly like `CORS_ORIGINS`.
 *
 * @example
 * ```ts
 * origin.parse('https://shop.example.com');
 * origin.safeParse('https://shop.example.com/').success; // false: no trailing slash
 * ```
 */
export const origin = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine(isOrigin, 'must be an origin like https://example.com (scheme, host and port; no path)')
  .describe('A browser origin: http(s)://host[:port], lower-case, no path or trailing slash');

/**
 * The allowed origins of a site; duplicates are dropped (the order of first appearance is kept).
 *
 * @example
 * ```ts
 * allowedOrigins.parse(['https://a.example.com', 'https://a.example.com']); // ['https://a.example.com']
 * ```
 */
export const allowedOrigins = z
  .array(origin)
  .max(MAX_ORIGINS, `must list at most ${MAX_ORIGINS} origins`)
  .transform((list) => [...new Set(list)]);

/**
 * Settings in a request: each switch optional; unknown switches are refused.
 *
 * @example
 * ```ts
 * siteSettingsInput.parse({ guestsEnabled: true });
 * siteSettingsInput.safeParse({ anonymous: true }).success; // false: unknown switch
 * ```
 */
export const siteSettingsInput = z.strictObject({
  verifiedOnly: z.boolean().optional(),
  guestsEnabled: z.boolean().optional(),
  signupEnabled: z.boolean().optional(),
});

const siteName = text({ max: SITE_NAME_MAX }).describe(`1–${SITE_NAME_MAX} characters, one line`);

/**
 * `POST /v1/admin/sites`.
 *
 * @example
 * ```ts
 * const body = createSiteBody.parse({
 *   name: 'Shop',
 *   allowedOrigins: ['https://shop.example.com'],
 *   settings: { guestsEnabled: true },
 * });
 * ```
 */
export const createSiteBody = z.strictObject({
  /** 1–100 characters, one line. */
  name: siteName,
  /** Up to 100 origins like `https://shop.example.com` (scheme, host and port only). */
  allowedOrigins,
  /** Omitted switches take their defaults. */
  settings: siteSettingsInput.optional(),
});

/**
 * `PATCH /v1/admin/sites/:publicId`, `PATCH /v1/site`: at least one field.
 *
 * @example
 * ```ts
 * updateSiteBody.parse({ settings: { signupEnabled: false } });
 * updateSiteBody.safeParse({}).success; // false
 * ```
 */
export const updateSiteBody = z
  .strictObject({
    name: siteName.optional(),
    /** Replaces the whole list. */
    allowedOrigins: allowedOrigins.optional(),
    /** Merged into the current settings: switches not named keep their value. */
    settings: siteSettingsInput.optional(),
  })
  .refine((b) => b.name !== undefined || b.allowedOrigins !== undefined || b.settings !== undefined, {
    message: 'name, allowedOrigins or settings is required',
  });

/**
 * The path params of `/v1/admin/sites/:publicId…`.
 *
 * @example
 * ```ts
 * const { publicId } = publicIdParams.parse({ publicId: 'st_AbC123' });
 * ```
 */
export const publicIdParams = z.object({
  publicId: z.string().regex(PUBLIC_ID, 'must be a site public id like st_AbC123'),
});

/**
 * `GET /v1/admin/sites?limit=&cursor=`. The cursor is opaque: pass a page's `nextCursor` back as it is.
 *
 * @example
 * ```ts
 * listSitesQuery.parse({ limit: '50' }); // { limit: 50 }
 * ```
 */
export const listSitesQuery = z.object({
  limit: queryInt({ min: 1, max: SITE_PAGE_MAX, default: SITE_PAGE_DEFAULT }).describe(
    `Sites per page, 1–${SITE_PAGE_MAX} (default ${SITE_PAGE_DEFAULT})`,
  ),
  cursor: z.string().min(1).max(CURSOR_MAX_LENGTH).optional().describe('The nextCursor of the previous page'),
});

/**
 * Per-site switches (`SiteSettings`).
 *
 * @example
 * ```ts
 * const { verifiedOnly, guestsEnabled, signupEnabled } = siteSettingsSchema.parse(site.settings);
 * ```
 */
export const siteSettingsSchema = z
  .object({
    /** Only users vouched for by the site's backend (site tokens) or Kakao may chat. Default `false`. */
    verifiedOnly: z.boolean(),
    /** `POST /v1/auth/guest` issues limited guest users. Default `false`. */
    guestsEnabled: z.boolean(),
    /** `POST /v1/auth/signup` creates password accounts. Default `true`. */
    signupEnabled: z.boolean(),
  })
  .meta({ id: 'SiteSettings' });

/**
 * A site as its administrators see it (`Site`). The signing secret is never part of it.
 *
 * @example
 * ```ts
 * const site = siteSchema.parse(await res.json()); // GET /v1/site
 * ```
 */
export const siteSchema = z
  .object({
    /** `st_` + 16 letters and digits: what pages and SDK clients send as `X-SyncTalk-Site`. */
    publicId: z.string(),
    name: z.string(),
    /** Browser origins (`https://example.com`, no path) allowed to call the API for this site. */
    allowedOrigins: z.array(z.string()),
    /** The site created on first start; its admins administer every site. */
    isDefault: z.boolean(),
    settings: siteSettingsSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Site' });

/**
 * `GET /v1/site/public`: what a widget needs to know before anyone signs in (`PublicSite`).
 *
 * @example
 * ```ts
 * const site = publicSiteSchema.parse(await res.json());
 * if (site.kakao) showKakaoButton();
 * ```
 */
export const publicSiteSchema = z
  .object({
    publicId: z.string(),
    name: z.string(),
    settings: siteSettingsSchema,
    /**
     * Kakao Login is configured on this server (`GET /v1/auth/kakao/start` works), so a sign-in form may offer
     * it. A server-wide switch: the same for every site.
     */
    kakao: z.boolean().describe('Kakao Login is configured on this server (the same for every site)'),
  })
  .meta({ id: 'PublicSite' });

/**
 * `POST /v1/admin/sites/:publicId/rotate-secret`, `POST /v1/site/rotate-secret`: the new secret, shown once.
 *
 * @example
 * ```ts
 * const { secret } = siteSecretSchema.parse(await res.json()); // store it now: it is shown once
 * ```
 */
export const siteSecretSchema = z
  .object({ secret: z.string().describe('Shown once; store it on your backend.') })
  .meta({ id: 'SiteSecret' });

/**
 * `POST /v1/admin/sites`: the new site and its signing secret, which is shown this once (`CreatedSite`).
 *
 * @example
 * ```ts
 * const { site, secret } = createdSiteSchema.parse(await res.json());
 * ```
 */
export const createdSiteSchema = z
  .object({
    site: siteSchema,
    /** `sts_` + 43 characters. Store it on the site's backend; it cannot be read again, only rotated. */
    secret: z.string().describe('Shown once; store it on your backend.'),
  })
  .meta({ id: 'CreatedSite' });

/**
 * `GET /v1/admin/sites`: oldest first; pass `nextCursor` as `?cursor=` for the next page (`SitePage`).
 *
 * @example
 * ```ts
 * const { items, nextCursor } = sitePageSchema.parse(await res.json());
 * ```
 */
export const sitePageSchema = z
  .object({ items: z.array(siteSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SitePage' });
