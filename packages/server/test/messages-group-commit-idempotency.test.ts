/**
 * Idempotency by clientMsgId under group commit: copies of one send that land in the same batch, or in
 * batches of two nodes that race, store one message and answer every copy with it; a copy with other content
 * is `conflict`, as without batches.
 */
import { afterEach, expect, it } from 'vitest';
import { messagesRepository, type CreateInput } from '../src/messages/messages.repository.js';
import { ack, closeChatClients, connectChat, eventually, record } from './helpers/cluster.js';
import { joinRoom, newRoom, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { lockRoom, lockWaiters, recordLookups, recordSendBatches } from './helpers/send-batches.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'messages: idempotent sends under group commit', () => {
  const [a, b] = useServer({
    label: 'messages_group_commit_idempotency',
    nodes: 2,
    env: { MESSAGE_RATE_LIMIT: '1000' },
  }).nodes;

  afterEach(() => closeChatClients());

  const rowsOf = (roomId: string) => a.server.db('messages').where({ room_id: roomId }).orderBy('seq');

  it('answers copies of one send queued in the same batch with one stored message', async () => {
    const alice = await newUser(a, { displayName: 'Alice Moreau' });
    const bob = await newUser(a, { displayName: 'Bob Okafor' });
    const room = await newRoom(a, alice, { title: 'Standup' });
    const blocker = await newRoom(a, alice, { title: 'Elsewhere' });
    await joinRoom(a, bob, room);
    const bobOnB = await connectChat(b.url, { token: bob.token });
    await ack(bobOnB, 'room:join', { roomId: room.id });
    const broadcasts = record(bobOnB, 'message:new');
    const sockets = await Promise.all(
      Array.from({ length: 6 }, () => connectChat(a.url, { token: alice.token })),
    );

    // A first batch waits on the blocker room's lock, so the copies below queue up behind it together.
    const batches = recordSendBatches(a.server.db);
    const lookups = recordLookups(a.server.db);
    const hold = await lockRoom(a.server.db, blocker.id);
    let acks: { text: string; res: { message?: { id: string; seq: string }; error?: { code: string } } }[];
    try {
      const first = ack(sockets[0]!, 'message:send', {
        roomId: blocker.id,
        clientMsgId: 'b-1',
        text: 'first',
      });
      await lockWaiters(a.server.db, 1);
      const texts = ['same words', 'same words', 'same words', 'same words', 'other words'];
      const copies = [
        ...texts.map(async (text, i) => ({
          text,
          res: await ack(sockets[i + 1]!, 'message:send', { roomId: room.id, clientMsgId: 'dup-1', text }),
        })),
        ...[0, 1].map(async () => {
          const res = await client(a.url).post(`/v1/rooms/${room.id}/messages`, {
            headers: alice.headers,
            body: { clientMsgId: 'dup-1', text: 'same words' },
          });
          return { text: 'same words', res: res.body };
        }),
      ];
      // Every copy passed the early look-up (nothing stored yet); the rate limit's one Redis call later it is
      // queued, so after the pause all of them wait for the next batch.
      await eventually(() => lookups.count('dup-1') >= copies.length);
      await new Promise((r) => setTimeout(r, 500));
      await hold.release();
      expect((await first).message.seq).toBe('1');
      acks = await Promise.all(copies);
    } finally {
      if (!hold.trx.isCompleted()) await hold.trx.rollback();
      batches.stop();
      lookups.stop();
    }

    // All the copies were in one statement.
    expect(batches.list).toContainEqual(Array(7).fill('dup-1'));
    const rows = await rowsOf(room.id);
    expect(rows).toHaveLength(1);
    const stored = rows[0];
    for (const { text, res } of acks) {
      if (text === stored.text) expect(res.message).toMatchObject({ id: String(stored.id), seq: '1' });
      else expect(res.error?.code).toBe('conflict');
    }
    expect(new Set(acks.filter((x) => x.res.message).map((x) => JSON.stringify(x.res.message))).size).toBe(1);
    await eventually(() => broadcasts.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(broadcasts.map((m) => m.id)).toEqual([String(stored.id)]);
  });

  it('answers copies stored by racing batches on two nodes with the one that committed', async () => {
    const alice = await newUser(a);
    const room = await newRoom(a, alice);
    const onA = await Promise.all(
      Array.from({ length: 3 }, () => connectChat(a.url, { token: alice.token })),
    );
    const onB = await Promise.all(
      Array.from({ length: 3 }, () => connectChat(b.url, { token: alice.token })),
    );
    for (let round = 1; round <= 3; round += 1) {
      // Both nodes' batches read the key as absent, then wait on the room's lock: the second to get it finds
      // the key taken by the first's commit (the unique index) and answers with that message.
      const hold = await lockRoom(a.server.db, room.id);
      let results: { message: { id: string; seq: string } }[];
      try {
        const send = { roomId: room.id, clientMsgId: `race-${round}`, text: `round ${round}` };
        const pending = [...onA, ...onB].map((s) => ack(s, 'message:send', send));
        await lockWaiters(a.server.db, 2);
        await hold.release();
        results = await Promise.all(pending);
      } finally {
        if (!hold.trx.isCompleted()) await hold.trx.rollback();
      }
      for (const r of results) expect(r.message).toEqual(results[0]!.message);
      expect(results[0]!.message.seq).toBe(String(round));
    }
    const rows = await rowsOf(room.id);
    expect(rows.map((r) => [String(r.seq), r.client_msg_id])).toEqual([
      ['1', 'race-1'],
      ['2', 'race-2'],
      ['3', 'race-3'],
    ]);
  });

  it('stores the first of each key in a batch, and retries a batch one by one when a race broke it', async () => {
    const alice = await newUser(a);
    const r1 = await newRoom(a, alice);
    const r2 = await newRoom(a, alice);
    const input = (roomId: string, clientMsgId: string, text = clientMsgId): CreateInput => ({
      roomId,
      authorId: alice.user.id,
      clientMsgId,
      text,
      replyTo: null,
    });
    const onA = messagesRepository(a.server.db);
    const onB = messagesRepository(b.server.db);

    // Within one batch: the first copy is stored, the later ones (other text included) answer it.
    const one = await onA.createMany([
      input(r1.id, 'k1'),
      input(r1.id, 'k1'),
      input(r1.id, 'k1', 'other text'),
      input(r1.id, 'k2'),
    ]);
    const values = one.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(values.map((v) => v?.created)).toEqual([true, false, false, true]);
    const k1 = values[0]?.created ? values[0].message : undefined;
    expect(k1).toMatchObject({ seq: '1', text: 'k1' });
    for (const v of values.slice(1, 3)) expect(v?.created ? undefined : v?.existing).toEqual(k1);
    expect(values[3]).toMatchObject({ created: true, message: { seq: '2', clientMsgId: 'k2' } });

    // Across batches of two nodes, each holding both rooms in opposite orders: they wait on r1's lock, both
    // having read 'c1' and 'c2' as absent. The first to go stores them; the second's statement breaks the
    // unique index and is retried one by one, storing its own key and answering the others.
    const hold = await lockRoom(a.server.db, r1.id);
    let fromA: Awaited<ReturnType<typeof onA.createMany>>;
    let fromB: Awaited<ReturnType<typeof onB.createMany>>;
    try {
      const pendingA = onA.createMany([input(r2.id, 'c1'), input(r1.id, 'c2'), input(r1.id, 'a-only')]);
      const pendingB = onB.createMany([input(r1.id, 'c2'), input(r2.id, 'c1'), input(r2.id, 'b-only')]);
      await lockWaiters(a.server.db, 2);
      await hold.release();
      [fromA, fromB] = await Promise.all([pendingA, pendingB]);
    } finally {
      if (!hold.trx.isCompleted()) await hold.trx.rollback();
    }
    const messageOf = (r: (typeof fromA)[number]) => {
      expect(r.status).toBe('fulfilled');
      const v = r.status === 'fulfilled' ? r.value : undefined;
      return v?.created ? v.message : v?.existing;
    };
    expect(messageOf(fromA[0]!)).toEqual(messageOf(fromB[1]!));
    expect(messageOf(fromA[1]!)).toEqual(messageOf(fromB[0]!));
    expect(messageOf(fromA[2]!)).toMatchObject({ clientMsgId: 'a-only' });
    expect(messageOf(fromB[2]!)).toMatchObject({ clientMsgId: 'b-only' });
    const created = [...fromA, ...fromB].filter((r) => r.status === 'fulfilled' && r.value?.created);
    expect(created).toHaveLength(4);

    const seqs = async (roomId: string) =>
      (await rowsOf(roomId)).map((r) => [String(r.seq), r.client_msg_id]);
    expect((await seqs(r1.id)).map(([seq]) => seq)).toEqual(['1', '2', '3', '4']);
    expect((await seqs(r1.id)).map(([, key]) => key).sort()).toEqual(['a-only', 'c2', 'k1', 'k2']);
    expect((await seqs(r2.id)).map(([seq]) => seq)).toEqual(['1', '2']);
    expect((await seqs(r2.id)).map(([, key]) => key).sort()).toEqual(['b-only', 'c1']);
  });
});
