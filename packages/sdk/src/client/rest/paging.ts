/** Walking keyset-paged listings: every item of every page, fetched one page at a time as they are read. */
import type { CallOptions } from './call.js';

/**
 * Options of the `iterate…` methods: how many items each request asks for, and where to start.
 *
 * @example
 * ```ts
 * for await (const room of client.rooms.iterate({ pageSize: 100, signal: controller.signal })) show(room);
 * ```
 */
export interface IterateOptions extends CallOptions {
  /** Items per request, 1–100 (default 20: the server's page size). */
  pageSize?: number;
  /** Continue from a `nextCursor` a listing returned earlier, instead of from the start. */
  cursor?: string;
}

/** One keyset page: `nextCursor` is `null` on the last one. */
export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Yields every item of a keyset-paged listing in its order, asking for the next page (`fetchPage` with the
 * `pageSize` as `limit`, the cursor and the signal) only once the items of the previous one were read, and
 * stopping after the page without a `nextCursor`. Leaving the loop early (`break`, `return`, a throw) fetches
 * nothing more. An aborted `signal` rejects the pending read with its reason.
 *
 * @example
 * ```ts
 * const rooms = keysetItems(client.rooms.myRooms, { pageSize: 50 });
 * for await (const room of rooms) console.log(room.title);
 * ```
 */
export async function* keysetItems<T>(
  fetchPage: (page: { limit?: number; cursor?: string; signal?: AbortSignal }) => Promise<KeysetPage<T>>,
  options: IterateOptions = {},
): AsyncGenerator<T, void, undefined> {
  const { signal, pageSize: limit } = options;
  let cursor = options.cursor;
  do {
    signal?.throwIfAborted();
    const page = await fetchPage({ limit, cursor, signal });
    for (const item of page.items) yield item;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
