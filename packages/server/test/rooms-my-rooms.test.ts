import { expect, it } from 'vitest';
import { membershipRepository } from '../src/rooms/membership.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: my rooms with unread counts', () => {
  const { t, http } = useServer({ label: 'rooms_mine' });

  // Messages belong to another domain; here the room's sequence is advanced as a send would advance it.
  const messagesArrive = (roomId: string, lastSeq: number) =>
    t.server.db('rooms').where({ id: roomId }).update({ last_seq: lastSeq });

  it('lists my rooms newest first with my role and lastSeq - lastReadSeq unread', async () => {
    const me = await newUser(t);
    const other = await newUser(t);
    const mineOwned = await newRoom(t, me, { title: 'Mine' });
    const joined = await newRoom(t, other, { title: 'Theirs' });
    await http.post(`/v1/rooms/${joined.id}/join`, { headers: me.headers });
    await newRoom(t, other, { title: 'Not mine' });

    await messagesArrive(joined.id, 12);
    await messagesArrive(mineOwned.id, 3);
    const members = membershipRepository(t.server.db);
    expect(await members.markRead(joined.id, me.user.id, '5')).toBe('5');
    // The marker never moves backwards and never past the last message.
    expect(await members.markRead(joined.id, me.user.id, '2')).toBe('5');
    expect(await members.markRead(mineOwned.id, me.user.id, '99')).toBe('3');

    const res = await http.get('/v1/me/rooms', { headers: me.headers });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items[0]).toMatchObject({
      id: joined.id,
      title: 'Theirs',
      role: 'member',
      lastSeq: '12',
      lastReadSeq: '5',
      unreadCount: 7,
      code: joined.code,
      mutedUntil: null,
    });
    expect(res.body.items[1]).toMatchObject({
      id: mineOwned.id,
      role: 'owner',
      unreadCount: 0,
      lastReadSeq: '3',
    });
  });

  it('pages with a cursor bound to me, and leaves out rooms I left, was banned from, or that were deleted', async () => {
    const me = await newUser(t);
    const owner = await newUser(t);
    const rooms = [];
    for (let i = 0; i < 7; i += 1) {
      const room = await newRoom(t, owner, { title: `r${i}`, visibility: i % 2 ? 'private' : 'public' });
      await http.post('/v1/rooms/join', { headers: me.headers, body: { code: room.code } });
      rooms.push(room);
    }
    await http.post(`/v1/rooms/${rooms[1]!.id}/leave`, { headers: me.headers });
    await http.post(`/v1/rooms/${rooms[2]!.id}/members/${me.user.id}/ban`, { headers: owner.headers });
    await http.delete(`/v1/rooms/${rooms[3]!.id}`, { headers: owner.headers });
    const expected = [rooms[6], rooms[5], rooms[4], rooms[0]].map((r) => r!.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/v1/me/rooms?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await http.get(path, { headers: me.headers });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(await membershipRepository(t.server.db).listUserRoomIds(me.user.id)).toEqual(expected);

    const page = await http.get('/v1/me/rooms?limit=1', { headers: me.headers });
    const stolen = await http.get(`/v1/me/rooms?cursor=${encodeURIComponent(page.body.nextCursor)}`, {
      headers: owner.headers,
    });
    expect(stolen.status).toBe(400);
    expect((await http.get('/v1/me/rooms?limit=-1', { headers: me.headers })).status).toBe(400);
    expect((await http.get('/v1/me/rooms')).status).toBe(401);
  });
});
