/**
 * Failed deliveries are logged at warn with ids and the status, never with the endpoint's secret, the event's
 * body or what the receiver answered (that stays in the attempt log, for the site's admins).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

describeWith(['postgres'], 'webhooks: what failed deliveries log', () => {
  const { t } = useServer({
    label: 'webhooks_logs',
    logs: true,
    env: {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_INTERVAL: '50ms',
      WEBHOOK_RETRY_WINDOW: '1s',
      WEBHOOK_RETRY_BASE: '200ms',
      WEBHOOK_RETRY_MAX: '200ms',
    },
  });
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver({ status: 500, body: 'receiver-private-detail' });
  });
  afterAll(() => receiver.close());

  it('warns with ids and the status, then that the endpoint was disabled, without secrets or bodies', async () => {
    const site = await defaultSite(t);
    const admin = await newAdmin(t);
    const { id, secret } = await createEndpoint(t.url, admin, {
      url: receiver.url,
      events: ['message.created'],
    });
    await queueEvents(t.server.db, [messageCreated(site, '42', 1, 'event-private-text')]);
    const disabled = () =>
      t.logs.lines().find((l) => /webhook endpoint disabled/.test(l.msg) && l.endpointId === id);
    await receiver.until(() => disabled() !== undefined, 20_000, 'the endpoint disabled');

    const failures = t.logs.lines().filter((l) => /webhook delivery failed/.test(l.msg));
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]).toMatchObject({ level: 40, endpointId: id, status: 500, attempt: 1 });
    expect(failures[0].msg).toBe('webhook delivery failed: HTTP 500');
    expect(failures[0].eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(disabled()).toMatchObject({ level: 40 });
    const text = t.logs.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain('whsec_');
    expect(text).not.toContain('event-private-text');
    expect(text).not.toContain('receiver-private-detail');
  });
});
