import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, record } from './helpers/cluster.js';
import { messagesRepository } from '../src/messages/messages.repository.js';
import { newRoom, newUser, roomOfTwo } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'messages: idempotent sends (clientMsgId)', () => {
  const [a, b] = useServer({
    label: 'messages_idempotency',
    nodes: 2,
  }).nodes;

  afterEach(() => closeChatClients());

  const stored = async (roomId: string) => {
    const rows = await a.server.db('messages').where({ room_id: roomId }).orderBy('seq');
    const room = await a.server.db('rooms').where({ id: roomId }).first('last_seq');
    return { rows, lastSeq: String(room.last_seq) };
  };

  it('stores a retried message once and answers every retry with the same ack, on any node', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const bobOnB = await connectChat(b.url, { token: bob.token });
    await ack(bobOnB, 'room:join', { roomId: room.id });
    const broadcasts = record(bobOnB, 'message:new');

    const onA = await connectChat(a.url, { token: alice.token });
    const onB = await connectChat(b.url, { token: alice.token });
    const first = await ack(onA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'retry-1',
      text: 'only once',
    });
    const again = await ack(onA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'retry-1',
      text: 'only once',
    });
    const elsewhere = await ack(onB, 'message:send', {
      roomId: room.id,
      clientMsgId: 'retry-1',
      text: '  only once  ', // the same text once trimmed
    });
    expect(first.message.seq).toBe('1');
    expect(again).toEqual(first);
    expect(elsewhere).toEqual(first);
    const rest = await client(a.url).post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'retry-1', text: 'only once' },
    });
    expect(rest.status).toBe(201);
    expect(rest.body).toEqual(first);

    const { rows, lastSeq } = await stored(room.id);
    expect(rows).toHaveLength(1);
    expect(lastSeq).toBe('1');
    await new Promise((r) => setTimeout(r, 200));
    expect(broadcasts.map((m) => m.id)).toEqual([first.message.id]);
  });

  it('stores one message when the same send races itself on two nodes', async () => {
    const alice = await newUser(a);
    const room = await newRoom(a, alice);
    const onA = await connectChat(a.url, { token: alice.token });
    const onB = await connectChat(b.url, { token: alice.token });
    for (let round = 0; round < 5; round += 1) {
      const send = { roomId: room.id, clientMsgId: `race-${round}`, text: `race ${round}` };
      const results = await Promise.all([
        ack(onA, 'message:send', send),
        ack(onB, 'message:send', send),
        ack(onA, 'message:send', send),
        ack(onB, 'message:send', send),
        client(b.url).post(`/v1/rooms/${room.id}/messages`, {
          headers: alice.headers,
          body: { clientMsgId: send.clientMsgId, text: send.text },
        }),
      ]);
      const messages = results.map((r) => ('status' in r ? r.body.message : r.message));
      for (const m of messages) expect(m).toEqual(messages[0]);
      expect(messages[0].seq).toBe(String(round + 1));
    }
    const { rows, lastSeq } = await stored(room.id);
    expect(rows.map((r) => String(r.seq))).toEqual(['1', '2', '3', '4', '5']);
    expect(lastSeq).toBe('5');
  });

  it('resolves the race inside the transaction too: one insert, the others read it back', async () => {
    const alice = await newUser(a);
    const room = await newRoom(a, alice);
    // Straight at the repository, so every call gets past the service's early look-up at once.
    const input = {
      roomId: room.id,
      authorId: alice.user.id,
      clientMsgId: 'tx-race',
      text: 'hi',
      replyTo: null,
    };
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => messagesRepository(a.server.db).create(input)),
      ...Array.from({ length: 6 }, () => messagesRepository(b.server.db).create(input)),
    ]);
    expect(results.filter((r) => r?.created)).toHaveLength(1);
    const winner = results.find((r) => r?.created)!;
    for (const r of results) {
      expect(r?.created ? r.message : r?.existing).toEqual(winner.created ? winner.message : undefined);
    }
    const { rows, lastSeq } = await stored(room.id);
    expect(rows).toHaveLength(1);
    expect(lastSeq).toBe('1');
  });

  it('refuses a reused clientMsgId with other content, writing nothing', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const aliceOnA = await connectChat(a.url, { token: alice.token });
    const bobOnB = await connectChat(b.url, { token: bob.token });
    const first = await ack(aliceOnA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'k1',
      text: 'original',
    });
    const before = await stored(room.id);

    const changed = await ack(aliceOnA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'k1',
      text: 'changed',
    });
    expect(changed.error).toMatchObject({
      code: 'conflict',
      message: 'clientMsgId reused with different content',
    });
    const asReply = await ack(aliceOnA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'k1',
      text: 'original',
      replyTo: first.message.id,
    });
    expect(asReply.error.code).toBe('conflict');
    // Another user cannot claim (or read through) someone else's key.
    const stolen = await ack(bobOnB, 'message:send', {
      roomId: room.id,
      clientMsgId: 'k1',
      text: 'original',
    });
    expect(stolen.error.code).toBe('conflict');
    expect(stolen.message).toBeUndefined();
    const rest = await client(b.url).post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'k1', text: 'changed over REST' },
    });
    expect(rest.status).toBe(409);
    expect(rest.body.error.code).toBe('conflict');

    const after = await stored(room.id);
    expect(after).toEqual(before);
    expect(after.rows[0].text).toBe('original');
  });

  it('numbers each room on its own, without gaps', async () => {
    const alice = await newUser(a);
    const r1 = await newRoom(a, alice);
    const r2 = await newRoom(a, alice);
    const s = await connectChat(a.url, { token: alice.token });
    const seqs: Record<string, string[]> = { [r1.id]: [], [r2.id]: [] };
    for (let i = 0; i < 6; i += 1) {
      const roomId = i % 3 === 0 ? r2.id : r1.id;
      const res = await ack(s, 'message:send', { roomId, clientMsgId: `n${i}`, text: `n${i}` });
      seqs[roomId]!.push(res.message.seq);
      if (i === 2) {
        // A failed send (conflict) gives no number away.
        await ack(s, 'message:send', { roomId: r1.id, clientMsgId: 'n1', text: 'different' });
      }
    }
    expect(seqs[r1.id]).toEqual(['1', '2', '3', '4']);
    expect(seqs[r2.id]).toEqual(['1', '2']);
  });
});
