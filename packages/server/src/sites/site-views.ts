/** The views that turn a stored site into what the API returns. Only `createdSiteView` carries a secret. */
import type {
  CreatedSite,
  PublicSite,
  Site as SiteView,
  SiteSettings as SiteSettingsView,
} from '@synctalk/sdk';
import { siteSettingsDefaults, type Site } from './sites.repository.js';

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
