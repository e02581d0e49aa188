/**
 * Counts the SQL queries an in-process node runs (knex's `query` event), to prove that work was or was not
 * done: optionally only those whose bindings include one of `values` (e.g. a room id), so other traffic of
 * the node does not count.
 *
 * ```ts
 * const queries = countQueries(node.server.db, [room.id]);
 * await ack(socket, 'message:send', payload);
 * expect(queries.count).toBe(3);
 * queries.stop();
 * ```
 */
import type { Knex } from 'knex';

export interface QueryCount {
  readonly count: number;
  /** Starts counting from zero again. */
  reset(): void;
  stop(): void;
}

export function countQueries(db: Knex, values?: string[]): QueryCount {
  let count = 0;
  const wanted = values && new Set(values);
  const listener = (query: { bindings?: unknown[] }) => {
    if (!wanted || (query.bindings ?? []).some((b) => wanted.has(String(b)))) count += 1;
  };
  db.on('query', listener);
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
    stop() {
      db.removeListener('query', listener);
    },
  };
}
