/**
 * Webhook test data: endpoints inserted straight into `webhook_endpoints` (no delivery happens in these
 * tests, so the secret is any string), and the deliveries the outbox stored for them, with their bodies
 * parsed by the contract's `webhookEventSchema`.
 */
import { WEBHOOK_EVENT_TYPES, webhookEventSchema } from '@synctalk/sdk/schemas';
import type { WebhookEvent, WebhookEventType } from '@synctalk/sdk';
import type { Site } from '../../src/sites/sites.repository.js';
import type { TestServer } from './server.js';

/** A stored delivery: its row's columns and its body, parsed (it throws when the body breaks the schema). */
export interface StoredDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  orderKey: string;
  status: string;
  event: WebhookEvent;
}

/** Inserts an enabled endpoint of `site` subscribed to `events` (all by default); returns its id. */
export async function addWebhookEndpoint(
  t: TestServer,
  site: Pick<Site, 'id'>,
  events: readonly WebhookEventType[] = WEBHOOK_EVENT_TYPES,
  options: { enabled?: boolean; disabledReason?: string } = {},
): Promise<string> {
  const [row] = await t.server
    .db('webhook_endpoints')
    .insert({
      site_id: site.id,
      url: 'https://hooks.example/synctalk',
      secret_enc: 'not-a-real-ciphertext',
      events: [...events],
      enabled: options.enabled ?? true,
      disabled_reason: options.disabledReason ?? null,
    })
    .returning('id');
  return String((row as { id: string }).id);
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  order_key: string;
  status: string;
  body: string;
}

/** The deliveries of `endpointId` (after `afterId` when given), oldest first. */
export async function deliveriesOf(
  t: TestServer,
  endpointId: string,
  afterId = '0',
): Promise<StoredDelivery[]> {
  const rows = (await t.server
    .db('webhook_deliveries')
    .where({ endpoint_id: endpointId })
    .andWhere('id', '>', afterId)
    .orderBy('id')) as DeliveryRow[];
  return rows.map((row) => ({
    id: String(row.id),
    endpointId: String(row.endpoint_id),
    eventId: row.event_id,
    eventType: row.event_type,
    orderKey: row.order_key,
    status: row.status,
    event: webhookEventSchema.parse(JSON.parse(row.body)) as WebhookEvent,
  }));
}

/** How many deliveries are stored for any endpoint of `site` (every site when omitted). */
export async function countDeliveries(t: TestServer, site?: Pick<Site, 'id'>): Promise<number> {
  const q = t.server.db('webhook_deliveries as d');
  if (site) q.join('webhook_endpoints as e', 'e.id', 'd.endpoint_id').where('e.site_id', site.id);
  const [row] = await q.count<{ count: string }[]>({ count: '*' });
  return Number(row!.count);
}

/** The id of the newest delivery (`'0'` when none): pass it to `deliveriesOf` for "what came after". */
export async function lastDeliveryId(t: TestServer): Promise<string> {
  const row = (await t.server.db('webhook_deliveries').max({ id: 'id' }).first()) as { id: string | null };
  return row?.id ? String(row.id) : '0';
}

let triggers = 0;

/**
 * Makes every commit that inserted or updated a row of `table` for which `condition` (SQL on `NEW`) holds
 * fail, through a deferred constraint trigger: it fires at commit, after the change's events were recorded,
 * so the whole transaction is rolled back. For atomicity tests; the returned function removes it.
 */
export async function failCommitsWhen(
  t: TestServer,
  table: string,
  condition: string,
): Promise<() => Promise<void>> {
  triggers += 1;
  const name = `test_fail_commit_${triggers}`;
  await t.server.db.raw(
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF ${condition} THEN
         RAISE EXCEPTION 'refused by the test trigger' USING ERRCODE = 'check_violation';
       END IF;
       RETURN NEW;
     END $$`,
  );
  await t.server.db.raw(
    `CREATE CONSTRAINT TRIGGER ${name} AFTER INSERT OR UPDATE ON ${table}
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  );
  return async () => {
    await t.server.db.raw(`DROP TRIGGER IF EXISTS ${name} ON ${table}`);
    await t.server.db.raw(`DROP FUNCTION IF EXISTS ${name}()`);
  };
}
