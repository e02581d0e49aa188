/**
 * `lastMessageAt` never runs backwards, and message times follow their seqs, even when a send's transaction
 * began before an earlier seq's send committed (sends of one room queue on the room's row lock, so under load
 * a transaction can wait there while a later one goes first). The time is taken under that lock, not at the
 * transaction's start (`now()`), which here is before the earlier message's: the control below shows it.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { messagesRepository } from '../src/messages/messages.repository.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: lastMessageAt follows seq order, not transaction start', () => {
  const { t, http } = useServer({ label: 'rooms_last_message_at_order' });

  it('moves forward for a send whose transaction began before the previous message was stored', async () => {
    const priya = await newUser(t, { displayName: 'Priya Raman' });
    const tomas = await newUser(t, { displayName: 'Tomás Silva' });
    const room = await newRoom(t, priya, { title: 'Release 2.4 checklist' });
    await http.post(`/v1/rooms/${room.id}/join`, { headers: tomas.headers });

    // Tomás's send: its transaction starts now, before Priya's send below is stored.
    const trx = await t.server.db.transaction();
    try {
      const began = (await trx.raw<{ rows: { at: string }[] }>('SELECT now()::text AS at')).rows[0]!.at;

      const first = await http.post(`/v1/rooms/${room.id}/messages`, {
        headers: priya.headers,
        body: { clientMsgId: randomUUID(), text: 'Changelog is merged' },
      });
      expect(first.status).toBe(201);

      const second = await messagesRepository(trx).create({
        roomId: room.id,
        authorId: tomas.user.id,
        clientMsgId: randomUUID(),
        text: 'Tagging the release now',
        replyTo: null,
      });
      await trx.commit();

      expect(second).toMatchObject({ created: true, message: { seq: '2' } });
      const secondMessage = second!.created ? second!.message : undefined;
      const times = await t.server.db.raw<{
        rows: { began_earlier: boolean; in_order: boolean; latest: boolean }[];
      }>(
        `SELECT ?::timestamptz < m1.created_at AS began_earlier,
                m2.created_at > m1.created_at AS in_order, r.last_message_at = m2.created_at AS latest
           FROM rooms r
           JOIN messages m1 ON m1.room_id = r.id AND m1.seq = 1
           JOIN messages m2 ON m2.room_id = r.id AND m2.seq = 2
          WHERE r.id = ?`,
        [began, room.id],
      );
      // The control: the second send's transaction began before the first message's time, so a time taken
      // at its start would put seq 2 before seq 1 and move the room's time backwards.
      expect(times.rows[0]).toEqual({ began_earlier: true, in_order: true, latest: true });
      const mine = await http.get('/v1/me/rooms', { headers: tomas.headers });
      expect(mine.body.items[0]).toMatchObject({ id: room.id, lastSeq: '2' });
      expect(mine.body.items[0].lastMessageAt).toBe(secondMessage?.createdAt);
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
  });
});
