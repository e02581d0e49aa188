/**
 * The delivery worker on the embedded database (PGlite, one connection): messages sent over REST are
 * delivered in order and a failed attempt is retried.
 */
import { verifyWebhook } from '@synctalk/sdk/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAdmin, roomOfTwo } from './helpers/factories.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  eventOf,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

const ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_POLL_INTERVAL: '50ms',
  WEBHOOK_RETRY_BASE: '100ms',
  WEBHOOK_RETRY_MAX: '200ms',
};

describe('webhooks on the embedded database', () => {
  const { t, http } = useServer({ services: [], env: ENV });
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it('delivers sent messages in order, retrying a refused attempt', async () => {
    let calls = 0;
    receiver.answer(() => (++calls === 2 ? 500 : 200));
    const admin = await newAdmin(t);
    const { secret } = await createEndpoint(t.url, admin, { url: receiver.url, events: ['message.created'] });
    const { alice, room } = await roomOfTwo(t);
    for (let i = 1; i <= 5; i += 1) {
      const res = await http.post(`/v1/rooms/${room.id}/messages`, {
        headers: alice.headers,
        body: { clientMsgId: `e-${i}`, text: `hello ${i}` },
      });
      expect(res.status).toBe(201);
    }
    await receiver.until(() => receiver.accepted().length === 5);
    expect(receiver.received).toHaveLength(6);
    const texts = receiver.accepted().map((r) => {
      verifyWebhook(r.body, r.headers, secret);
      return (eventOf(r).data.message as { text: string }).text;
    });
    expect(texts).toEqual(['hello 1', 'hello 2', 'hello 3', 'hello 4', 'hello 5']);
  });
});
