/**
 * `lastMessageAt` says when the room was last active, so only sends move it: editing the latest message
 * leaves it, and deleting the latest message does not move it back to the message before (the tombstone
 * keeps its seq, and the room was active then all the same).
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: edits and deletions leave lastMessageAt', () => {
  const { t, http } = useServer({ label: 'rooms_last_message_at_edits' });

  async function send(roomId: string, author: TestUser, text: string) {
    const res = await http.post(`/v1/rooms/${roomId}/messages`, {
      headers: author.headers,
      body: { clientMsgId: randomUUID(), text },
    });
    expect(res.status).toBe(201);
    return res.body.message as { id: string; seq: string; createdAt: string };
  }

  async function lastMessageAt(roomId: string, viewer: TestUser) {
    const room = await http.get(`/v1/rooms/${roomId}`, { headers: viewer.headers });
    const mine = await http.get('/v1/me/rooms?limit=100', { headers: viewer.headers });
    const listed = (mine.body.items as { id: string; lastMessageAt: string | null }[]).find(
      (r) => r.id === roomId,
    );
    expect(listed?.lastMessageAt).toBe(room.body.lastMessageAt);
    return room.body.lastMessageAt as string | null;
  }

  /** A stored time to the microsecond (the API rounds to milliseconds), as sortable text. */
  const exact = async (sql: string, id: string) =>
    (
      await t.server.db.raw<{ rows: { at: string }[] }>(
        `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS at FROM (${sql}) x`,
        [id],
      )
    ).rows[0]!.at;
  const stored = (roomId: string) => exact('SELECT last_message_at AS at FROM rooms WHERE id = ?', roomId);
  const createdAt = (messageId: string) =>
    exact('SELECT created_at AS at FROM messages WHERE id = ?', messageId);

  it('stays at the latest send through an edit and a deletion of that message', async () => {
    const amara = await newUser(t, { displayName: 'Amara Okafor' });
    const room = await newRoom(t, amara, { title: 'Book club: October' });
    const earlier = await send(room.id, amara, 'Chapter 3 by Thursday?');
    const latest = await send(room.id, amara, 'Make that chapter 4');
    // The two sends have different times in the database: moving back to the earlier one would show.
    const atLatest = await stored(room.id);
    expect(atLatest).toBe(await createdAt(latest.id));
    const earlierAt = await createdAt(earlier.id);
    expect(earlierAt < atLatest).toBe(true);
    expect(await lastMessageAt(room.id, amara)).toBe(latest.createdAt);

    const edited = await http.patch(`/v1/rooms/${room.id}/messages/${latest.id}`, {
      headers: amara.headers,
      body: { text: 'Make that chapter 4, please' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.message.editedAt).not.toBeNull();
    expect(await lastMessageAt(room.id, amara)).toBe(latest.createdAt);
    expect(await stored(room.id)).toBe(atLatest);

    const deleted = await http.delete(`/v1/rooms/${room.id}/messages/${latest.id}`, {
      headers: amara.headers,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body.message.deletedAt).not.toBeNull();
    expect(await lastMessageAt(room.id, amara)).toBe(latest.createdAt);
    expect(await stored(room.id)).toBe(atLatest);
    // The room's metadata time is a different thing, and no message write touched it either.
    const fresh = (await http.get(`/v1/rooms/${room.id}`, { headers: amara.headers })).body;
    expect(fresh.updatedAt).toBe(room.updatedAt);
  });
});
