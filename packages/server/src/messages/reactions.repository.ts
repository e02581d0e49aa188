/** All SQL about reactions: one row per (message, user, emoji). */
import type { Knex } from 'knex';
import type { ReactionSummary } from '@synctalk/sdk';
import { inTransaction } from '../platform/database.js';

/** A user may put at most this many different reactions on one message. */
export const MAX_REACTIONS_PER_USER = 20;

export type AddReactionResult =
  { outcome: 'added' | 'unchanged'; count: number } | { outcome: 'limit'; count: number };

export function reactionsRepository(db: Knex) {
  const countOf = async (messageId: string, emoji: string, conn: Knex = db) => {
    const row = await conn('reactions')
      .where({ message_id: messageId, emoji })
      .count<{ n: string }[]>({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  };

  return {
    /** Adds `emoji` by `userId` (idempotent), within the per-user limit; returns how many have it now. */
    async add(messageId: string, userId: string, emoji: string): Promise<AddReactionResult> {
      // Inside the caller's transaction when given one (the service records the event in it).
      return inTransaction(db, async (trx) => {
        const inserted = await trx.raw<{ rows: unknown[] }>(
          `INSERT INTO reactions (message_id, user_id, emoji)
           SELECT ?, ?, ?
            WHERE (SELECT count(*) FROM reactions WHERE message_id = ? AND user_id = ?) < ?
           ON CONFLICT (message_id, user_id, emoji) DO NOTHING
           RETURNING emoji`,
          [messageId, userId, emoji, messageId, userId, MAX_REACTIONS_PER_USER],
        );
        const count = await countOf(messageId, emoji, trx);
        if (inserted.rows.length > 0) return { outcome: 'added', count };
        const mine = await trx('reactions')
          .where({ message_id: messageId, user_id: userId, emoji })
          .first('emoji');
        return { outcome: mine ? 'unchanged' : 'limit', count };
      });
    },

    /** Removes `emoji` by `userId`; whether there was one, and how many have it now. */
    async remove(
      messageId: string,
      userId: string,
      emoji: string,
    ): Promise<{ removed: boolean; count: number }> {
      const n = await db('reactions').where({ message_id: messageId, user_id: userId, emoji }).delete();
      return { removed: n > 0, count: await countOf(messageId, emoji) };
    },

    /**
     * Each message's reactions, in the order their first use, with `me` for `viewerId` (always `false` for
     * `null`: no viewer, as in webhook events). One query over the primary key's (message_id, …) prefix.
     */
    async summaries(messageIds: string[], viewerId: string | null): Promise<Map<string, ReactionSummary[]>> {
      const out = new Map<string, ReactionSummary[]>();
      if (messageIds.length === 0) return out;
      const result = await db.raw<{
        rows: { message_id: string; emoji: string; n: string; me: boolean | null }[];
      }>(
        `SELECT message_id, emoji, count(*) AS n, bool_or(user_id = ?) AS me, min(created_at) AS first_at
           FROM reactions
          WHERE message_id = ANY(?::bigint[])
          GROUP BY message_id, emoji
          ORDER BY message_id, first_at, emoji`,
        [viewerId, messageIds],
      );
      for (const row of result.rows) {
        const id = String(row.message_id);
        let list = out.get(id);
        if (!list) out.set(id, (list = []));
        list.push({ emoji: row.emoji, count: Number(row.n), me: row.me === true });
      }
      return out;
    },
  };
}

export type ReactionsRepository = ReturnType<typeof reactionsRepository>;
