/**
 * The webhook metrics: deliveries waiting (`synctalk_webhook_deliveries_pending`), and this node's attempts
 * by outcome (`synctalk_webhook_attempts_total`) as a receiver first refuses, then accepts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, type TestUser } from './helpers/factories.js';
import { request } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnop';

/** The value of one series in a scrape (0 when absent). */
async function series(url: string, line: string): Promise<number> {
  const res = await request(url, 'GET', '/metrics', { token: TOKEN });
  expect(res.status).toBe(200);
  const match = new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(String(res.body));
  return match ? Number(match[1]) : 0;
}

describeWith(['postgres'], 'metrics: webhook deliveries', () => {
  const { t } = useServer({
    label: 'metrics_webhooks',
    env: {
      METRICS_TOKEN: TOKEN,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_INTERVAL: '100ms',
      WEBHOOK_RETRY_BASE: '200ms',
      WEBHOOK_RETRY_MAX: '1s',
      // Attempts the receiver leaves hanging fail quickly.
      WEBHOOK_TIMEOUT: '300ms',
    },
  });
  let admin: TestUser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    admin = await newAdmin(t);
    receiver = await startWebhookReceiver('hang');
  });
  afterAll(() => receiver.close());

  it('counts pending deliveries and attempts by outcome', async () => {
    const site = await defaultSite(t);
    await createEndpoint(t.url, admin, { url: receiver.url, events: ['message.created'] });
    await queueEvents(t.server.db, [messageCreated(site, '5', 1), messageCreated(site, '6', 1)]);
    expect(await series(t.url, 'synctalk_webhook_deliveries_pending')).toBe(2);

    // Whatever was left hanging times out; then two refusals; then accepted.
    let refusals = 0;
    receiver.answer(() => (refusals++ < 2 ? 503 : 204));
    await receiver.until(() => receiver.accepted().length === 2, 15_000, 'both deliveries');
    await expect
      .poll(() => series(t.url, 'synctalk_webhook_attempts_total{outcome="delivered"}'), { timeout: 5000 })
      .toBe(2);
    expect(await series(t.url, 'synctalk_webhook_attempts_total{outcome="failed"}')).toBeGreaterThanOrEqual(
      2,
    );
    expect(await series(t.url, 'synctalk_webhook_deliveries_pending')).toBe(0);
    expect(await series(t.url, 'synctalk_webhook_deliveries_failed_total')).toBe(0);
  });
});
