import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  eventOf,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

describeWith(
  ['postgres'],
  'webhooks: past the retry window a delivery fails, its endpoint is disabled, and replay sends it again',
  () => {
    const { t, http } = useServer({
      label: 'webhooks_window',
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_INTERVAL: '50ms',
        WEBHOOK_RETRY_WINDOW: '3s',
        WEBHOOK_RETRY_BASE: '200ms',
        WEBHOOK_RETRY_MAX: '400ms',
      },
    });
    let admin: TestUser;
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      admin = await newAdmin(t);
      receiver = await startWebhookReceiver({ status: 500, body: 'database down' });
    });
    afterAll(() => receiver.close());

    it('fails it, disables the endpoint with the reason, keeps queueing; a replay gets a new window and goes out in room order', async () => {
      const site = await defaultSite(t);
      const { id } = await createEndpoint(t.url, admin, { url: receiver.url, events: ['message.created'] });
      await queueEvents(t.server.db, [messageCreated(site, '8', 1)]);

      await expect
        .poll(
          async () => (await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers })).body.enabled,
          {
            timeout: 15_000,
          },
        )
        .toBe(false);
      const endpoint = (await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers })).body;
      expect(endpoint.disabledReason).toMatch(
        /^deliveries failing since \d{4}-\d\d-\d\dT.*: HTTP 500: database down$/,
      );
      const page = (await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers })).body;
      expect(page.items[0]).toMatchObject({
        status: 'failed',
        nextAttemptAt: null,
        lastError: 'HTTP 500: database down',
      });
      expect(page.items[0].attempts).toBeGreaterThanOrEqual(3);
      expect(page.items[0].recentAttempts).toHaveLength(page.items[0].attempts);
      const attemptsSoFar = receiver.received.length;
      expect(attemptsSoFar).toBe(page.items[0].attempts);

      // Disabled by the server: new events are still queued, but not sent.
      await queueEvents(t.server.db, [messageCreated(site, '8', 2)]);
      const pending = (
        await http.get(`/v1/site/webhooks/${id}/deliveries?status=pending`, { headers: admin.headers })
      ).body;
      expect(pending.items).toHaveLength(1);

      // The owner replays what failed (receiver not fixed yet) and enables the endpoint: the replay has a
      // retry window of its own, so it is retried rather than failed at once, and the room's second event
      // waits behind it.
      const replay = await http.post(`/v1/site/webhooks/${id}/replay`, { headers: admin.headers, body: {} });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({ queued: 1 });
      const enabled = await http.patch(`/v1/site/webhooks/${id}`, {
        headers: admin.headers,
        body: { enabled: true },
      });
      expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
      const seqOf = (r: (typeof receiver.received)[number]) =>
        (eventOf(r).data.message as { seq: string }).seq;
      await receiver.until(() => receiver.received.length >= attemptsSoFar + 2);
      expect(receiver.received.slice(attemptsSoFar).map(seqOf)).toEqual(
        Array(receiver.received.length - attemptsSoFar).fill('1'),
      );
      const during = (await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers })).body;
      expect(during.items.map((d: { status: string }) => d.status)).toEqual(['pending', 'pending']);

      // The receiver is fixed: both go out, in room order.
      receiver.answer(200);
      await receiver.until(() => receiver.accepted().length === 2);
      expect(receiver.accepted().map(seqOf)).toEqual(['1', '2']);
      await expect
        .poll(async () => {
          const res = await http.get(`/v1/site/webhooks/${id}/deliveries?status=delivered`, {
            headers: admin.headers,
          });
          return res.body.items.length;
        })
        .toBe(2);

      // One delivery replayed on demand, though it was delivered.
      const [latest] = (await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers })).body
        .items;
      const again = await http.post(`/v1/site/webhooks/${id}/deliveries/${latest.id}/replay`, {
        headers: admin.headers,
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: latest.id, status: 'pending' });
      await receiver.until(() => receiver.accepted().length === 3);
      expect(eventOf(receiver.accepted()[2]!).id).toBe(latest.eventId);
      const missing = await http.post(`/v1/site/webhooks/${id}/deliveries/999999/replay`, {
        headers: admin.headers,
      });
      expect(missing.status).toBe(404);
    });

    it('fails the queued deliveries of a disabled endpoint once they outlive the window', async () => {
      const site = await defaultSite(t);
      const { id } = await createEndpoint(t.url, admin, { url: receiver.url, events: ['room.deleted'] });
      await t.server
        .db('webhook_endpoints')
        .where({ id })
        .update({ enabled: false, disabled_reason: 'failing' });
      await queueEvents(t.server.db, [{ site, type: 'room.deleted', data: { roomId: '1', title: 'x' } }]);
      // Created before the window: the sweep (which runs at most every 30 s) is called directly.
      await t.server
        .db('webhook_deliveries')
        .where({ endpoint_id: id })
        .update({
          created_at: t.server.db.raw(`now() - interval '1 minute'`),
        });
      const { deliveriesRepository } = await import('../src/webhooks/deliveries.repository.js');
      expect(await deliveriesRepository(t.server.db).failExpired(3000)).toBe(1);
      const page = (await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers })).body;
      expect(page.items[0]).toMatchObject({ status: 'failed', attempts: 0 });
      expect(page.items[0].lastError).toMatch(/disabled/);
    });
  },
);
