/**
 * A room deleted while a batch of sends waits for its lock: the batch stores the sends to the other rooms,
 * and the send to the deleted room answers `not_found`, storing nothing and taking no seq.
 */
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, eventually } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { lockRoom, lockWaiters, recordLookups, recordSendBatches } from './helpers/send-batches.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'messages: a room deleted in the middle of a batch', () => {
  const { t } = useServer({ label: 'messages_group_commit_deleted_room' });

  afterEach(() => closeChatClients());

  it('answers not_found for the deleted room and stores the rest of the batch', async () => {
    const nadia = await newUser(t, { displayName: 'Nadia Haddad' });
    const blocker = await newRoom(t, nadia, { title: 'Warm-up' });
    // Created before `kept`, so the batch locks it first (rooms are locked in id order).
    const doomed = await newRoom(t, nadia, { title: 'Old project' });
    const kept = await newRoom(t, nadia, { title: 'New project' });
    const sockets = await Promise.all(
      Array.from({ length: 4 }, () => connectChat(t.url, { token: nadia.token })),
    );

    const batches = recordSendBatches(t.server.db);
    const lookups = recordLookups(t.server.db);
    const holdBlocker = await lockRoom(t.server.db, blocker.id);
    const holdDoomed = await lockRoom(t.server.db, doomed.id);
    try {
      // A first batch waits on the blocker's lock; the three sends below queue behind it, as one batch.
      const first = ack(sockets[0]!, 'message:send', { roomId: blocker.id, clientMsgId: 'w-1', text: 'hi' });
      await lockWaiters(t.server.db, 1);
      const toDoomed = ack(sockets[1]!, 'message:send', {
        roomId: doomed.id,
        clientMsgId: 'd-1',
        text: 'bye',
      });
      const toKept = [2, 3].map((i) =>
        ack(sockets[i]!, 'message:send', { roomId: kept.id, clientMsgId: `k-${i}`, text: `kept ${i}` }),
      );
      // Each passed the early look-up, right before it is queued; after the pause all of them wait.
      await eventually(() => ['d-1', 'k-2', 'k-3'].every((key) => lookups.count(key) === 1));
      await new Promise((r) => setTimeout(r, 500));
      await holdBlocker.release();
      expect((await first).message.seq).toBe('1');

      // The batch now waits on the doomed room's lock; the room is deleted before it gets it.
      await lockWaiters(t.server.db, 1);
      await holdDoomed.trx.raw('UPDATE rooms SET deleted_at = now() WHERE id = ?', [doomed.id]);
      await holdDoomed.release();

      const lost = await toDoomed;
      expect(lost.message).toBeUndefined();
      expect(lost.error).toMatchObject({ code: 'not_found', message: 'No such room' });
      const stored = await Promise.all(toKept);
      expect(stored.map((s) => s.message?.seq).sort()).toEqual(['1', '2']);
    } finally {
      for (const hold of [holdBlocker, holdDoomed]) if (!hold.trx.isCompleted()) await hold.trx.rollback();
      batches.stop();
      lookups.stop();
    }

    // The three sends were one statement.
    expect(batches.list.map((b) => [...b].sort())).toContainEqual(['d-1', 'k-2', 'k-3']);
    expect(await t.server.db('messages').where({ room_id: doomed.id })).toHaveLength(0);
    const doomedRow = await t.server
      .db('rooms')
      .where({ id: doomed.id })
      .first('last_seq', 'last_message_at');
    expect(doomedRow).toEqual({ last_seq: '0', last_message_at: null });
    const keptRows = await t.server.db('messages').where({ room_id: kept.id }).orderBy('seq');
    expect(keptRows.map((r) => String(r.seq))).toEqual(['1', '2']);
    expect(keptRows.map((r) => r.client_msg_id).sort()).toEqual(['k-2', 'k-3']);
  });
});
