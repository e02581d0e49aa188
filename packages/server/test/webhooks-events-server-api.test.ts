/**
 * What a site's backend does through the server API records the same webhook events as users' own actions:
 * an upserted user is `user.created` (once, with its external id), a room is `room.created` with its
 * members' `member.joined`, a system message is `message.created` from the system sender, a removal is
 * `member.left` (kicked), a deletion `room.deleted`.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { newAdmin, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { addWebhookEndpoint, deliveriesOf } from './helpers/webhooks.js';

describeWith(['postgres'], 'webhooks: the server API records events', () => {
  const { t, http } = useServer({ label: 'webhooks_server_api', env: { WEBHOOKS_ENABLED: 'false' } });
  let site: Site;
  let headers: Record<string, string>;
  let endpoint: string;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    const admin = await newAdmin(t, { site });
    const { key } = (
      await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'backend' } })
    ).body;
    headers = { authorization: `Bearer ${key}`, 'x-synctalk-site': site.publicId };
    endpoint = await addWebhookEndpoint(t, site);
  });

  it('records users, rooms, members and messages made by the backend', async () => {
    const upserted = await http.put('/v1/server/users/cust-7', { headers, body: { displayName: 'Dana' } });
    expect(upserted.status).toBeLessThan(300);
    // Upserting again changes the name but creates nobody.
    await http.put('/v1/server/users/cust-7', { headers, body: { displayName: 'Dana K.' } });
    await http.put('/v1/server/users/agent-1', { headers, body: { displayName: 'Agent' } });

    const room = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Order 77', visibility: 'private', ownerExternalId: 'agent-1' },
    });
    expect(room.status).toBe(201);
    const added = await http.put(`/v1/server/rooms/${room.body.id}/members/cust-7`, {
      headers,
      body: { role: 'member' },
    });
    expect(added.status).toBeLessThan(300);
    const sent = await http.post(`/v1/server/rooms/${room.body.id}/messages`, {
      headers,
      body: { text: 'Your order shipped', clientMsgId: 'shipped-77' },
    });
    expect(sent.status).toBe(201);
    expect((await http.delete(`/v1/server/rooms/${room.body.id}/members/cust-7`, { headers })).status).toBe(
      204,
    );
    expect((await http.delete(`/v1/server/rooms/${room.body.id}`, { headers })).status).toBe(204);

    const events = (await deliveriesOf(t, endpoint)).map((d) => d.event);
    const users = events.filter((e) => e.type === 'user.created');
    expect(
      users.map((e) => e.type === 'user.created' && [e.data.externalId, e.data.user.displayName]),
    ).toEqual([
      ['cust-7', 'Dana'],
      ['agent-1', 'Agent'],
    ]);
    const roomEvents = events
      .filter((e) => e.type !== 'user.created')
      .map((e) => {
        switch (e.type) {
          case 'room.created':
            return [e.type, e.data.room.title];
          case 'member.joined':
            return [e.type, e.data.member.user.displayName, e.data.member.role];
          case 'message.created':
            return [e.type, e.data.message.text, e.data.message.author.displayName];
          case 'member.left':
            return [e.type, e.data.reason];
          case 'room.deleted':
            return [e.type, e.data.title];
          default:
            return [e.type];
        }
      });
    expect(roomEvents).toEqual([
      ['room.created', 'Order 77'],
      ['member.joined', 'Agent', 'owner'],
      ['member.joined', 'Dana K.', 'member'],
      ['message.created', 'Your order shipped', 'System'],
      ['member.left', 'kicked'],
      ['room.deleted', 'Order 77'],
    ]);
    for (const e of events) expect(e.siteId).toBe(site.publicId);
  });
});
