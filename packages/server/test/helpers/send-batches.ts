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
