/**
 * All SQL about webhook deliveries (the outbox rows recordEvents() writes) and their attempts: the worker's
 * claim and outcomes, the sweep of deliveries that outlived their retry window, and the admin listings and
 * replays.
 *
 * A delivery is claimable when it is pending and due, its endpoint is enabled, no worker holds its lease, and
 * it is the head of its (endpoint, order_key): no older pending delivery with that key exists, leased or not.
 * So a room's events reach an endpoint one at a time, in order, even while one of them is being retried.
 */
import type { WebhookEventType } from '@synctalk/sdk';
import type { Knex } from 'knex';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A delivery a worker claimed: what it needs to POST it. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  body: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  createdAt: Date;
  url: string;
  secretEnc: string;
  /** The previous secret while its overlap lasts, else null. */
  previousSecretEnc: string | null;
}

export interface DeliveryRecord {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
  deliveredAt: Date | null;
  lastError: string | null;
}

export interface AttemptRecord {
  deliveryId: string;
  at: Date;
  ok: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** One attempt's outcome, as the worker records it. */
export interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  delivered_at: Date | null;
  last_error: string | null;
}

const date = (v: Date | string) => new Date(v);

/** A non-negative whole number, safe to write into SQL. */
function integer(value: number): number {
  const n = Math.round(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    eventId: row.event_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: date(row.next_attempt_at),
    createdAt: date(row.created_at),
    deliveredAt: row.delivered_at && date(row.delivered_at),
    lastError: row.last_error,
  };
}

const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'event_id',
  'event_type',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'delivered_at',
  'last_error',
];

