import { verifyWebhook, WebhookVerificationError } from '@synctalk/sdk/server';
import { webhookEventSchema } from '@synctalk/sdk/schemas';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

describeWith(['postgres'], 'webhooks: a delivery is a signed POST the SDK verifies', () => {
  const { t, http } = useServer({
    label: 'webhooks_signed',
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL: '100ms' },
  });
  let admin: TestUser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    admin = await newAdmin(t);
    receiver = await startWebhookReceiver(204);
  });
  afterAll(() => receiver.close());

  it('POSTs the event as JSON with its id, type and a signature over the exact body', async () => {
    const site = await defaultSite(t);
    const { id, secret } = await createEndpoint(t.url, admin, {
      url: receiver.url,
      events: ['message.created'],
    });
    // Not subscribed: never sent.
    await queueEvents(t.server.db, [
      { site, type: 'room.deleted', roomId: '77', data: { roomId: '77', title: 'gone' } },
      messageCreated(site, '77', 1, 'hello'),
    ]);
    await receiver.until(() => receiver.received.length >= 1);

    const [got] = receiver.received;
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['user-agent']).toMatch(/^SyncTalk-Webhooks\//);
    const event = verifyWebhook(got!.body, got!.headers, secret);
    expect(webhookEventSchema.parse(event)).toMatchObject({
      type: 'message.created',
      siteId: site.publicId,
      data: { roomId: '77', message: { text: 'hello', seq: '1' } },
    });
    expect(got!.headers['synctalk-event-id']).toBe(event.id);
    expect(got!.headers['synctalk-event-type']).toBe('message.created');
    expect(got!.headers['synctalk-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    // Tampered body, another secret, a stale timestamp: refused.
    expect(() => verifyWebhook(got!.body.replace('hello', 'HELLO'), got!.headers, secret)).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyWebhook(got!.body, got!.headers, 'whsec_other')).toThrow(/does not match/);
    expect(() => verifyWebhook(got!.body, got!.headers, secret, { now: Date.now() + 600_000 })).toThrow(
      expect.objectContaining({ reason: 'stale' }),
    );

    await expect
      .poll(
        async () => (await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers })).body,
      )
      .toMatchObject({
        items: [
          {
            eventId: event.id,
            eventType: 'message.created',
            status: 'delivered',
            attempts: 1,
            recentAttempts: [{ ok: true, responseStatus: 204, error: null }],
          },
        ],
        nextCursor: null,
      });
    expect(receiver.received).toHaveLength(1);
  });
});
