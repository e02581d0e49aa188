import { afterAll, beforeAll, expect, it } from 'vitest';
import { isNonPublicAddress } from '../src/webhooks/safe-request.js';
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

const env = { WEBHOOK_POLL_INTERVAL: '50ms', WEBHOOK_RETRY_BASE: '10s', WEBHOOK_RETRY_MAX: '10s' };

describeWith(
  ['postgres'],
  'webhooks: URLs resolving to non-public addresses are refused unless allowed',
  () => {
    const strict = useServer({ label: 'webhooks_ssrf', env });
    const lax = useServer({ label: 'webhooks_ssrf_allowed', env: { ...env, WEBHOOK_ALLOW_PRIVATE: 'true' } });
    let receiver: WebhookReceiver;
    let admin: TestUser;
    beforeAll(async () => {
      receiver = await startWebhookReceiver(200);
      admin = await newAdmin(strict.t);
    });
    afterAll(() => receiver.close());

    async function lastAttempt(id: string) {
      let attempt: { ok: boolean; error: string | null; responseStatus: number | null } | undefined;
      await expect
        .poll(async () => {
          const res = await strict.http.get(`/v1/site/webhooks/${id}/deliveries`, { headers: admin.headers });
          attempt = res.body.items[0]?.recentAttempts[0];
          return attempt !== undefined;
        })
        .toBe(true);
      return attempt!;
    }

    it('refuses 127.0.0.1 and a hostname resolving to it (checked after DNS), and says why', async () => {
      const site = await defaultSite(strict.t);
      const port = new URL(receiver.url).port;
      const byAddress = await createEndpoint(strict.t.url, admin, {
        url: receiver.url,
        events: ['message.created'],
      });
      const byName = await createEndpoint(strict.t.url, admin, {
        url: `http://localhost:${port}/hooks`,
        events: ['message.created'],
      });
      await queueEvents(strict.t.server.db, [messageCreated(site, '1', 1)]);
      const first = await lastAttempt(byAddress.id);
      expect(first).toMatchObject({ ok: false, responseStatus: null });
      expect(first.error).toMatch(/refused: 127\.0\.0\.1 is a private, loopback/);
      const second = await lastAttempt(byName.id);
      expect(second).toMatchObject({ ok: false, responseStatus: null });
      expect(second.error).toMatch(
        /refused: localhost resolves to (127\.0\.0\.1|::1), which is a private, loopback/,
      );
      expect(receiver.received).toHaveLength(0);
    });

    it('delivers to them with WEBHOOK_ALLOW_PRIVATE=true', async () => {
      const site = await defaultSite(lax.t);
      const laxAdmin = await newAdmin(lax.t);
      const port = new URL(receiver.url).port;
      await createEndpoint(lax.t.url, laxAdmin, {
        url: `http://localhost:${port}/ok`,
        events: ['room.deleted'],
      });
      await createEndpoint(lax.t.url, laxAdmin, { url: receiver.url, events: ['room.deleted'] });
      await queueEvents(lax.t.server.db, [{ site, type: 'room.deleted', data: { roomId: '9', title: 't' } }]);
      await receiver.until(() => receiver.accepted().length === 2);
      expect(receiver.received.map((r) => r.headers.host).sort()).toEqual(
        [`127.0.0.1:${port}`, `localhost:${port}`].sort(),
      );
    });

    it('classifies addresses (IPv4, IPv6, mapped and embedded forms)', () => {
      for (const a of [
        '127.0.0.1',
        '10.1.2.3',
        '172.16.0.1',
        '172.31.255.255',
        '192.168.1.1',
        '100.64.0.1',
        '169.254.169.254',
        '0.0.0.0',
        '224.0.0.1',
        '255.255.255.255',
        '::1',
        '::',
        'fe80::1',
        'fc00::1',
        'fd12:3456::1',
        'ff02::1',
        '::ffff:127.0.0.1',
        '::ffff:7f00:1',
        '::ffff:10.0.0.1',
        '64:ff9b::a9fe:a9fe',
        '2002:c0a8:0101::1',
        'nonsense',
      ])
        expect(isNonPublicAddress(a), a).toBe(true);
      for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
        expect(isNonPublicAddress(a), a).toBe(false);
    });
  },
);
