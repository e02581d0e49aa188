/**
 * Records the group-commit statements a node runs (`messagesRepository.createMany`, seen through knex's
 * `query` event): the clientMsgIds of each batch, in the order they were sent, to prove that sends were
 * stored together (or apart).
 *
 * ```ts
 * const batches = recordSendBatches(node.server.db);
 * await Promise.all(sends);
 * expect(batches.list.length).toBeLessThan(sends.length);
 * batches.stop();
 * ```
 */
import type { Knex } from 'knex';

/** Bindings per stored row in the batch statement: ord, room id, author id, clientMsgId, text, replyTo. */
const BINDINGS_PER_ROW = 6;
const CLIENT_MSG_ID = 3;

export interface SendBatches {
  /** Each batch statement's clientMsgIds, in the order the statements were sent. */
  readonly list: string[][];
  stop(): void;
}

export function recordSendBatches(db: Knex): SendBatches {
  const list: string[][] = [];
  const listener = (query: { sql?: string; bindings?: unknown[] }) => {
    if (!query.sql?.includes('INSERT INTO messages')) return;
    const bindings = query.bindings ?? [];
    const ids: string[] = [];
    for (let i = CLIENT_MSG_ID; i < bindings.length; i += BINDINGS_PER_ROW) ids.push(String(bindings[i]));
    list.push(ids);
  };
  db.on('query', listener);
  return {
    list,
    stop() {
      db.removeListener('query', listener);
    },
  };
}

/**
 * Holds room `roomId`'s row lock in a transaction of its own until `release()`: sends to the room (and the
 * batches that carry them) wait meanwhile, so a test can line sends up behind them.
 */
export async function lockRoom(
  db: Knex,
  roomId: string,
): Promise<{ trx: Knex.Transaction; release(): Promise<void> }> {
  const trx = await db.transaction();
  await trx.raw('SELECT id FROM rooms WHERE id = ? FOR UPDATE', [roomId]);
  return {
    trx,
    async release() {
      await trx.commit();
    },
  };
}

/** Resolves once at least `count` statements of the database wait for a lock. */
export async function lockWaiters(db: Knex, count: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const result = await db.raw<{ rows: { waiting: number }[] }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (result.rows[0]!.waiting >= count) return;
    if (Date.now() > until) throw new Error(`fewer than ${count} statements waited for a lock`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Counts, per clientMsgId, the send path's look-up of a stored message (the service's early idempotency
 * check, which comes right before a send is queued for its batch).
 */
export function recordLookups(db: Knex): { count(clientMsgId: string): number; stop(): void } {
  const counts = new Map<string, number>();
  const listener = (_response: unknown, query: { sql?: string; bindings?: unknown[] }) => {
    if (!query.sql?.includes('WHERE m.room_id = ') || !query.sql.includes('m.client_msg_id')) return;
    const key = String(query.bindings?.[1]);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  db.on('query-response', listener);
  return {
    count: (clientMsgId) => counts.get(clientMsgId) ?? 0,
    stop() {
      db.removeListener('query-response', listener);
    },
  };
}
