/**
 * Webhook events of message writes other than sends: `message.updated` (edits), `message.deleted`
 * (tombstones) and `reaction.updated` (only when something changed), recorded in the write's transaction.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Room } from '@synctalk/sdk';
import { joinRoom, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  addWebhookEndpoint,
  countDeliveries,
  deliveriesOf,
  failCommitsWhen,
  lastDeliveryId,
} from './helpers/webhooks.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], 'webhook events: message edits, deletions and reactions', () => {
  const { t, http } = useServer({ label: 'webhooks_events_messages', env: { WEBHOOKS_ENABLED: 'false' } });
  let site: Site;
  let alice: TestUser;
  let bob: TestUser;
  let room: Room;
  let all: string;
  let reactionsOnly: string;
  let otherSiteEndpoint: string;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    alice = await newUser(t, { site, displayName: 'Alice' });
    bob = await newUser(t, { site, displayName: 'Bob' });
    room = await newRoom(t, alice);
    await joinRoom(t, bob, room);
    all = await addWebhookEndpoint(t, site);
    reactionsOnly = await addWebhookEndpoint(t, site, ['reaction.updated']);
    otherSiteEndpoint = await addWebhookEndpoint(t, (await newSite(t)).site);
  });

  const send = async (u: TestUser, text: string) => {
    const res = await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: u.headers,
      body: { clientMsgId: `c-${Math.random()}`, text },
    });
    expect(res.status).toBe(201);
    return res.body.message as { id: string; seq: string };
  };

  it('records message.updated with the edited message, ordered by its room', async () => {
    const sent = await send(alice, 'hello');
    const since = await lastDeliveryId(t);
    const res = await http.patch(`/v1/rooms/${room.id}/messages/${sent.id}`, {
      headers: alice.headers,
      body: { text: 'hello, edited' },
    });
    expect(res.status).toBe(200);

    const [delivery, ...more] = await deliveriesOf(t, all, since);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ eventType: 'message.updated', orderKey: `room:${room.id}` });
    expect(delivery!.event).toMatchObject({ type: 'message.updated', siteId: site.publicId });
    expect(delivery!.event.data).toEqual({ roomId: room.id, message: res.body.message });
    expect(res.body.message).toMatchObject({ text: 'hello, edited', editedAt: expect.any(String) });
    expect(await deliveriesOf(t, reactionsOnly, since)).toEqual([]);
    expect(await deliveriesOf(t, otherSiteEndpoint)).toEqual([]);

    // An edit to the same text changes nothing and records nothing.
    const same = await http.patch(`/v1/rooms/${room.id}/messages/${sent.id}`, {
      headers: alice.headers,
      body: { text: 'hello, edited' },
    });
    expect(same.status).toBe(200);
    expect(await deliveriesOf(t, all, delivery!.id)).toEqual([]);
  });

  it('shows the message’s reactions in message.updated, with no viewer', async () => {
    const sent = await send(alice, 'react to me');
    expect(
      (
        await http.post(`/v1/rooms/${room.id}/messages/${sent.id}/reactions`, {
          headers: bob.headers,
          body: { emoji: '👍' },
        })
      ).status,
    ).toBe(200);
    const since = await lastDeliveryId(t);
    const res = await http.patch(`/v1/rooms/${room.id}/messages/${sent.id}`, {
      headers: alice.headers,
      body: { text: 'reacted' },
    });
    expect(res.status).toBe(200);
    const [delivery] = await deliveriesOf(t, all, since);
    expect(delivery!.event.data).toMatchObject({
      message: { id: sent.id, text: 'reacted', reactions: [{ emoji: '👍', count: 1, me: false }] },
    });
  });

  it('records message.deleted with the tombstone, once', async () => {
    const sent = await send(bob, 'to be deleted');
    const since = await lastDeliveryId(t);
    const res = await http.delete(`/v1/rooms/${room.id}/messages/${sent.id}`, { headers: alice.headers });
    expect(res.status).toBe(200);

    const [delivery, ...more] = await deliveriesOf(t, all, since);
    expect(more).toEqual([]);
    expect(delivery).toMatchObject({ eventType: 'message.deleted', orderKey: `room:${room.id}` });
    expect(delivery!.event.data).toEqual({ roomId: room.id, message: res.body.message });
    expect(res.body.message).toMatchObject({
      id: sent.id,
      text: '',
      deletedAt: expect.any(String),
      reactions: [],
    });

    // Deleting it again answers the tombstone and records nothing.
    const again = await http.delete(`/v1/rooms/${room.id}/messages/${sent.id}`, { headers: alice.headers });
    expect(again.status).toBe(200);
    expect(await deliveriesOf(t, all, delivery!.id)).toEqual([]);
  });

  it('records reaction.updated when a reaction is added or removed, not when nothing changed', async () => {
    const sent = await send(alice, 'emoji time');
    const since = await lastDeliveryId(t);
    const react = (u: TestUser) =>
      http.post(`/v1/rooms/${room.id}/messages/${sent.id}/reactions`, {
        headers: u.headers,
        body: { emoji: '🎉' },
      });
    const unreact = (u: TestUser) =>
      http.delete(`/v1/rooms/${room.id}/messages/${sent.id}/reactions/${encodeURIComponent('🎉')}`, {
        headers: u.headers,
      });
    const answers = [
      await react(bob),
      await react(bob),
      await react(alice),
      await unreact(bob),
      await unreact(bob),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

    for (const endpoint of [all, reactionsOnly]) {
      const deliveries = await deliveriesOf(t, endpoint, since);
      expect(deliveries.map((d) => [d.eventType, d.orderKey])).toEqual(
        Array(3).fill(['reaction.updated', `room:${room.id}`]),
      );
      expect(deliveries.map((d) => d.event.data)).toEqual([
        answers[0]!.body,
        answers[2]!.body,
        answers[3]!.body,
      ]);
    }
    expect(answers[3]!.body).toEqual({
      roomId: room.id,
      messageId: sent.id,
      emoji: '🎉',
      userId: bob.user.id,
      action: 'removed',
      count: 1,
    });
    // The same event, one id, to both endpoints.
    const ids = async (e: string) => (await deliveriesOf(t, e, since)).map((d) => d.eventId);
    expect(await ids(all)).toEqual(await ids(reactionsOnly));
    expect(await deliveriesOf(t, otherSiteEndpoint)).toEqual([]);
  });

  it('records nothing for a site without endpoints', async () => {
    const bare = (await newSite(t)).site;
    const carol = await newUser(t, { site: bare });
    const theirRoom = await newRoom(t, carol);
    const before = await countDeliveries(t);
    const res = await http.post(`/v1/rooms/${theirRoom.id}/messages`, {
      headers: carol.headers,
      body: { clientMsgId: 'x', text: 'quiet' },
    });
    const id = res.body.message.id as string;
    await http.patch(`/v1/rooms/${theirRoom.id}/messages/${id}`, {
      headers: carol.headers,
      body: { text: 'q' },
    });
    await http.post(`/v1/rooms/${theirRoom.id}/messages/${id}/reactions`, {
      headers: carol.headers,
      body: { emoji: '👍' },
    });
    await http.delete(`/v1/rooms/${theirRoom.id}/messages/${id}`, { headers: carol.headers });
    expect(await countDeliveries(t, bare)).toBe(0);
    expect(await countDeliveries(t)).toBe(before);
  });

  it('records no event for an edit, deletion or reaction whose transaction fails', async () => {
    const sent = await send(alice, 'atomic');
    const since = await lastDeliveryId(t);

    const refuseEdit = await failCommitsWhen(t, 'messages', `NEW.text = 'doomed'`);
    try {
      const res = await http.patch(`/v1/rooms/${room.id}/messages/${sent.id}`, {
        headers: alice.headers,
        body: { text: 'doomed' },
      });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuseEdit();
    }

    const refuseDelete = await failCommitsWhen(t, 'messages', 'NEW.deleted_at IS NOT NULL');
    try {
      const res = await http.delete(`/v1/rooms/${room.id}/messages/${sent.id}`, { headers: alice.headers });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuseDelete();
    }

    const refuseReaction = await failCommitsWhen(t, 'reactions', `NEW.emoji = '💥'`);
    try {
      const res = await http.post(`/v1/rooms/${room.id}/messages/${sent.id}/reactions`, {
        headers: bob.headers,
        body: { emoji: '💥' },
      });
      expect(res.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuseReaction();
    }

    expect(await deliveriesOf(t, all, since)).toEqual([]);
    expect(await deliveriesOf(t, reactionsOnly, since)).toEqual([]);
    const stored = await t.server.db('messages').where({ id: sent.id }).first();
    expect(stored).toMatchObject({ text: 'atomic', deleted_at: null });
    expect(await t.server.db('reactions').where({ message_id: sent.id })).toEqual([]);
  });
});
