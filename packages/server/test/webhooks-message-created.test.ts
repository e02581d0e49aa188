/**
 * `message.created` deliveries are written by the send's own statement: every stored message has one event
 * per subscribed endpoint (one event id shared by the site's endpoints), whose body is the message as the
 * REST answer gave it, numbered in the room's seq order; nothing for endpoints subscribed to other types,
 * disabled by their owner, or of another site; nothing again for a retried send.
 */
import { webhookEventSchema } from '@synctalk/sdk/schemas';
import { describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/server.js';
import { defaultSite, joinRoom, newRoom, newSite, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { addWebhookEndpoint } from './helpers/webhooks.js';

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  order_key: string;
  body: string;
}

/** The endpoint's `message.created` deliveries (the rooms and users made here have their own events). */
async function deliveries(t: TestServer, endpointId: string): Promise<DeliveryRow[]> {
  const rows = await t.server
    .db('webhook_deliveries')
    .where({ endpoint_id: endpointId, event_type: 'message.created' })
    .orderBy('id');
  return (rows as DeliveryRow[]).map((r) => ({ ...r, id: String(r.id), endpoint_id: String(r.endpoint_id) }));
}

const ENV = { WEBHOOKS_ENABLED: 'false', MESSAGE_RATE_LIMIT: '1000', SEND_QUEUE_MAX: '1000' };

describeWith(['postgres'], 'webhooks: message.created is stored with the message', () => {
  const { t, http } = useServer({ label: 'webhooks_message_created', env: ENV });

  it('queues one event per message for each subscribed endpoint, as the REST answer, in room order', async () => {
    const site = await defaultSite(t);
    const other = (await newSite(t)).site;
    const onlyMessages = await addWebhookEndpoint(t, site, ['message.created']);
    const everything = await addWebhookEndpoint(t, site, ['message.created', 'room.created', 'user.created']);
    const roomsOnly = await addWebhookEndpoint(t, site, ['room.created']);
    const switchedOff = await addWebhookEndpoint(t, site, ['message.created'], { enabled: false });
    const failing = await addWebhookEndpoint(t, site, ['message.created'], {
      enabled: false,
      disabledReason: 'deliveries failing',
    });
    const otherSite = await addWebhookEndpoint(t, other, ['message.created']);

    const alice = await newUser(t, { displayName: 'Alice Moreau' });
    const bob = await newUser(t, { displayName: 'Bob Okafor' });
    const rooms = [await newRoom(t, alice), await newRoom(t, alice)];
    for (const room of rooms) await joinRoom(t, bob, room);

    // Concurrent sends from both users to both rooms: stored by group commit, in batches.
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const author = i % 2 === 0 ? alice : bob;
        const room = rooms[i % 4 < 2 ? 0 : 1]!;
        return http.post(`/v1/rooms/${room.id}/messages`, {
          headers: author.headers,
          body: { clientMsgId: `c-${i}`, text: `message ${i} for the hooks` },
        });
      }),
    );
    for (const res of sent) expect(res.status).toBe(201);
    const answers = new Map(sent.map((res) => [res.body.message.id as string, res.body.message]));

    for (const id of [onlyMessages, everything, failing]) {
      const rows = await deliveries(t, id);
      expect(rows).toHaveLength(40);
      const bodies = rows.map((row) => {
        const event = webhookEventSchema.parse(JSON.parse(row.body));
        expect(event.type).toBe('message.created');
        expect(row.event_type).toBe('message.created');
        expect(row.event_id).toBe(event.id);
        expect(event.siteId).toBe(site.publicId);
        if (event.type !== 'message.created') throw new Error('unreachable');
        expect(row.order_key).toBe(`room:${event.data.roomId}`);
        // Exactly what the sender was answered.
        expect(event.data.message).toEqual(answers.get(event.data.message.id));
        return event;
      });
      expect(new Set(bodies.map((e) => e.data.message.id)).size).toBe(40);
      // Numbered in each room's seq order.
      for (const room of rooms) {
        const seqs = bodies
          .filter((e) => e.type === 'message.created' && e.data.roomId === room.id)
          .map((e) => (e.type === 'message.created' ? Number(e.data.message.seq) : 0));
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      }
    }
    // One event, one id, whichever endpoint gets it.
    const idsOf = async (id: string) =>
      new Map((await deliveries(t, id)).map((row) => [JSON.parse(row.body).data.message.id, row.event_id]));
    expect(await idsOf(everything)).toEqual(await idsOf(onlyMessages));

    for (const id of [roomsOnly, switchedOff, otherSite]) expect(await deliveries(t, id)).toEqual([]);

    // A retried send answers the stored message and queues nothing more.
    const retry = await http.post(`/v1/rooms/${rooms[0]!.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'c-0', text: 'message 0 for the hooks' },
    });
    expect(retry.status).toBe(201);
    expect(retry.body.message.id).toBe(sent[0]!.body.message.id);
    expect(await deliveries(t, onlyMessages)).toHaveLength(40);
  });

  it('queues nothing for a send that is refused', async () => {
    const site = await defaultSite(t);
    const id = await addWebhookEndpoint(t, site, ['message.created']);
    const alice = await newUser(t);
    const room = await newRoom(t, alice);
    await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'first', text: 'the original' },
    });
    // The same key with other content is a conflict: nothing stored, nothing queued.
    const conflict = await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'first', text: 'something else' },
    });
    expect(conflict.status).toBe(409);
    const rows = await deliveries(t, id);
    expect(rows.filter((r) => r.order_key === `room:${room.id}`)).toHaveLength(1);
  });
});

describe('webhooks: message.created on the embedded database (PGlite)', () => {
  const { t, http } = useServer({ services: [], env: ENV });

  it('queues the event with the message', async () => {
    const site = await defaultSite(t);
    const id = await addWebhookEndpoint(t, site, ['message.created']);
    const alice = await newUser(t, { displayName: 'Chae-won Park' });
    const room = await newRoom(t, alice);
    const res = await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'embedded-1', text: '안녕하세요 👋' },
    });
    expect(res.status).toBe(201);
    const rows = await deliveries(t, id);
    expect(rows).toHaveLength(1);
    const event = webhookEventSchema.parse(JSON.parse(rows[0]!.body));
    expect(event.type === 'message.created' && event.data.message).toEqual(res.body.message);
  });
});
