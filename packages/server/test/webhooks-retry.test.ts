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
  'webhooks: a failed attempt is retried with backoff, and every attempt is listed',
  () => {
    const { t, http } = useServer({
      label: 'webhooks_retry',
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_INTERVAL: '50ms',
        WEBHOOK_RETRY_BASE: '200ms',
        WEBHOOK_RETRY_MAX: '1s',
      },
    });
    let admin: TestUser;
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      admin = await newAdmin(t);
      receiver = await startWebhookReceiver();
    });
    afterAll(() => receiver.close());

    it('answers 500 twice, then 200: delivered on the third attempt, with the attempts listed newest first', async () => {
      const site = await defaultSite(t);
      let calls = 0;
      receiver.answer(() => (++calls <= 2 ? { status: 500, body: 'boom '.repeat(1000) } : 200));
      const { id } = await createEndpoint(t.url, admin, { url: receiver.url, events: ['message.created'] });
      await queueEvents(t.server.db, [messageCreated(site, '5', 1)]);
      await receiver.until(() => receiver.accepted().length === 1);
      // The same event (id and bytes) each time.
      expect(new Set(receiver.received.map((r) => eventOf(r).id)).size).toBe(1);
      expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);

      await expect
        .poll(async () => {
          const page = await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers });
          return page.body.items[0];
        })
        .toMatchObject({ status: 'delivered', attempts: 3, lastError: null, nextAttemptAt: null });
      const page = await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers });
      const attempts = page.body.items[0].recentAttempts;
      expect(attempts.map((a: { ok: boolean; responseStatus: number }) => [a.ok, a.responseStatus])).toEqual([
        [true, 200],
        [false, 500],
        [false, 500],
      ]);
      // The receiver's answer is kept short in the error text.
      expect(attempts[1].error).toMatch(/^HTTP 500: boom/);
      expect(attempts[1].error.length).toBeLessThan(400);
      // Backoff: the retries were not immediate.
      const times = attempts.map((a: { at: string }) => Date.parse(a.at)).reverse();
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(90);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(190);
    });

    it('lists deliveries newest first in keyset pages, filtered by status', async () => {
      const site = await defaultSite(t);
      receiver.answer(200);
      const { id } = await createEndpoint(t.url, admin, { url: receiver.url, events: ['room.deleted'] });
      await queueEvents(
        t.server.db,
        [1, 2, 3, 4, 5].map((n) => ({
          site,
          type: 'room.deleted' as const,
          data: { roomId: String(n), title: `r${n}` },
        })),
      );
      await expect
        .poll(async () => {
          const res = await http.get(`/v1/site/webhooks/${id}/deliveries?status=delivered&limit=100`, {
            headers: admin.headers,
          });
          return res.body.items.length;
        })
        .toBe(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await http.get(
          `/v1/site/webhooks/${id}/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { headers: admin.headers },
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
      const tampered = await http.get(`/v1/site/webhooks/${id}/deliveries?cursor=abc.def`, {
        headers: admin.headers,
      });
      expect(tampered.status).toBe(400);
      const failedOnly = await http.get(`/v1/site/webhooks/${id}/deliveries?status=failed`, {
        headers: admin.headers,
      });
      expect(failedOnly.body.items).toEqual([]);
    });
  },
);
