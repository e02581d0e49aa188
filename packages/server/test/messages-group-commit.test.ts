/**
 * Group commit: sends arriving together are stored in one statement, yet each answers as if alone. 200 sends
 * to one room from 20 connections at once: every ack has its own seq, the room's seqs run 1..200 without a
 * gap, every member connection gets each `message:new` once and in seq order, and the sends were stored in
 * fewer statements than there were sends.
 */
import { afterEach, expect, it } from 'vitest';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  record,
  type ChatClient,
} from './helpers/cluster.js';
import { joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { recordSendBatches } from './helpers/send-batches.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const USERS = 10;
const SOCKETS_PER_USER = 2;
const SENDS_PER_SOCKET = 10;
const TOTAL = USERS * SOCKETS_PER_USER * SENDS_PER_SOCKET;

const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));

describeWith(['postgres'], 'messages: concurrent sends are stored in batches (group commit)', () => {
  const { t } = useServer({
    label: 'messages_group_commit',
    // One user's sends are rate limited, and a node admits SEND_QUEUE_MAX sends at once; this test is
    // about the database, not the limits.
    env: { MESSAGE_RATE_LIMIT: String(TOTAL), SEND_QUEUE_MAX: String(TOTAL) },
  });

  afterEach(() => closeChatClients());

  it('numbers 200 concurrent sends to one room 1..200, each broadcast once and in seq order', async () => {
    const owner = await newUser(t, { displayName: 'Ines Duarte' });
    const room = await newRoom(t, owner, { title: 'Launch day' });
    const users: TestUser[] = [owner];
    for (let i = 1; i < USERS; i += 1) {
      const user = await newUser(t);
      await joinRoom(t, user, room);
      users.push(user);
    }
    const sockets: { user: TestUser; socket: ChatClient }[] = [];
    for (const user of users) {
      for (let i = 0; i < SOCKETS_PER_USER; i += 1) {
        const socket = await connectChat(t.url, { token: user.token });
        await ack(socket, 'room:join', { roomId: room.id });
        sockets.push({ user, socket });
      }
    }
    const received = sockets.map(({ socket }) => record(socket, 'message:new'));

    const batches = recordSendBatches(t.server.db);
    let acks: { clientMsgId: string; author: string; message: { id: string; seq: string } }[][];
    try {
      acks = await Promise.all(
        sockets.map(async ({ user, socket }, s) =>
          Promise.all(
            Array.from({ length: SENDS_PER_SOCKET }, async (_, i) => {
              const clientMsgId = `gc-${s}-${i}`;
              const res = await ack(socket, 'message:send', {
                roomId: room.id,
                clientMsgId,
                text: `m ${s}.${i}`,
              });
              expect(res.error).toBeUndefined();
              return { clientMsgId, author: user.user.id, message: res.message };
            }),
          ),
        ),
      );
    } finally {
      batches.stop();
    }

    // Every ack its own seq, together 1..200.
    const all = acks.flat();
    const seqs = all.map((a) => Number(a.message.seq)).sort((x, y) => x - y);
    expect(seqs.map(String)).toEqual(range(TOTAL));
    // One connection's sends are handled in the order it sent them.
    for (const mine of acks) {
      const own = mine.map((a) => Number(a.message.seq));
      expect(own).toEqual([...own].sort((x, y) => x - y));
    }

    // Batching happened: fewer statements than sends, all sends in them, and within each statement the
    // seqs follow the order the sends were queued in.
    const seqOf = new Map(all.map((a) => [a.clientMsgId, Number(a.message.seq)]));
    expect(batches.list.flat().sort()).toEqual(all.map((a) => a.clientMsgId).sort());
    expect(batches.list.length).toBeLessThan(TOTAL);
    expect(Math.max(...batches.list.map((b) => b.length))).toBeGreaterThan(1);
    for (const batch of batches.list) {
      const inBatch = batch.map((id) => seqOf.get(id)!);
      expect(inBatch).toEqual(inBatch.map((_, i) => inBatch[0]! + i));
    }

    // Each member connection got every message once, in seq order.
    await eventually(() => received.every((r) => r.length >= TOTAL), 10_000);
    await new Promise((r) => setTimeout(r, 100));
    for (const r of received) expect(r.map((m) => m.seq)).toEqual(range(TOTAL));

    // Stored once each, gap-free, times not running backwards along seqs, the room's head and time moved.
    const rows = await t.server.db('messages').where({ room_id: room.id }).orderBy('seq');
    expect(rows.map((r) => String(r.seq))).toEqual(range(TOTAL));
    expect(new Set(rows.map((r) => r.client_msg_id)).size).toBe(TOTAL);
    for (let i = 1; i < rows.length; i += 1) {
      expect(rows[i].created_at.getTime()).toBeGreaterThanOrEqual(rows[i - 1].created_at.getTime());
    }
    const stored = await t.server.db('rooms').where({ id: room.id }).first('last_seq', 'last_message_at');
    expect(String(stored.last_seq)).toBe(String(TOTAL));
    expect(stored.last_message_at.getTime()).toBe(rows[TOTAL - 1].created_at.getTime());
    for (const a of all) {
      const row = rows[Number(a.message.seq) - 1];
      expect({ id: String(row.id), clientMsgId: row.client_msg_id, author: String(row.author_id) }).toEqual({
        id: a.message.id,
        clientMsgId: a.clientMsgId,
        author: a.author,
      });
    }

    // Each author's read marker is at their last message.
    const markers = await t.server
      .db('room_members')
      .where({ room_id: room.id })
      .select('user_id', 'last_read_seq');
    for (const user of users) {
      const last = Math.max(
        ...all.filter((a) => a.author === user.user.id).map((a) => Number(a.message.seq)),
      );
      const marker = markers.find((m) => String(m.user_id) === user.user.id);
      expect(String(marker?.last_read_seq)).toBe(String(last));
    }
  });
});
