/**
 * Site API keys: what a site's own backend authenticates with on the server API (`/v1/server/…`), instead
 * of a user's access token. A key is `stk_` and 43 random base62 characters (256 bits); only its SHA-256
 * digest is stored, so it is shown once, at creation. Site admins create, list and revoke their site's keys;
 * a revoked key stops working at once on every node (keys are looked up on every request, by digest).
 */
import type { ApiKey, CreatedApiKey } from '@synctalk/sdk';
import { API_KEY_PREFIX } from '@synctalk/sdk/schemas';
import type { DomainDeps } from '../domain-deps.js';
import { randomString, sha256 } from '../platform/crypto.js';
import { AppError } from '../platform/errors.js';
import type { Site } from '../sites/sites.repository.js';
import { apiKeysRepository, type ApiKeyRecord } from './api-keys.repository.js';

/** Random characters after `stk_`: 43 of base62 are 256 bits. */
const KEY_RANDOM_LENGTH = 43;
const KEY_PATTERN = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${KEY_RANDOM_LENGTH}}$`);
/** What a list shows of a key: the prefix and 8 characters. */
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;
/** `last_used_at` is written at most once per key and interval (per node, and in the database). */
export const LAST_USED_INTERVAL_S = 60;

/** Whether `token` looks like a site API key (not whether it is one). */
export function isApiKeyLike(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export function apiKeyView(record: ApiKeyRecord): ApiKey {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
  };
}

/** A key that authenticated a request, and its site. */
export interface AuthenticatedKey {
  key: ApiKeyRecord;
  site: Site;
}

export function apiKeysService(deps: Pick<DomainDeps, 'db' | 'sites' | 'logger'>) {
  const repo = apiKeysRepository(deps.db);
  // When this node last recorded each key's use (ms), so a busy key costs no write per request.
  const touched = new Map<string, number>();

  function touch(id: string): void {
    const now = Date.now();
    const last = touched.get(id);
    if (last !== undefined && now - last < LAST_USED_INTERVAL_S * 1000) return;
    if (touched.size >= 10_000) touched.clear();
    touched.set(id, now);
    repo.touch(id, LAST_USED_INTERVAL_S).catch((error: unknown) => {
      deps.logger.warn({ err: error, apiKeyId: id }, 'api key: could not record its use');
    });
  }

  return {
    /** A new key for `site`; the answer holds the key itself, which is never shown again. */
    async create(site: Site, name: string): Promise<CreatedApiKey> {
      const key = `${API_KEY_PREFIX}${randomString(KEY_RANDOM_LENGTH)}`;
      const record = await repo.insert({
        siteId: site.id,
        name,
        prefix: key.slice(0, SHOWN_LENGTH),
        keyHash: sha256(key),
      });
      deps.logger.info({ siteId: site.id, apiKeyId: record.id }, 'api key: created');
      return { apiKey: apiKeyView(record), key };
    },

    async list(site: Site): Promise<ApiKey[]> {
      return (await repo.listLive(site.id)).map(apiKeyView);
    },

    /** Revokes a key of `site`; another site's key, or one already revoked, is `not_found`. */
    async revoke(site: Site, id: string): Promise<void> {
      if (!(await repo.revoke(site.id, id))) throw new AppError('not_found', 'No such API key');
      deps.logger.info({ siteId: site.id, apiKeyId: id }, 'api key: revoked');
    },

    /** The live key `token` is, with its site; undefined for anything else. Records the use. */
    async authenticate(token: string): Promise<AuthenticatedKey | undefined> {
      if (!KEY_PATTERN.test(token)) return undefined;
      const key = await repo.findLiveByHash(sha256(token));
      if (!key) return undefined;
      const site = await deps.sites.cached.findById(key.siteId);
      if (!site) return undefined;
      touch(key.id);
      return { key, site };
    },
  };
}

export type ApiKeysService = ReturnType<typeof apiKeysService>;
