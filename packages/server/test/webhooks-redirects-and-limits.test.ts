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

describeWith(
  ['postgres'],
  'webhooks: redirects are not followed, slow receivers time out, answers are capped',
  () => {
    const { t, http } = useServer({
      label: 'webhooks_redirects',
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_INTERVAL: '50ms',
        WEBHOOK_TIMEOUT: '500ms',
        WEBHOOK_RETRY_BASE: '1h',
        WEBHOOK_RETRY_MAX: '1h',
      },
    });
    let admin: TestUser;
    let redirecting: WebhookReceiver;
    let target: WebhookReceiver;
    beforeAll(async () => {
      admin = await newAdmin(t);
      target = await startWebhookReceiver(200);
      redirecting = await startWebhookReceiver({ status: 302, headers: { location: target.url } });
    });
    afterAll(async () => {
      await redirecting.close();
      await target.close();
    });

    async function firstAttempt(id: string) {
      let attempt: { ok: boolean; error: string | null; responseStatus: number | null } | undefined;
      await expect
        .poll(async () => {
          const res = await http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers });
          attempt = res.body.items[0]?.recentAttempts[0];
          return attempt !== undefined;
        })
        .toBe(true);
      return attempt!;
    }

    it('counts a 302 as a failed attempt and never requests its Location', async () => {
      const site = await defaultSite(t);
      const { id } = await createEndpoint(t.url, admin, {
        url: redirecting.url,
        events: ['message.created'],
      });
      await queueEvents(t.server.db, [messageCreated(site, '1', 1)]);
      const attempt = await firstAttempt(id);
      expect(attempt).toMatchObject({ ok: false, responseStatus: 302 });
      expect(attempt.error).toMatch(/redirect not followed/);
      expect(redirecting.received).toHaveLength(1);
      expect(target.received).toHaveLength(0);
      await t.server.db('webhook_endpoints').where({ id }).update({ enabled: false });
    });

    it('gives up on a receiver that does not answer within WEBHOOK_TIMEOUT', async () => {
      const site = await defaultSite(t);
      const silent = await startWebhookReceiver('hang');
      try {
        const { id } = await createEndpoint(t.url, admin, { url: silent.url, events: ['room.deleted'] });
        await queueEvents(t.server.db, [{ site, type: 'room.deleted', data: { roomId: '3', title: 'x' } }]);
        const attempt = await firstAttempt(id);
        expect(attempt).toMatchObject({ ok: false, responseStatus: null });
        expect(attempt.error).toMatch(/timed out after 500 ms/);
        await t.server.db('webhook_endpoints').where({ id }).update({ enabled: false });
      } finally {
        await silent.close();
      }
    });

    it('keeps only the start of a huge answer, and a huge 2xx answer still means delivered', async () => {
      const site = await defaultSite(t);
      const big = await startWebhookReceiver();
      let status = 400;
      big.answer(() => ({ status, body: 'x'.repeat(5 * 1024 * 1024) }));
      try {
        const { id } = await createEndpoint(t.url, admin, { url: big.url, events: ['member.left'] });
        await queueEvents(t.server.db, [
          { site, type: 'member.left', data: { roomId: '4', userId: '1', reason: 'left' } },
        ]);
        const attempt = await firstAttempt(id);
        expect(attempt).toMatchObject({ ok: false, responseStatus: 400 });
        expect(attempt.error!.length).toBeLessThan(400);
        status = 200;
        await queueEvents(t.server.db, [
          { site, type: 'member.left', data: { roomId: '5', userId: '2', reason: 'left' } },
        ]);
        await expect
          .poll(async () => {
            const res = await http.get(`/v1/site/webhooks/${id}/deliveries?status=delivered`, {
              headers: admin.headers,
            });
            return res.body.items.length;
          })
          .toBe(1);
      } finally {
        await big.close();
      }
    });
  },
);
