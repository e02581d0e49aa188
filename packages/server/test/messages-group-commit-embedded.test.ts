/**
 * The group-commit statement on the embedded defaults (PGlite, one node): concurrent sends go in batches,
 * and a batch mixing new sends, copies of one key, a key stored earlier and a deleted room answers each as
 * the PostgreSQL server does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { messagesRepository, type CreateInput } from '../src/messages/messages.repository.js';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  record,
  type ClusterNode,
} from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { recordSendBatches } from './helpers/send-batches.js';
import { useServer } from './helpers/use-server.js';

// No services needed: the laptop default (embedded PGlite, in-memory shared state and adapter).
describe('messages: group commit on the embedded defaults (PGlite)', () => {
  const { t } = useServer({ services: [] });

  afterEach(() => closeChatClients());

  it('stores concurrent sends in batches, numbered and broadcast in order', async () => {
    const node = t as ClusterNode;
    const owner = await newUser(node);
    const room = await newRoom(node, owner);
    const sockets = await Promise.all(
      Array.from({ length: 8 }, () => connectChat(t.url, { token: owner.token })),
    );
    await ack(sockets[0]!, 'room:join', { roomId: room.id });
    const received = record(sockets[0]!, 'message:new');

    const batches = recordSendBatches(t.server.db);
    let acks: { message: { seq: string } }[];
    try {
      acks = await Promise.all(
        sockets.flatMap((socket, s) =>
          [0, 1].map((i) =>
            ack(socket, 'message:send', { roomId: room.id, clientMsgId: `e-${s}-${i}`, text: 'x' }),
          ),
        ),
      );
    } finally {
      batches.stop();
    }
    const expected = Array.from({ length: 16 }, (_, i) => String(i + 1));
    expect(
      acks
        .map((a) => Number(a.message.seq))
        .sort((x, y) => x - y)
        .map(String),
    ).toEqual(expected);
    expect(batches.list.flat()).toHaveLength(16);
    expect(batches.list.length).toBeLessThan(16);
    await eventually(() => received.length >= 16);
    expect(received.map((m) => m.seq)).toEqual(expected);
  });

  it('answers new sends, copies, stored keys and deleted rooms within one batch', async () => {
    const node = t as ClusterNode;
    const owner = await newUser(node);
    const room = await newRoom(node, owner);
    const gone = await newRoom(node, owner);
    const repo = messagesRepository(t.server.db);
    const input = (roomId: string, clientMsgId: string): CreateInput => ({
      roomId,
      authorId: owner.user.id,
      clientMsgId,
      text: clientMsgId,
      replyTo: null,
    });
    const earlier = await repo.create(input(room.id, 'earlier'));
    await t.server.db('rooms').where({ id: gone.id }).update({ deleted_at: t.server.db.fn.now() });

    const results = await repo.createMany([
      input(room.id, 'n1'),
      input(gone.id, 'lost'),
      input(room.id, 'earlier'),
      input(room.id, 'n2'),
      input(room.id, 'n1'),
    ]);
    const values = results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'));
    expect(values[0]).toMatchObject({ created: true, message: { seq: '2', clientMsgId: 'n1' } });
    expect(values[1]).toBeUndefined();
    expect(values[2]).toEqual({ created: false, existing: earlier?.created ? earlier.message : undefined });
    expect(values[3]).toMatchObject({ created: true, message: { seq: '3', clientMsgId: 'n2' } });
    const n1 = values[0] && values[0] !== 'rejected' && values[0].created ? values[0].message : undefined;
    expect(values[4]).toEqual({ created: false, existing: n1 });

    const marker = await t.server
      .db('room_members')
      .where({ room_id: room.id, user_id: owner.user.id })
      .first();
    expect(String(marker.last_read_seq)).toBe('3');
    const head = await t.server.db('rooms').where({ id: room.id }).first('last_seq');
    expect(String(head.last_seq)).toBe('3');
  });
});
