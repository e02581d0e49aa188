/**
 * All SQL about used site-token ids (`used_site_token_ids`): one row per (site, SHA-256 of a `jti`) until the
 * token it came from could no longer be accepted. Only digests are stored.
 */
import type { Database } from '../../platform/database.js';

const TABLE = 'used_site_token_ids';

/** Rows deleted per purge statement, so one purge never holds many locks for long. */
export const PURGE_BATCH = 5000;

export function usedTokenIdsRepository(db: Database) {
  return {
    /**
     * Records `jtiHash` for `siteId` until `expiresAt`. True when it was not recorded yet (or only by a row
     * already expired at `now`, which it replaces); false when a live row holds it: a replay. Atomic, so of
     * two requests racing with one token exactly one gets true.
     */
    async claim(input: { siteId: string; jtiHash: string; expiresAt: Date; now: Date }): Promise<boolean> {
      const rows = await db(TABLE)
        .insert({ site_id: input.siteId, jti_hash: input.jtiHash, expires_at: input.expiresAt })
        .onConflict(['site_id', 'jti_hash'])
        .merge({ expires_at: input.expiresAt })
        .where(`${TABLE}.expires_at`, '<=', input.now)
        .returning('jti_hash');
      return rows.length === 1;
    },

    /** Deletes up to `PURGE_BATCH` rows expired at `now`; returns how many went. */
    async purgeExpired(now: Date): Promise<number> {
      return db(TABLE)
        .whereIn(
          ['site_id', 'jti_hash'],
          db(TABLE).select('site_id', 'jti_hash').where('expires_at', '<=', now).limit(PURGE_BATCH),
        )
        .delete();
    },
  };
}

export type UsedTokenIdsRepository = ReturnType<typeof usedTokenIdsRepository>;
