import { describe, expect, it } from 'vitest';
import { ack, connectChat, nextEvent, type ClusterNode } from './helpers/cluster.js';
import { roomOfTwo } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { useServer } from './helpers/use-server.js';

// No services needed: the laptop default (embedded PGlite, in-memory shared state and adapter).
describe('chat on the embedded defaults (PGlite, one node)', () => {
  const { t } = useServer({ services: [] });

  it('sends, fans out, reacts, reads and pages history', async () => {
    const node = t as ClusterNode;
    const { alice, bob, room } = await roomOfTwo(node);
    const aliceSocket = await connectChat(t.url, { token: alice.token });
    const bobSocket = await connectChat(t.url, { token: bob.token });
    await ack(aliceSocket, 'room:join', { roomId: room.id });
    const presence = nextEvent(aliceSocket, 'presence', (p) => p.count === 2);
    await ack(bobSocket, 'room:join', { roomId: room.id });
    expect((await presence).online).toHaveLength(2);

    const arrived = nextEvent(bobSocket, 'message:new');
    const sent = await ack(aliceSocket, 'message:send', {
      roomId: room.id,
      clientMsgId: 'e1',
      text: 'embedded',
    });
    expect(sent.message).toMatchObject({ seq: '1', text: 'embedded' });
    expect(await arrived).toEqual(sent.message);
    expect(
      await ack(aliceSocket, 'message:send', { roomId: room.id, clientMsgId: 'e1', text: 'embedded' }),
    ).toEqual(sent);
    expect(
      (await ack(aliceSocket, 'message:send', { roomId: room.id, clientMsgId: 'e1', text: 'other' })).error
        .code,
    ).toBe('conflict');

    expect(
      (await ack(bobSocket, 'reaction:add', { roomId: room.id, messageId: sent.message.id, emoji: '🎉' }))
        .count,
    ).toBe(1);
    expect(await ack(bobSocket, 'read:update', { roomId: room.id, seq: '1' })).toEqual({
      roomId: room.id,
      lastReadSeq: '1',
      unreadCount: 0,
    });
    const history = await client(t.url).get(`/v1/rooms/${room.id}/messages`, { headers: bob.headers });
    expect(history.body.messages).toHaveLength(1);
    expect(history.body.messages[0].reactions).toEqual([{ emoji: '🎉', count: 1, me: true }]);

    const removed = nextEvent(bobSocket, 'member:removed');
    await ack(aliceSocket, 'member:kick', { roomId: room.id, userId: bob.user.id });
    expect((await removed).reason).toBe('kicked');
  });
});
