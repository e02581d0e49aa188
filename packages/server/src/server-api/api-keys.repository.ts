/** All SQL about site API keys (`site_api_keys`): only their SHA-256 digests are stored, never the keys. */
import type { Database } from '../platform/database.js';

export interface ApiKeyRecord {
  id: string;
  siteId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface Row {
  id: string;
  site_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS = ['id', 'site_id', 'name', 'prefix', 'created_at', 'last_used_at'];
const ID = /^[1-9]\d{0,17}$/;

function toRecord(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    siteId: String(row.site_id),
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function apiKeysRepository(db: Database) {
  return {
    async insert(input: {
      siteId: string;
      name: string;
      prefix: string;
      keyHash: string;
    }): Promise<ApiKeyRecord> {
      const [row] = await db('site_api_keys')
        .insert({ site_id: input.siteId, name: input.name, prefix: input.prefix, key_hash: input.keyHash })
        .returning(COLUMNS);
      return toRecord(row as Row);
    },

    /** The site's keys that are not revoked, oldest first. */
    async listLive(siteId: string): Promise<ApiKeyRecord[]> {
      const rows: Row[] = await db('site_api_keys')
        .select(COLUMNS)
        .where({ site_id: siteId })
        .whereNull('revoked_at')
        .orderBy('id');
      return rows.map(toRecord);
    },

    /** The live key whose digest is `keyHash`, whatever its site. */
    async findLiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
      const row = (await db('site_api_keys')
        .select(COLUMNS)
        .where({ key_hash: keyHash })
        .whereNull('revoked_at')
        .first()) as Row | undefined;
      return row && toRecord(row);
    },

    /** Revokes a live key of the site; false when the site has no such live key. */
    async revoke(siteId: string, id: string): Promise<boolean> {
      if (!ID.test(id)) return false;
      const n = await db('site_api_keys')
        .where({ id, site_id: siteId })
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() });
      return n > 0;
    },

    /** Records a use, unless one was recorded in the last `minSeconds` (so busy keys write rarely). */
    async touch(id: string, minSeconds: number): Promise<void> {
      await db('site_api_keys')
        .where({ id })
        .where((q) =>
          q
            .whereNull('last_used_at')
            .orWhere('last_used_at', '<', db.raw(`now() - make_interval(secs => ?)`, [minSeconds])),
        )
        .update({ last_used_at: db.fn.now() });
    },
  };
}

export type ApiKeysRepository = ReturnType<typeof apiKeysRepository>;
