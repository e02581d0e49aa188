/**
 * REST shapes of sites (tenants). A site is one embedding customer: its own users, rooms, allowed browser
 * origins and signing secret. Clients name their site with the `X-SyncTalk-Site` header (its `publicId`).
 *
 * Times are ISO 8601 strings.
 */

/** Per-site switches. */
export interface SiteSettings {
  /** Only users vouched for by the site's backend (site tokens) or Kakao may chat. Default `false`. */
  verifiedOnly: boolean;
  /** `POST /v1/auth/guest` issues limited guest users. Default `false`. */
  guestsEnabled: boolean;
  /** `POST /v1/auth/signup` creates password accounts. Default `true`. */
  signupEnabled: boolean;
}

/** A site as its administrators see it. The signing secret is never part of it. */
export interface Site {
  /** `st_` + 16 letters and digits: what pages and SDK clients send as `X-SyncTalk-Site`. */
  publicId: string;
  name: string;
  /** Browser origins (`https://example.com`, no path) allowed to call the API for this site. */
  allowedOrigins: string[];
  /** The site created on first start; its admins administer every site. */
  isDefault: boolean;
  settings: SiteSettings;
  createdAt: string;
  updatedAt: string;
}

/** `GET /v1/site/public`: what a widget needs to know before anyone signs in. */
export interface PublicSite {
  publicId: string;
  name: string;
  settings: SiteSettings;
  /**
   * Kakao Login is configured on this server (`GET /v1/auth/kakao/start` works), so a sign-in form may offer
   * it. A server-wide switch: the same for every site.
   */
  kakao: boolean;
}

/** `POST /v1/admin/sites`: the new site and its signing secret, which is shown this once. */
export interface CreatedSite {
  site: Site;
  /** `sts_` + 43 characters. Store it on the site's backend; it cannot be read again, only rotated. */
  secret: string;
}

/** `POST /v1/admin/sites/:publicId/rotate-secret`, `POST /v1/site/rotate-secret`: the new secret, shown once. */
export interface SiteSecret {
  secret: string;
}

/** `GET /v1/admin/sites`: oldest first; pass `nextCursor` as `?cursor=` for the next page. */
export interface SitePage {
  items: Site[];
  nextCursor: string | null;
}

/** `POST /v1/admin/sites`. */
export interface CreateSiteRequest {
  /** 1–100 characters, one line. */
  name: string;
  /** Up to 100 origins like `https://shop.example.com` (scheme, host and port only). */
  allowedOrigins: string[];
  /** Omitted switches take their defaults. */
  settings?: Partial<SiteSettings>;
}

/** `PATCH /v1/admin/sites/:publicId`, `PATCH /v1/site`: at least one field. */
export interface UpdateSiteRequest {
  name?: string;
  /** Replaces the whole list. */
  allowedOrigins?: string[];
  /** Merged into the current settings: switches not named keep their value. */
  settings?: Partial<SiteSettings>;
}
