/**
 * Site lifecycle: creation with a fresh signing secret (returned once, stored encrypted), rotation, and the
 * default site created on first start.
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
     * Creates the default site on first start; returns its secret only when it was just created. In
     * development it lets guests in, so the demo page works with nothing configured.
     */
    async ensureDefault(): Promise<{ site: Site; secret?: string }> {
      const existing = await repo.findDefault();
      if (existing) return { site: existing };
      const secret = newSecret();
      const { site, created } = await repo.createDefaultIfMissing({
        publicId: newPublicId(),
        name: deps.config.sites.defaultName,
        secretEnc: encrypt(key, secret),
        allowedOrigins: deps.config.sites.defaultOrigins,
        settings: deps.config.env === 'development' ? { guestsEnabled: true } : {},
      });
      return created ? { site, secret } : { site };
    },
  };
}

export type SitesService = ReturnType<typeof sitesService>;
