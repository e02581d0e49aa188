import { verifyWebhook } from '@synctalk/sdk/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

describeWith(['postgres'], '/v1/site/webhooks: a site admin manages webhook endpoints', () => {
  const { t, http } = useServer({
    label: 'webhooks_endpoints',
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL: '100ms' },
  });
  let admin: TestUser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    admin = await newAdmin(t);
    receiver = await startWebhookReceiver(200);
  });
  afterAll(() => receiver.close());

  it('creates, lists, reads, updates and deletes; the secret is answered once and stored encrypted', async () => {
    const created = await http.post('/v1/site/webhooks', {
      headers: admin.headers,
      body: { url: 'https://hooks.example/a', events: ['message.created', 'room.created'], description: 'A' },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const id = created.body.endpoint.id as string;
    expect(created.body.endpoint).toMatchObject({
      url: 'https://hooks.example/a',
      events: ['message.created', 'room.created'],
      description: 'A',
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
    });

    const stored = await t.server.db('webhook_endpoints').where({ id }).first();
    expect(stored.secret_enc).not.toContain(created.body.secret);
    expect(stored.secret_enc).toMatch(/^v1\./);

    const list = await http.get('/v1/site/webhooks', { headers: admin.headers });
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const read = await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers });
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain('whsec_');

    const defaults = await http.post('/v1/site/webhooks', {
      headers: admin.headers,
      body: { url: 'https://hooks.example/all' },
    });
    expect(defaults.body.endpoint.events).toHaveLength(11);

    const updated = await http.patch(`/v1/site/webhooks/${id}`, {
      headers: admin.headers,
      body: { url: 'https://hooks.example/b', events: ['member.joined'], enabled: false },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      url: 'https://hooks.example/b',
      events: ['member.joined'],
      enabled: false,
    });

    const bad = await http.post('/v1/site/webhooks', {
      headers: admin.headers,
      body: { url: 'ftp://hooks.example/x' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');

    expect((await http.delete(`/v1/site/webhooks/${id}`, { headers: admin.headers })).status).toBe(204);
    expect((await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers })).status).toBe(404);
    expect((await http.delete(`/v1/site/webhooks/${id}`, { headers: admin.headers })).status).toBe(404);
  });

  it('enabling an endpoint the server disabled clears the reason', async () => {
    const { id } = await createEndpoint(t.url, admin, { url: 'https://hooks.example/c' });
    await t.server
      .db('webhook_endpoints')
      .where({ id })
      .update({ enabled: false, disabled_reason: 'failing' });
    const before = await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers });
    expect(before.body).toMatchObject({ enabled: false, disabledReason: 'failing' });
    const enabled = await http.patch(`/v1/site/webhooks/${id}`, {
      headers: admin.headers,
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('rotates the secret: during the overlap deliveries are signed with both, after it with the new one', async () => {
    const site = await defaultSite(t);
    const { id, secret: first } = await createEndpoint(t.url, admin, {
      url: receiver.url,
      events: ['message.created'],
    });
    const rotated = await http.post(`/v1/site/webhooks/${id}/secret`, {
      headers: admin.headers,
      body: { overlapSeconds: 3600 },
    });
    expect(rotated.status).toBe(200);
    const second = rotated.body.secret as string;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.body.endpoint.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 3500_000);

    const n = receiver.received.length;
    await queueEvents(t.server.db, [messageCreated(site, '900001', 1)]);
    t.server.deps.webhooks.nudge();
    await receiver.until(() => receiver.received.length > n);
    const got = receiver.received[n]!;
    expect(verifyWebhook(got.body, got.headers, first).id).toBeTruthy();
    expect(verifyWebhook(got.body, got.headers, second).id).toBeTruthy();
    expect(() => verifyWebhook(got.body, got.headers, 'whsec_wrong')).toThrow(/does not match/);

    // No overlap: the old secret stops signing at once.
    const again = await http.post(`/v1/site/webhooks/${id}/secret`, {
      headers: admin.headers,
      body: { overlapSeconds: 0 },
    });
    expect(again.body.endpoint.previousSecretExpiresAt).toBeNull();
    const third = again.body.secret as string;
    const m = receiver.received.length;
    await queueEvents(t.server.db, [messageCreated(site, '900001', 2)]);
    t.server.deps.webhooks.nudge();
    await receiver.until(() => receiver.received.length > m);
    const latest = receiver.received[m]!;
    expect(verifyWebhook(latest.body, latest.headers, third).id).toBeTruthy();
    expect(() => verifyWebhook(latest.body, latest.headers, second)).toThrow(/does not match/);
  });

  it("refuses plain users (403) and hides other sites' endpoints (404)", async () => {
    const user = await newUser(t);
    const { id } = await createEndpoint(t.url, admin, { url: 'https://hooks.example/d' });
    expect((await http.get('/v1/site/webhooks', { headers: user.headers })).status).toBe(403);
    expect(
      (await http.post('/v1/site/webhooks', { headers: user.headers, body: { url: 'https://x.example' } }))
        .status,
    ).toBe(403);
    expect((await http.get('/v1/site/webhooks')).status).toBe(401);

    const { site: other } = await newSite(t);
    const otherAdmin = await newAdmin(t, { site: other });
    const paths = [
      ['get', `/v1/site/webhooks/${id}`],
      ['patch', `/v1/site/webhooks/${id}`],
      ['delete', `/v1/site/webhooks/${id}`],
      ['post', `/v1/site/webhooks/${id}/secret`],
      ['get', `/v1/site/webhooks/${id}/deliveries`],
      ['post', `/v1/site/webhooks/${id}/replay`],
    ] as const;
    for (const [method, path] of paths) {
      const body = method === 'patch' ? { enabled: false } : method === 'post' ? {} : undefined;
      const res = await http[method](path, { headers: otherAdmin.headers, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await http.get('/v1/site/webhooks', { headers: otherAdmin.headers });
    expect(list.body.items).toEqual([]);
    // Untouched by the other site's attempts.
    expect((await http.get(`/v1/site/webhooks/${id}`, { headers: admin.headers })).body.enabled).toBe(true);
  });
});
