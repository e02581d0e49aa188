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
  const queued = result.rowCount ?? 0;
  if (queued > 0) signalQueued(conn);
  return queued;
}

/** Who wants to know that deliveries were committed, per database (Knex client: shared by its transactions). */
const queuedListeners = new WeakMap<object, Set<() => void>>();

/**
 * Calls `listener` whenever deliveries queued through `db` (or a transaction of it) have been committed: the
 * node's delivery worker then looks at once instead of at its next poll. Returns the unsubscribe function.
 */
export function onDeliveriesQueued(db: Knex, listener: () => void): () => void {
  let set = queuedListeners.get(db.client);
  if (!set) queuedListeners.set(db.client, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/**
 * Tells the listeners of `conn`'s database that deliveries were queued: once the transaction commits when
 * `conn` is one (not at all when it rolls back), at once otherwise (a statement of its own has committed).
 */
export function signalQueued(conn: Knex): void {
  const listeners = queuedListeners.get(conn.client);
  if (!listeners?.size) return;
  const fire = () => {
    for (const listener of listeners) listener();
  };
  const trx = conn as Knex.Transaction;
  if (trx.isTransaction) trx.executionPromise.then(fire, () => undefined);
  else fire();
}

/** An ISO 8601 UTC timestamp with milliseconds, as `Date.prototype.toISOString` writes it. */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * SQL for the `message.created` deliveries of messages a statement just inserted, to put in that statement
 * as data-modifying CTEs (the send path is one statement, so its webhooks cost no extra round trip and no
 * longer lock on the room). `inserted` names the CTE of the inserted rows (`RETURNING *` of `messages`).
 * The body is built in SQL with the fields of the REST `Message`; its bytes (PostgreSQL's JSON layout) are
 * what every attempt sends and signs. Each message gets one event id, shared by all its endpoints.
 *
 * Deliveries are numbered in `(room, seq)` order: the statement holds the room's lock, so a room's events are
 * numbered in seq order across statements and nodes too.
 */
export function messageCreatedDeliveriesSql(inserted: string): string {
  return `message_events AS MATERIALIZED (
           SELECT id, gen_random_uuid() AS event_id FROM ${inserted}
         ), message_deliveries AS (
           INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, order_key, body)
           SELECT e.id, ev.event_id, 'message.created', 'room:' || mm.room_id,
                  json_build_object(
                    'id', ev.event_id,
                    'type', 'message.created',
                    'createdAt', ${iso('mm.created_at')},
                    'siteId', s.public_id,
                    'data', json_build_object(
                      'roomId', mm.room_id::text,
                      'message', json_build_object(
                        'id', mm.id::text,
                        'roomId', mm.room_id::text,
                        'seq', mm.seq::text,
                        'author', json_build_object(
                          'id', au.id::text, 'displayName', au.display_name, 'avatarUrl', au.avatar_url),
                        'clientMsgId', mm.client_msg_id,
                        'text', mm.text,
                        'replyTo', mm.reply_to::text,
                        'createdAt', ${iso('mm.created_at')},
                        'editedAt', NULL,
                        'deletedAt', NULL,
                        'reactions', '[]'::json)))::text
             FROM ${inserted} mm
             JOIN message_events ev ON ev.id = mm.id
             JOIN rooms wr ON wr.id = mm.room_id
             JOIN sites s ON s.id = wr.site_id
             JOIN users au ON au.id = mm.author_id
             JOIN webhook_endpoints e
               ON e.site_id = wr.site_id AND 'message.created' = ANY(e.events)
              AND (e.enabled OR e.disabled_reason IS NOT NULL)
            ORDER BY mm.room_id, mm.seq, e.id
           RETURNING id
         )`;
}

/**
 * A column for the final SELECT of a statement using `messageCreatedDeliveriesSql`: how many deliveries it
 * queued (`queued_deliveries`), so the caller can `signalQueued` after it.
 */
export const QUEUED_DELIVERIES_COLUMN = '(SELECT count(*) FROM message_deliveries)::int AS queued_deliveries';
