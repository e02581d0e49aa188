/**
 * A site's backend runs its webhooks with `createServerClient` and a site API key: it creates an endpoint
 * (the secret shown once), gets the events its users cause — sent as soon as the change commits, not at the
 * worker's next poll — verifies them with `verifyWebhook`, rotates the secret, lists deliveries, disables
 * and deletes the endpoint. Another site's key sees none of it.
 */
import { createServerClient, verifyWebhook, type ServerClient } from '@synctalk/sdk/server';
import { SyncTalkError } from '@synctalk/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { newAdmin, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

describeWith(['postgres'], 'webhooks: managed with createServerClient and a site API key', () => {
  // A poll an hour apart: a delivery that arrives within the test came from the commit's nudge.
  const { t, http } = useServer({
    label: 'webhooks_server_client',
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_POLL_INTERVAL: '1h' },
  });
  let site: Site;
  let member: TestUser;
  let backend: ServerClient;
  let stranger: ServerClient;
  let receiver: WebhookReceiver;

  const keyFor = async (admin: TestUser) =>
    (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'backend' } })).body
      .key as string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver(204);
    site = (await newSite(t)).site;
    const admin = await newAdmin(t, { site });
    member = await newUser(t, { site, displayName: 'Noor' });
    backend = createServerClient({ baseUrl: t.url, site: site.publicId, apiKey: await keyFor(admin) });
    const other = (await newSite(t)).site;
    stranger = createServerClient({
      baseUrl: t.url,
      site: other.publicId,
      apiKey: await keyFor(await newAdmin(t, { site: other })),
    });
    // The worker takes its first look at start: let it pass before anything is queued.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(() => receiver?.close());

  it('creates an endpoint, delivers events at once, rotates the secret, and cleans up', async () => {
    const { endpoint, secret } = await backend.webhooks.create({
      url: receiver.url,
      events: ['message.created'],
      description: 'notifications',
    });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ url: receiver.url, enabled: true, events: ['message.created'] });
    expect((await backend.webhooks.list()).items.map((e) => e.id)).toEqual([endpoint.id]);
    expect(JSON.stringify(await backend.webhooks.get(endpoint.id))).not.toContain(secret);

    const room = await newRoom(t, member);
    const sent = await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: member.headers,
      body: { clientMsgId: 'hello-1', text: 'Is anyone there?' },
    });
    expect(sent.status).toBe(201);
    await receiver.until(() => receiver.accepted().length === 1, 10_000, 'the nudged delivery');
    const first = receiver.accepted()[0]!;
    const event = verifyWebhook(first.body, first.headers, secret);
    expect(event.type === 'message.created' && event.data.message.text).toBe('Is anyone there?');

    // Rotation: during the overlap, deliveries verify with either secret.
    const rotated = await backend.webhooks.rotateSecret(endpoint.id, { overlapSeconds: 600 });
    expect(rotated.secret).not.toBe(secret);
    await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: member.headers,
      body: { clientMsgId: 'hello-2', text: 'Hello?' },
    });
    await receiver.until(() => receiver.accepted().length === 2, 10_000, 'the second delivery');
    const second = receiver.accepted()[1]!;
    expect(verifyWebhook(second.body, second.headers, rotated.secret).id).toBeTruthy();
    expect(verifyWebhook(second.body, second.headers, secret).id).toBeTruthy();

    const page = await backend.webhooks.deliveries(endpoint.id);
    expect(page.items.map((d) => [d.status, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
    ]);
    expect(page.items[0]!.recentAttempts[0]).toMatchObject({ ok: true, responseStatus: 204 });

    // Another site's key cannot see, change or delete it.
    for (const attempt of [
      () => stranger.webhooks.get(endpoint.id),
      () => stranger.webhooks.update(endpoint.id, { enabled: false }),
      () => stranger.webhooks.delete(endpoint.id),
      () => stranger.webhooks.deliveries(endpoint.id),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'not_found' });
    }
    expect((await stranger.webhooks.list()).items).toEqual([]);

    const disabled = await backend.webhooks.update(endpoint.id, { enabled: false });
    expect(disabled).toMatchObject({ enabled: false, disabledReason: null });
    await backend.webhooks.delete(endpoint.id);
    const gone = await backend.webhooks.get(endpoint.id).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SyncTalkError);
    expect((gone as SyncTalkError).code).toBe('not_found');
  });
});
