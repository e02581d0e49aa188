/**
 * Closing a server with a delivery in flight: the worker aborts the POST, records the attempt as cut short
 * and leaves the delivery due at once (not leased), before the database closes; another node sends it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { newAdmin, roomOfTwo } from './helpers/factories.js';
import { startTestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { createEndpoint, startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

const ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL: '50ms', WEBHOOK_TIMEOUT: '60s' };

describeWith(['postgres'], 'webhooks: a server closing mid-delivery', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    database = await createTestDatabase('webhooks_shutdown');
    receiver = await startWebhookReceiver('hang');
  });
  afterAll(async () => {
    await receiver.close();
    await database.drop();
  });

  it(
    'records the cut-short attempt and leaves the delivery for the next node',
    { timeout: 60_000 },
    async () => {
      const first = await startTestServer({ databaseUrl: database.url, env: ENV });
      const admin = await newAdmin(first);
      await createEndpoint(first.url, admin, { url: receiver.url, events: ['message.created'] });
      const { alice, room } = await roomOfTwo(first);
      const sent = await fetch(`${first.url}/v1/rooms/${room.id}/messages`, {
        method: 'POST',
        headers: { ...alice.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ clientMsgId: 'x', text: 'hang on' }),
      });
      expect(sent.status).toBe(201);
      await receiver.until(() => receiver.received.length === 1);
      // Without the abort this would wait for the 60 s timeout (and the test's own timeout would end it).
      await first.close();

      receiver.answer(200);
      const second = await startTestServer({ databaseUrl: database.url, env: ENV });
      try {
        const [delivery] = await second.server.db('webhook_deliveries').select('*');
        // The first attempt (this node's may follow at any moment): cut short, recorded before the close.
        const [cut] = await second.server.db('webhook_attempts').orderBy('id').limit(1);
        expect(cut).toMatchObject({ ok: false, response_status: null });
        expect(cut.error).toMatch(/shutting down/);
        await receiver.until(() => receiver.accepted().length === 1);
        expect(receiver.received.map((r) => JSON.parse(r.body).id)).toEqual([
          delivery.event_id,
          delivery.event_id,
        ]);
        await expect
          .poll(async () => (await second.server.db('webhook_attempts').orderBy('id')).map((a) => a.ok))
          .toEqual([false, true]);
      } finally {
        await second.close();
      }
    },
  );
});
