/**
 * The webhook outbox's write side: `recordEvents(conn, events)` stores, in the caller's transaction, one
 * delivery per (event, enabled endpoint of the event's site subscribed to its type). Called in the same
 * transaction as the change an event describes, so a committed change always has its deliveries and a
 * rolled-back one never does; the delivery worker (delivery-worker.ts) sends them after the commit.
 *
 * Endpoints the server disabled (deliveries kept failing) still get deliveries queued, so nothing is lost
 * while the receiver is fixed: they go out once the endpoint is enabled again, or turn `failed` (replayable)
 * when they outlive the retry window. Endpoints their owner disabled get none.
 *
 * One statement whatever the number of events; it inserts nothing (and costs one index probe) for a site
 * without endpoints. Each event gets its id and timestamp here, and its body is serialized once: every
 * attempt to every endpoint POSTs these exact bytes.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { WebhookEvent, WebhookEventType } from '@synctalk/sdk';

/** The site an event belongs to: its internal id (to find endpoints) and public id (for the body). */
export interface EventSite {
  id: string;
  publicId: string;
}

/** One event to record: its site, type, the room it concerns (orders deliveries), and its `data`. */
export type OutboxEvent = {
  [T in WebhookEventType]: {
    site: EventSite;
    type: T;
    /** The room the event is about: deliveries of one room go out one at a time, in commit order. */
    roomId?: string;
    data: Extract<WebhookEvent, { type: T }>['data'];
  };
}[WebhookEventType];

/**
 * Stores the deliveries of `events` through `conn` (the transaction of the change). Resolves with how many
 * deliveries were queued.
 */
export async function recordEvents(conn: Knex, events: readonly OutboxEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const createdAt = new Date().toISOString();
  const rows = events.map((event) => {
    const id = randomUUID();
    const body: WebhookEvent = {
      id,
      type: event.type,
      createdAt,
      siteId: event.site.publicId,
      data: event.data,
    } as WebhookEvent;
    return [
      id,
      event.site.id,
      event.type,
      event.roomId ? `room:${event.roomId}` : `event:${id}`,
      JSON.stringify(body),
    ];
  });
  const values = rows.map(() => '(?::uuid, ?::bigint, ?::text, ?::text, ?::text, ?::int)').join(', ');
  const bindings = rows.flatMap((row, i) => [...row, i]);
  const result = await conn.raw<{ rowCount: number | null }>(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, order_key, body)
     SELECT e.id, v.event_id, v.event_type, v.order_key, v.body
       FROM (VALUES ${values}) AS v(event_id, site_id, event_type, order_key, body, n)
       JOIN webhook_endpoints e
         ON e.site_id = v.site_id AND v.event_type = ANY(e.events)
        AND (e.enabled OR e.disabled_reason IS NOT NULL)
      ORDER BY v.n, e.id`,
    bindings,
  );
  return result.rowCount ?? 0;
}
