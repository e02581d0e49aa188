/**
 * A room's `lastMessageAt` is the `createdAt` of its latest message, on every answer that carries the room:
 * `null` before the first message, then moved by each send. Checked on the room itself (`GET /v1/rooms/:id`),
 * my rooms (`GET /v1/me/rooms`), the directory (`GET /v1/rooms`), the answer to joining
 * (`POST /v1/rooms/:id/join`) and the socket's `room:join`; and in the database it is the message's
 * `created_at` to the microsecond, not just to the millisecond the API shows.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat } from './helpers/cluster.js';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: lastMessageAt follows the latest message', () => {
  const { t, http } = useServer({ label: 'rooms_last_message_at' });

  afterEach(() => closeChatClients());

  /** `roomId` as each room-carrying answer shows it to `viewer` (a member) and to `joiner` (joining now). */
  async function everyView(roomId: string, viewer: TestUser, joiner: TestUser) {
    const room = await http.get(`/v1/rooms/${roomId}`, { headers: viewer.headers });
    const mine = await http.get('/v1/me/rooms?limit=100', { headers: viewer.headers });
    const directory = await http.get('/v1/rooms?limit=100', { headers: viewer.headers });
    const joined = await http.post(`/v1/rooms/${roomId}/join`, { headers: joiner.headers });
    const socket = await connectChat(t.url, { token: viewer.token });
    const subscribed = await ack(socket, 'room:join', { roomId });
    for (const res of [room, mine, directory, joined]) expect(res.status).toBe(200);
    const byId = (items: { id: string }[]) => items.find((r) => r.id === roomId);
    return {
      room: room.body,
      mine: byId(mine.body.items),
      directory: byId(directory.body.items),
      joined: joined.body,
      subscribed: subscribed.room,
    };
  }

  async function send(roomId: string, author: TestUser, text: string) {
    const res = await http.post(`/v1/rooms/${roomId}/messages`, {
      headers: author.headers,
      body: { clientMsgId: randomUUID(), text },
    });
    expect(res.status).toBe(201);
    return res.body.message as { id: string; seq: string; createdAt: string };
  }

  /** The room's stored time against the created_at of the message `seq`, to the microsecond. */
  const storedAgainst = async (roomId: string, seq: string) =>
    (
      await t.server.db.raw<{ rows: { same: boolean; later: boolean }[] }>(
        `SELECT r.last_message_at = m.created_at AS same, r.last_message_at > m.created_at AS later
           FROM rooms r JOIN messages m ON m.room_id = r.id AND m.seq = ?
          WHERE r.id = ?`,
        [seq, roomId],
      )
    ).rows[0]!;

  it('is null on a new room, then each send moves it to that message’s createdAt', async () => {
    const yuna = await newUser(t, { displayName: 'Yuna Park' });
    const room = await newRoom(t, yuna, { title: 'Jeju trip planning' });
    expect(room.lastMessageAt).toBeNull();
    const fresh = await everyView(room.id, yuna, await newUser(t, { displayName: 'Minho Lee' }));
    for (const view of Object.values(fresh))
      expect(view).toMatchObject({ lastSeq: '0', lastMessageAt: null });

    const first = await send(room.id, yuna, 'Ferry or flight?');
    const afterFirst = await everyView(room.id, yuna, await newUser(t, { displayName: 'Jisoo Kim' }));
    for (const view of Object.values(afterFirst)) {
      expect(view).toMatchObject({ lastSeq: '1', lastMessageAt: first.createdAt });
    }
    expect(await storedAgainst(room.id, first.seq)).toEqual({ same: true, later: false });

    const second = await send(room.id, yuna, 'Flight, the ferry takes all day');
    const afterSecond = await everyView(room.id, yuna, await newUser(t, { displayName: 'Seojun Choi' }));
    for (const view of Object.values(afterSecond)) {
      expect(view).toMatchObject({ lastSeq: '2', lastMessageAt: second.createdAt });
    }
    expect(await storedAgainst(room.id, second.seq)).toEqual({ same: true, later: false });
    // Moved on from the first message, even were both sent within one millisecond.
    expect(await storedAgainst(room.id, first.seq)).toEqual({ same: false, later: true });
  });

  it('is per room: a send in one room leaves the others as they were', async () => {
    const daniel = await newUser(t, { displayName: 'Daniel Ortega' });
    const busy = await newRoom(t, daniel, { title: 'Kitchen rota' });
    const quiet = await newRoom(t, daniel, { title: 'Garden club' });
    const message = await send(busy.id, daniel, 'Whose turn is it on Friday?');
    const mine = (await http.get('/v1/me/rooms', { headers: daniel.headers })).body.items as {
      id: string;
      lastMessageAt: string | null;
    }[];
    expect(mine.find((r) => r.id === busy.id)?.lastMessageAt).toBe(message.createdAt);
    expect(mine.find((r) => r.id === quiet.id)?.lastMessageAt).toBeNull();
  });
});
