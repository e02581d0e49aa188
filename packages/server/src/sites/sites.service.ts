/**
 * Site lifecycle: creation with a fresh signing secret (returned once, stored encrypted), rotation, and the
 * default site created on first start (whose secret is only revealed by rotating it).
 */
import { id } from '@synctalk/sdk/schemas';
import { z } from 'zod';
import { decrypt, deriveKey, encrypt, randomString, randomToken } from '../platform/crypto.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { cursorCodec, keysetPage } from '../platform/pagination.js';
import { cachedSites } from './site-cache.js';
import { sitesRepository, type Site, type SiteSettings, type SitesRepository } from './sites.repository.js';

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

/** What an update may change on a site. */
export type SitePatch = Parameters<SitesRepository['update']>[1];

/** Sites: creation, secret rotation and reading, and the default site. */
/** The sites list is one listing for the whole server (platform admins), not per site. */
const LIST_SCOPE = 'all';
const siteCursor = z.strictObject({ id });

export function sitesService(deps: Deps) {
  const { repo, lookups } = cachedSites(sitesRepository(deps.db), { ttlMs: deps.config.sites.cacheTtlMs });
  const key = deriveKey(deps.config.auth.secretsKey, 'site-secrets');
  const unknown = (publicId: string) => new AppError('not_found', `No site ${publicId}`);
  const cursors = cursorCodec(deps.config.auth.secretsKey, 'sites');

  /** Replaces the site's signing secret and returns the new one; undefined for an unknown site. */
  async function rotateSecret(siteId: string): Promise<string | undefined> {
    const secret = newSecret();
    const ok = await repo.setSecret(siteId, encrypt(key, secret));
    return ok ? secret : undefined;
  }

  return {
    /** The repository, for commands and whatever must read sites as they are; its writes drop `cached`. */
    repo,

    /** Site lookups cached per node, for the hot paths: site context, CORS, handshakes (see site-cache.ts). */
    cached: lookups,

    findById: (id: string): Promise<Site | undefined> => repo.findById(id),

    findByPublicId: (publicId: string): Promise<Site | undefined> => repo.findByPublicId(publicId),

    /** The site with `publicId`; `not_found` when there is none. */
    async get(publicId: string): Promise<Site> {
      const site = await repo.findByPublicId(publicId);
      if (!site) throw unknown(publicId);
      return site;
    },

    /** A keyset page of every site, oldest first; `cursor` is a previous page's `nextCursor`. */
    async page(query: {
      limit: number;
      cursor?: string;
    }): Promise<{ items: Site[]; nextCursor: string | null }> {
      const afterId = query.cursor ? cursors.decode(LIST_SCOPE, query.cursor, siteCursor).id : undefined;
      const { page, nextCursor } = await keysetPage(
        query.limit,
        (n) => repo.list({ limit: n, afterId }),
        (last) => cursors.encode(LIST_SCOPE, { id: last.id }),
      );
      return { items: page, nextCursor };
    },

    /** Changes `site` (settings are merged) on behalf of user `by`; `not_found` when it is gone. */
    async update(site: Site, patch: SitePatch, by: string): Promise<Site> {
      const updated = await repo.update(site.id, patch);
      if (!updated) throw unknown(site.publicId);
      deps.logger.info({ site: site.publicId, by, fields: Object.keys(patch) }, 'site updated');
      return updated;
    },

    /** Rotates `site`'s signing secret on behalf of user `by`; `not_found` when it is gone. */
    async rotate(site: Site, by: string): Promise<{ secret: string }> {
      const secret = await rotateSecret(site.id);
      if (!secret) throw unknown(site.publicId);
      deps.logger.info({ site: site.publicId, by }, 'site secret rotated');
      return { secret };
    },

    async create(input: {
      name: string;
      allowedOrigins: string[];
      settings?: SiteSettings;
    }): Promise<{ site: Site; secret: string }> {
      const secret = newSecret();
      const site = await repo.create({ ...input, publicId: newPublicId(), secretEnc: encrypt(key, secret) });
      return { site, secret };
    },

    rotateSecret,

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