export function deliveriesRepository(db: Knex) {
  async function insertAttempt(conn: Knex, deliveryId: string, outcome: AttemptOutcome): Promise<void> {
    await conn('webhook_attempts').insert({
      delivery_id: deliveryId,
      ok: outcome.ok,
      response_status: outcome.status,
      duration_ms: outcome.durationMs,
      error: outcome.error,
    });
  }

  return {
    /**
     * Claims up to `limit` due deliveries (heads of their order key, of enabled endpoints), leasing them for
     * `leaseMs` and counting the attempt, in one statement: it commits before any POST goes out.
     */
    async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
      // Numbers from the configuration, written into the SQL: the worker's statements carry no bindings, so
      // they never look like a request's work to anything watching queries for an id.
      const n = integer(limit);
      const lease = integer(leaseMs);
      const result = await db.raw<{
        rows: {
          id: string;
          endpoint_id: string;
          event_id: string;
          event_type: string;
          body: string;
          attempts: number;
          created_at: Date;
          url: string;
          secret_enc: string;
          previous_secret_enc: string | null;
        }[];
      }>(
        `WITH heads AS (
           -- The oldest pending delivery of each (endpoint, order key) of the enabled endpoints: one pass
           -- over the order index, however many deliveries wait behind their head.
           SELECT DISTINCT ON (endpoint_id, order_key) id
             FROM webhook_deliveries
            WHERE status = 'pending'
              AND endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled)
            ORDER BY endpoint_id, order_key, id
         ), due AS (
           SELECT d.id
             FROM heads h
             JOIN webhook_deliveries d ON d.id = h.id
            WHERE d.status = 'pending'
              AND d.next_attempt_at <= now()
              AND (d.lease_until IS NULL OR d.lease_until <= now())
            ORDER BY d.next_attempt_at, d.id
            LIMIT ${n}
              FOR UPDATE OF d SKIP LOCKED
         )
         UPDATE webhook_deliveries d
            SET attempts = d.attempts + 1,
                lease_until = now() + interval '${lease} milliseconds'
           FROM due, webhook_endpoints e
          WHERE d.id = due.id AND e.id = d.endpoint_id
      RETURNING d.id, d.endpoint_id, d.event_id, d.event_type, d.body, d.attempts, d.created_at, e.url,
                e.secret_enc,
                CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_enc END
                  AS previous_secret_enc`,
      );
      return result.rows
        .map((r) => ({
          id: String(r.id),
          endpointId: String(r.endpoint_id),
          eventId: r.event_id,
          eventType: r.event_type,
          body: r.body,
          attempt: Number(r.attempts),
          createdAt: date(r.created_at),
          url: r.url,
          secretEnc: r.secret_enc,
          previousSecretEnc: r.previous_secret_enc,
        }))
        .sort((a, b) => Number(a.id) - Number(b.id));
    },

    /** Records a successful attempt: the delivery is delivered (even if another worker took it over). */
    /** How many deliveries wait to be sent, due or not (over the partial index of pending ones). */
    async countPending(): Promise<number> {
      const row = await db('webhook_deliveries')
        .where({ status: 'pending' })
        .count<{ n: string }[]>({ n: '*' })
        .first();
      return Number(row?.n ?? 0);
    },

    async recordSuccess(id: string, outcome: AttemptOutcome): Promise<void> {
      await db.transaction(async (trx) => {
        await insertAttempt(trx, id, outcome);
        await trx('webhook_deliveries').where({ id, status: 'pending' }).update({
          status: 'delivered',
          delivered_at: trx.fn.now(),
          lease_until: null,
          last_error: null,
        });
      });
    },

    /**
     * Records a failed attempt number `attempt`: the delivery is due again at `nextAttemptAt`, or, when that
     * is null (the retry window is over), `failed`; then resolves with when its attempts began failing.
     * Changes nothing but the attempt log when another worker has claimed the delivery since (its lease ran
     * out).
     */
    async recordFailure(
      id: string,
      attempt: number,
      outcome: AttemptOutcome,
      nextAttemptAt: Date | null,
    ): Promise<{ failed: false } | { failed: true; endpointId: string; failingSince: Date }> {
      return db.transaction(async (trx) => {
        await insertAttempt(trx, id, outcome);
        const changes = nextAttemptAt
          ? { next_attempt_at: nextAttemptAt, lease_until: null, last_error: outcome.error }
          : { status: 'failed', failed_at: trx.fn.now(), lease_until: null, last_error: outcome.error };
        const [row] = (await trx('webhook_deliveries')
          .where({ id, status: 'pending', attempts: attempt })
          .update(changes)
          .returning(['endpoint_id'])) as { endpoint_id: string }[];
        if (!row || nextAttemptAt) return { failed: false };
        // Since it was (last) queued: a replayed delivery's earlier round does not count.
        const since = await trx('webhook_attempts')
          .where({ delivery_id: id, ok: false })
          .whereRaw('at >= (SELECT created_at FROM webhook_deliveries WHERE id = ?)', [id])
          .min<{ min: Date | null }>('at as min')
          .first();
        return {
          failed: true,
          endpointId: String(row.endpoint_id),
          failingSince: since?.min ? date(since.min) : new Date(),
        };
      });
    },

    /** Records an attempt cut short by this node stopping; the delivery is due again at once. */
    async release(id: string, attempt: number, outcome: AttemptOutcome): Promise<void> {
      await db.transaction(async (trx) => {
        await insertAttempt(trx, id, outcome);
        await trx('webhook_deliveries')
          .where({ id, status: 'pending', attempts: attempt })
          .update({ lease_until: null, next_attempt_at: trx.fn.now(), last_error: outcome.error });
      });
    },

    /**
     * Marks `failed` the pending deliveries of endpoints that are not enabled (disabled by the server, or by
     * their owner after they were queued) once they outlive the retry window. Resolves with how many.
     */
    async failExpired(windowMs: number): Promise<number> {
      const result = await db.raw<{ rowCount: number | null }>(
        `UPDATE webhook_deliveries d
            SET status = 'failed', failed_at = now(), lease_until = NULL,
                last_error = COALESCE(d.last_error, 'not delivered: the endpoint was disabled')
           FROM webhook_endpoints e
          WHERE e.id = d.endpoint_id AND NOT e.enabled
            AND d.status = 'pending'
            AND d.created_at + interval '${integer(windowMs)} milliseconds' <= now()
            AND (d.lease_until IS NULL OR d.lease_until <= now())`,
      );
      return result.rowCount ?? 0;
    },

    /** A page of an endpoint's deliveries, newest first, older than `beforeId` when given. */
    async page(
      endpointId: string,
      options: { status?: DeliveryStatus; beforeId?: string; limit: number },
    ): Promise<DeliveryRecord[]> {
      const q = db<DeliveryRow>('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where({ endpoint_id: endpointId })
        .orderBy('id', 'desc')
        .limit(options.limit);
      if (options.status) q.where({ status: options.status });
      if (options.beforeId) q.where('id', '<', options.beforeId);
      return ((await q) as unknown as DeliveryRow[]).map(toDelivery);
    },

    async find(endpointId: string, id: string): Promise<DeliveryRecord | undefined> {
      const row = (await db<DeliveryRow>('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where({ endpoint_id: endpointId, id })
        .first()) as DeliveryRow | undefined;
      return row && toDelivery(row);
    },

    /** The latest `perDelivery` attempts of each delivery, newest first. */
    async recentAttempts(deliveryIds: string[], perDelivery: number): Promise<Map<string, AttemptRecord[]>> {
      const byDelivery = new Map<string, AttemptRecord[]>();
      if (deliveryIds.length === 0) return byDelivery;
      const result = await db.raw<{
        rows: {
          delivery_id: string;
          at: Date;
          ok: boolean;
          response_status: number | null;
          duration_ms: number;
          error: string | null;
        }[];
      }>(
        `SELECT delivery_id, at, ok, response_status, duration_ms, error
           FROM (SELECT a.*, row_number() OVER (PARTITION BY delivery_id ORDER BY id DESC) AS n
                   FROM webhook_attempts a
                  WHERE delivery_id IN (${deliveryIds.map(() => '?').join(', ')})) ranked
          WHERE n <= ?
          ORDER BY delivery_id, n`,
        [...deliveryIds, perDelivery],
      );
      for (const r of result.rows) {
        const key = String(r.delivery_id);
        const list = byDelivery.get(key) ?? [];
        list.push({
          deliveryId: key,
          at: date(r.at),
          ok: r.ok,
          responseStatus: r.response_status === null ? null : Number(r.response_status),
          durationMs: Number(r.duration_ms),
          error: r.error,
        });
        byDelivery.set(key, list);
      }
      return byDelivery;
    },

    /**
     * Queues a delivery that is not pending (failed, or delivered and wanted again) for one more round:
     * due at once. Undefined when it is not the endpoint's; a pending one is left as it is.
     */
    async replayOne(endpointId: string, id: string): Promise<DeliveryRecord | undefined> {
      const [row] = (await db('webhook_deliveries')
        .where({ endpoint_id: endpointId, id })
        .whereNot({ status: 'pending' })
        .update(replayChanges(db))
        .returning(DELIVERY_COLUMNS)) as unknown as DeliveryRow[];
      return row ? toDelivery(row) : this.find(endpointId, id);
    },

    /** Queues again every failed delivery of the endpoint (created at or after `since`). */
    async replayFailed(endpointId: string, since?: Date): Promise<number> {
      const q = db('webhook_deliveries').where({ endpoint_id: endpointId, status: 'failed' });
      if (since) q.where('created_at', '>=', since);
      return q.update(replayChanges(db));
    },
  };
}

/**
 * A replayed delivery is pending and due now, queued again: its retry window starts over (`created_at` is
 * when it was last queued; the event's own time is in its body), so a replay is retried like a new event
 * rather than failing, and disabling its endpoint again, at its first refused attempt.
 */
function replayChanges(db: Knex) {
  return {
    status: 'pending',
    next_attempt_at: db.fn.now(),
    created_at: db.fn.now(),
    lease_until: null,
    failed_at: null,
    delivered_at: null,
  };
}

export type DeliveriesRepository = ReturnType<typeof deliveriesRepository>;
