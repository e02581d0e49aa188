/**
 * Which site tokens were already exchanged, so each works once on every node and across restarts. The `jti`
 * (as a SHA-256 digest, per site) is remembered until the token could no longer pass its expiry check:
 *
 * - with Redis configured, in the shared store (a key with that expiry, set only if absent);
 * - otherwise (the shared store is process memory, lost on restart), in the database's
 *   `used_site_token_ids`, whose expired rows are purged now and then by the exchanges themselves.
 */
import { sha256 } from '../../platform/crypto.js';
import type { Deps } from '../../platform/deps.js';
import { AppError } from '../../platform/errors.js';
import { usedTokenIdsRepository, PURGE_BATCH } from './used-token-ids.repository.js';

/** At most one purge of expired ids per node this often (more often while a purge fills whole batches). */
export const PURGE_INTERVAL_MS = 60_000;

export function usedTokenIds(deps: Deps) {
  const { config, store, logger } = deps;
  const inDatabase = config.redis.kind === 'memory';
  const repo = usedTokenIdsRepository(deps.db);
  let nextPurgeMs = 0;

  async function purge(nowMs: number): Promise<void> {
    if (nowMs < nextPurgeMs) return;
    nextPurgeMs = nowMs + PURGE_INTERVAL_MS;
    try {
      const deleted = await repo.purgeExpired(new Date(nowMs));
      if (deleted >= PURGE_BATCH) nextPurgeMs = nowMs;
    } catch (error) {
      logger.warn({ err: error }, 'site token: purging used token ids failed');
    }
  }

  return {
    /**
     * Marks `jti` of the site used until `forgetAtMs` (epoch ms; at least a second from now). True the first
     * time, false for a replay; `unavailable` when neither store answers.
     */
    async claim(
      site: { id: string; publicId: string },
      jti: string,
      forgetAtMs: number,
      nowMs = Date.now(),
    ): Promise<boolean> {
      const ttlMs = Math.max(1000, forgetAtMs - nowMs);
      const jtiHash = sha256(jti);
      try {
        if (!inDatabase) {
          return await store.set(`sitetoken:jti:${site.publicId}:${jtiHash}`, '1', {
            ttlMs,
            onlyIfAbsent: true,
          });
        }
        const first = await repo.claim({
          siteId: site.id,
          jtiHash,
          expiresAt: new Date(nowMs + ttlMs),
          now: new Date(nowMs),
        });
        await purge(nowMs);
        return first;
      } catch (error) {
        logger.error({ err: error }, 'site token: replay store unavailable');
        throw new AppError('unavailable', 'Sign-in is temporarily unavailable; try again shortly');
      }
    },
  };
}

export type UsedTokenIds = ReturnType<typeof usedTokenIds>;
