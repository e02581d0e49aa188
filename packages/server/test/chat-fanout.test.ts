import { randomUUID } from 'node:crypto';
import type { Message } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, eventually, nextEvent, record } from './helpers/cluster.js';
import { joinRoom, newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(
  ['postgres', 'redisCluster'],
  'chat: messages fan out across nodes through the Redis Cluster',
  () => {
    const [a, b] = useServer({
      label: 'chat_fanout',
      nodes: 2,
    }).nodes;

    afterEach(() => closeChatClients());

    it('delivers, in seq order, messages sent on node B to a member on node A; a non-member gets nothing', async () => {
      const alice = await newUser(a);
      const bob = await newUser(a);
      const mallory = await newUser(b);
      const room = await newRoom(a, alice);
      await joinRoom(a, bob, room);

      const bobOnA = await connectChat(a.url, { token: bob.token });
      const aliceOnB = await connectChat(b.url, { token: alice.token });
      const malloryOnA = await connectChat(a.url, { token: mallory.token });
      const malloryOnB = await connectChat(b.url, { token: mallory.token });

      const joined = await ack(bobOnA, 'room:join', { roomId: room.id });
      expect(joined.error).toBeUndefined();
      expect(joined.room).toMatchObject({ id: room.id, lastSeq: '0' });
      expect(joined.membership).toMatchObject({ role: 'member', unreadCount: 0 });
      expect(joined.messages).toEqual([]);
      expect(joined.hasMore).toBe(false);

      // Not a member: refused, and never subscribed.
      for (const s of [malloryOnA, malloryOnB]) {
        const refused = await ack(s, 'room:join', { roomId: room.id });
        expect(refused.error.code).toBe('forbidden');
      }
      const received = record(bobOnA, 'message:new');
      const leaked = [...record(malloryOnA, 'message:new'), ...record(malloryOnB, 'message:new')];
      const leakedB = record(malloryOnB, 'message:new');

      const sent: Message[] = [];
      for (let i = 1; i <= 20; i += 1) {
        const res = await ack(aliceOnB, 'message:send', {
          roomId: room.id,
          clientMsgId: randomUUID(),
          text: `hello ${i}`,
        });
        expect(res.error).toBeUndefined();
        sent.push(res.message);
      }
      expect(sent.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => String(i + 1)));
      expect(sent[0]).toMatchObject({
        roomId: room.id,
        author: { id: alice.user.id, displayName: alice.user.displayName },
        text: 'hello 1',
        replyTo: null,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      });

      await eventually(() => received.length === 20);
      expect(received.map((m) => m.seq)).toEqual(sent.map((m) => m.seq));
      expect(received.map((m) => m.text)).toEqual(sent.map((m) => m.text));
      expect(received[19]).toEqual(sent[19]);

      // A message sent after everything above reached Bob; Mallory saw none of it.
      await new Promise((r) => setTimeout(r, 200));
      expect(leaked).toEqual([]);
      expect(leakedB).toEqual([]);
    });

    it('keeps one connection’s rapid-fire sends in the order it sent them', async () => {
      const alice = await newUser(a);
      const bob = await newUser(b);
      const room = await newRoom(a, alice);
      await joinRoom(a, bob, room);
      const bobOnB = await connectChat(b.url, { token: bob.token });
      await ack(bobOnB, 'room:join', { roomId: room.id });
      const received = record(bobOnB, 'message:new');
      const aliceOnA = await connectChat(a.url, { token: alice.token });

      // Fired without waiting for acks: the server handles one connection's sends in arrival order.
      const acks = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          ack(aliceOnA, 'message:send', { roomId: room.id, clientMsgId: `burst-${i}`, text: `burst ${i}` }),
        ),
      );
      expect(acks.map((r) => r.message.text)).toEqual(Array.from({ length: 15 }, (_, i) => `burst ${i}`));
      expect(acks.map((r) => r.message.seq)).toEqual(Array.from({ length: 15 }, (_, i) => String(i + 1)));
      await eventually(() => received.length === 15);
      expect(received.map((m) => m.text)).toEqual(acks.map((r) => r.message.text));
    });

    it('catches a reconnecting client up from its last seq, and pages the rest over REST', async () => {
      const alice = await newUser(a);
      const room = await newRoom(a, alice);
      const aliceOnB = await connectChat(b.url, { token: alice.token });
      for (let i = 1; i <= 5; i += 1) {
        await ack(aliceOnB, 'message:send', { roomId: room.id, clientMsgId: `m${i}`, text: `m${i}` });
      }
      const aliceOnA = await connectChat(a.url, { token: alice.token });
      const resumed = await ack(aliceOnA, 'room:join', { roomId: room.id, lastSeq: '3' });
      expect(resumed.messages.map((m: Message) => m.text)).toEqual(['m4', 'm5']);
      expect(resumed.hasMore).toBe(false);
      expect(resumed.room.lastSeq).toBe('5');

      const fresh = await ack(aliceOnA, 'room:join', { roomId: room.id });
      expect(fresh.messages.map((m: Message) => m.seq)).toEqual(['1', '2', '3', '4', '5']);

      // Someone typing on node B reaches node A too.
      const typing = nextEvent(aliceOnA, 'typing', (e) => e.typing);
      await ack(aliceOnB, 'room:join', { roomId: room.id });
      expect(await ack(aliceOnB, 'typing:start', { roomId: room.id })).toEqual({ ok: true });
      expect(await typing).toMatchObject({ roomId: room.id, userId: alice.user.id, typing: true });
      const stopped = nextEvent(aliceOnA, 'typing', (e) => !e.typing);
      await ack(aliceOnB, 'typing:stop', { roomId: room.id });
      expect(await stopped).toMatchObject({ roomId: room.id, typing: false });
    });
  },
);
