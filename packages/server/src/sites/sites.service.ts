/**
 * Site lifecycle: creation with a fresh signing secret (returned once, stored encrypted), rotation, and the
 * default site created on first start (whose secret is only revealed by rotating it).
 */
import { decrypt, deriveKey, encrypt, randomString, randomToken } from '../platform/crypto.js';
import type { Deps } from '../platform/deps.js';
import { sitesRepository, type Site, type SiteSettings } from './sites.repository.js';

/** Public ids look like `st_` + 16 base62 characters: safe in HTML, URLs and logs. */
export function newPublicId(): string {
  return `st_${randomString(16)}`;
}

/** Site secrets look like `sts_` + 43 base64url characters (256 bits). */
function newSecret(): string {
  return `sts_${randomToken(32)}`;
}

/** What to say when the default site was just created: its public id and how to get its secret, not the secret. */
export function defaultSiteCreatedMessage(publicId: string): string {
  return (
    `default site created: public id ${publicId}; get its signing secret with \`synctalk-server site-secret\` ` +
    `(npm run site-secret) or POST /v1/admin/sites/${publicId}/rotate-secret`
  );
}

/** Sites: creation, secret rotation and reading, and the default site. */
export function sitesService(deps: Deps) {
  const repo = sitesRepository(deps.db);
  const key = deriveKey(deps.config.auth.secretsKey, 'site-secrets');

  return {
    repo,

    async create(input: {
      name: string;
      allowedOrigins: string[];
      settings?: SiteSettings;
    }): Promise<{ site: Site; secret: string }> {
      const secret = newSecret();
      const site = await repo.create({ ...input, publicId: newPublicId(), secretEnc: encrypt(key, secret) });
      return { site, secret };
    },

    /** Replaces the site's signing secret and returns the new one; undefined for an unknown site. */
    async rotateSecret(siteId: string): Promise<string | undefined> {
      const secret = newSecret();
      const ok = await repo.setSecret(siteId, encrypt(key, secret));
      return ok ? secret : undefined;
    },

    /** The clear signing secret, for verifying site tokens. */
    async secretOf(siteId: string): Promise<string | undefined> {
      const sealed = await repo.secretOf(siteId);
      return sealed === undefined ? undefined : decrypt(key, sealed);
    },

    /**
     * Creates the default site on first start (`created` tells). Its signing secret is never returned: the
     * `site-secret` command or the admin API rotates it to reveal one. In development it lets guests in, so the
     * demo page works with nothing configured.
     */
    async ensureDefault(): Promise<{ site: Site; created: boolean }> {
      const existing = await repo.findDefault();
      if (existing) return { site: existing, created: false };
      return repo.createDefaultIfMissing({
        publicId: newPublicId(),
        name: deps.config.sites.defaultName,
        secretEnc: encrypt(key, newSecret()),
        allowedOrigins: deps.config.sites.defaultOrigins,
        settings: deps.config.env === 'development' ? { guestsEnabled: true } : {},
      });
    },
  };
}

export type SitesService = ReturnType<typeof sitesService>;
