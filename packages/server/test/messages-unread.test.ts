import { afterEach, expect, it } from 'vitest';
import {
  ack,
  closeChatClients,
  connectChat,
  nextEvent,
  record,
  type ClusterNode,
} from './helpers/cluster.js';
import { newUser, roomOfTwo, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'messages: unread counts and read receipts across nodes', () => {
  const [a, b] = useServer({
    label: 'messages_unread',
    nodes: 2,
  }).nodes;

  afterEach(() => closeChatClients());

  /** `unreadCount` of `roomId` in `GET /v1/me/rooms` of `u`, asked on `node`. */
  const unread = async (node: ClusterNode, u: TestUser, roomId: string) => {
    const res = await client(node.url).get('/v1/me/rooms', { headers: u.headers });
    expect(res.status).toBe(200);
    const room = res.body.items.find((r: { id: string }) => r.id === roomId);
    return {
      unreadCount: room.unreadCount as number,
      lastReadSeq: room.lastReadSeq as string,
      lastSeq: room.lastSeq,
    };
  };

  it('counts messages sent on one node as unread on the other, never one’s own', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const aliceOnB = await connectChat(b.url, { token: alice.token });
    for (let i = 1; i <= 5; i += 1) {
      await ack(aliceOnB, 'message:send', { roomId: room.id, clientMsgId: `u${i}`, text: `unread ${i}` });
    }
    expect(await unread(a, bob, room.id)).toEqual({ unreadCount: 5, lastReadSeq: '0', lastSeq: '5' });
    expect(await unread(b, bob, room.id)).toEqual({ unreadCount: 5, lastReadSeq: '0', lastSeq: '5' });
    expect(await unread(a, alice, room.id)).toEqual({ unreadCount: 0, lastReadSeq: '5', lastSeq: '5' });

    const bobOnA = await connectChat(a.url, { token: bob.token });
    const joined = await ack(bobOnA, 'room:join', { roomId: room.id, lastSeq: '0' });
    expect(joined.membership).toMatchObject({ role: 'member', lastReadSeq: '0', unreadCount: 5 });
    expect(joined.messages).toHaveLength(5);
  });

  it('moves the read marker forward only, tells the room, and refuses seqs past the last message', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const aliceOnB = await connectChat(b.url, { token: alice.token });
    await ack(aliceOnB, 'room:join', { roomId: room.id });
    for (let i = 1; i <= 5; i += 1) {
      await ack(aliceOnB, 'message:send', { roomId: room.id, clientMsgId: `r${i}`, text: `read ${i}` });
    }
    const receipts = record(aliceOnB, 'read');
    const bobOnA = await connectChat(a.url, { token: bob.token });

    const receipt = nextEvent(aliceOnB, 'read');
    expect(await ack(bobOnA, 'read:update', { roomId: room.id, seq: '3' })).toEqual({
      roomId: room.id,
      lastReadSeq: '3',
      unreadCount: 2,
    });
    expect(await receipt).toEqual({ roomId: room.id, userId: bob.user.id, seq: '3' });
    expect(await unread(b, bob, room.id)).toMatchObject({ unreadCount: 2, lastReadSeq: '3' });

    // Backwards: ignored (the stored marker is returned), and nobody is told.
    expect(await ack(bobOnA, 'read:update', { roomId: room.id, seq: '1' })).toEqual({
      roomId: room.id,
      lastReadSeq: '3',
      unreadCount: 2,
    });
    const tooFar = await ack(bobOnA, 'read:update', { roomId: room.id, seq: '6' });
    expect(tooFar.error.code).toBe('validation_failed');
    expect(await unread(a, bob, room.id)).toMatchObject({ unreadCount: 2, lastReadSeq: '3' });

    // Over REST too.
    const rest = await client(b.url).post(`/v1/rooms/${room.id}/read`, {
      headers: bob.headers,
      body: { seq: '5' },
    });
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual({ roomId: room.id, lastReadSeq: '5', unreadCount: 0 });
    expect(await unread(a, bob, room.id)).toMatchObject({ unreadCount: 0, lastReadSeq: '5' });
    await new Promise((r) => setTimeout(r, 200));
    expect(receipts).toEqual([
      { roomId: room.id, userId: bob.user.id, seq: '3' },
      { roomId: room.id, userId: bob.user.id, seq: '5' },
    ]);

    // A non-member has no marker to move.
    const carol = await newUser(a);
    const carolOnA = await connectChat(a.url, { token: carol.token });
    expect((await ack(carolOnA, 'read:update', { roomId: room.id, seq: '1' })).error.code).toBe('forbidden');
  });

  it('keeps counts exact while several nodes write at once', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const senders = [
      await connectChat(a.url, { token: alice.token }),
      await connectChat(b.url, { token: alice.token }),
      await connectChat(a.url, { token: bob.token }),
      await connectChat(b.url, { token: bob.token }),
    ];
    await Promise.all(
      senders.flatMap((s, i) =>
        Array.from({ length: 4 }, (_, j) =>
          ack(s, 'message:send', { roomId: room.id, clientMsgId: `c${i}-${j}`, text: `c${i}-${j}` }),
        ),
      ),
    );
    const seqs = (await a.server.db('messages').where({ room_id: room.id }).orderBy('seq')).map((m) =>
      Number(m.seq),
    );
    expect(seqs).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const [forAlice, forBob] = [await unread(a, alice, room.id), await unread(b, bob, room.id)];
    expect(forAlice.lastSeq).toBe('16');
    // Each has read up to their own latest message; the rest is unread.
    expect(forAlice.unreadCount).toBe(16 - Number(forAlice.lastReadSeq));
    expect(forBob.unreadCount).toBe(16 - Number(forBob.lastReadSeq));
    expect(Number(forAlice.lastReadSeq)).toBeGreaterThanOrEqual(8);
    expect(Number(forBob.lastReadSeq)).toBeGreaterThanOrEqual(8);
  });
});
