/** All SQL about webhook endpoints (a site's receivers). Secrets are stored and returned encrypted. */
import type { WebhookEventType } from '@synctalk/sdk';
import type { Knex } from 'knex';

export interface WebhookEndpointRecord {
  id: string;
  siteId: string;
  url: string;
  description: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: Date | null;
  events: WebhookEventType[];
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface EndpointRow {
  id: string;
  site_id: string;
  url: string;
  description: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

function toEndpoint(row: EndpointRow): WebhookEndpointRecord {
  return {
    id: String(row.id),
    siteId: String(row.site_id),
    url: row.url,
    description: row.description,
    secretEnc: row.secret_enc,
    previousSecretEnc: row.previous_secret_enc,
    previousSecretExpiresAt: row.previous_secret_expires_at && new Date(row.previous_secret_expires_at),
    events: row.events as WebhookEventType[],
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export interface EndpointChanges {
  url?: string;
  events?: WebhookEventType[];
  description?: string;
  enabled?: boolean;
}

export function endpointsRepository(db: Knex) {
  return {
    async create(input: {
      siteId: string;
      url: string;
      description: string;
      events: WebhookEventType[];
      enabled: boolean;
      secretEnc: string;
    }): Promise<WebhookEndpointRecord> {
      const [row] = await db<EndpointRow>('webhook_endpoints')
        .insert({
          site_id: input.siteId,
          url: input.url,
          description: input.description,
          events: input.events,
          enabled: input.enabled,
          secret_enc: input.secretEnc,
        })
        .returning('*');
      return toEndpoint(row as EndpointRow);
    },

    async listBySite(siteId: string): Promise<WebhookEndpointRecord[]> {
      const rows = await db<EndpointRow>('webhook_endpoints').where({ site_id: siteId }).orderBy('id', 'asc');
      return rows.map(toEndpoint);
    },

    /** The endpoint `id` when it belongs to `siteId`. */
    async find(siteId: string, id: string): Promise<WebhookEndpointRecord | undefined> {
      const row = await db<EndpointRow>('webhook_endpoints').where({ id, site_id: siteId }).first();
      return row && toEndpoint(row);
    },

    /**
     * Applies `changes`. Enabling or disabling (by the owner) clears the server's reason: only an endpoint the
     * server disabled keeps queueing deliveries (see outbox.ts).
     */
    async update(
      siteId: string,
      id: string,
      changes: EndpointChanges,
    ): Promise<WebhookEndpointRecord | undefined> {
      const set: Record<string, unknown> = { updated_at: db.fn.now() };
      if (changes.url !== undefined) set.url = changes.url;
      if (changes.events !== undefined) set.events = changes.events;
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.enabled !== undefined) {
        set.enabled = changes.enabled;
        set.disabled_reason = null;
      }
      const [row] = await db<EndpointRow>('webhook_endpoints')
        .where({ id, site_id: siteId })
        .update(set)
        .returning('*');
      return row && toEndpoint(row as EndpointRow);
    },

    async remove(siteId: string, id: string): Promise<boolean> {
      return (await db('webhook_endpoints').where({ id, site_id: siteId }).delete()) > 0;
    },

    /**
     * Replaces the secret. With `overlapSeconds` > 0 the current one becomes the previous one until then;
     * with 0 the previous one is dropped at once.
     */
    async rotateSecret(
      siteId: string,
      id: string,
      secretEnc: string,
      overlapSeconds: number,
    ): Promise<WebhookEndpointRecord | undefined> {
      const keep = overlapSeconds > 0;
      const result = await db.raw<{ rows: EndpointRow[] }>(
        `UPDATE webhook_endpoints
            SET previous_secret_enc = CASE WHEN ? THEN secret_enc END,
                previous_secret_expires_at = CASE WHEN ? THEN now() + ?::int * interval '1 second' END,
                secret_enc = ?,
                updated_at = now()
          WHERE id = ? AND site_id = ?
      RETURNING *`,
        [keep, keep, overlapSeconds, secretEnc, id, siteId],
      );
      const row = result.rows[0];
      return row && toEndpoint(row);
    },

    /** Disables an enabled endpoint with the server's `reason`; false when it was not enabled. */
    async disableWithReason(id: string, reason: string): Promise<boolean> {
      const count = await db('webhook_endpoints')
        .where({ id, enabled: true })
        .update({ enabled: false, disabled_reason: reason, updated_at: db.fn.now() });
      return count > 0;
    },
  };
}

export type EndpointsRepository = ReturnType<typeof endpointsRepository>;
