/**
 * Rotating a room's join code: `POST /v1/rooms/:id/code`, and `rotateCode` on kick and ban (REST and socket).
 * The old code stops working at once, answering like a code that never existed, so a removed user cannot
 * come back with the code they know; the room's other connections learn the new code from `room:updated`,
 * the removed user does not.
 */
import { afterEach, expect, it } from 'vitest';
import { roomsRepository } from '../src/rooms/rooms.repository.js';
import { ack, closeChatClients, connectChat, nextEvent, record } from './helpers/cluster.js';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { type TestResponse } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: join code rotation', () => {
  const { t, http } = useServer({ label: 'rooms_code_rotation' });

  afterEach(() => closeChatClients());

  interface Setup {
    room: { id: string; code: string };
    owner: TestUser;
    moderator: TestUser;
    member: TestUser;
  }

  /** A private room with an owner, a moderator and a member, who all joined by code. */
  async function setup(): Promise<Setup> {
    const [owner, moderator, member] = [await newUser(t), await newUser(t), await newUser(t)];
    const room = (
      await http.post('/v1/rooms', {
        headers: owner.headers,
        body: { title: 'Secret', visibility: 'private' },
      })
    ).body;
    for (const u of [moderator, member]) {
      const joined = await http.post('/v1/rooms/join', { headers: u.headers, body: { code: room.code } });
      expect(joined.status).toBe(200);
    }
    await http.patch(`/v1/rooms/${room.id}/members/${moderator.user.id}`, {
      headers: owner.headers,
      body: { role: 'moderator' },
    });
    return { room, owner, moderator, member };
  }

  const joinByCode = (u: TestUser, code: string) =>
    http.post('/v1/rooms/join', { headers: u.headers, body: { code } });
  const rotate = (roomId: string, u: TestUser) =>
    http.post(`/v1/rooms/${roomId}/code`, { headers: u.headers });
  const answer = (res: TestResponse) => ({ status: res.status, body: res.body });
  /** What joining with a code no room has answers. */
  const unknownCode = async (u: TestUser) => answer(await joinByCode(u, 'ZZZZ2222'));

  it('rotates: the old code answers like an unknown code at once, the new one joins', async () => {
    const s = await setup();
    const res = await rotate(s.room.id, s.owner);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: s.room.id, visibility: 'private' });
    expect(res.body.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    expect(res.body.code).not.toBe(s.room.code);
    expect((await roomsRepository(t.server.db).findById(s.owner.user.siteId, s.room.id))?.code).toBe(
      res.body.code,
    );

    const newcomer = await newUser(t);
    const old = await joinByCode(newcomer, s.room.code);
    expect(answer(old)).toEqual(await unknownCode(newcomer));
    expect(old.body.error).toEqual({ code: 'not_found', message: 'No room has this code' });
    const fresh = await joinByCode(newcomer, res.body.code);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toMatchObject({ id: s.room.id, role: 'member', code: res.body.code });
    // Members see the new code.
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.member.headers })).body.code).toBe(
      res.body.code,
    );
  });

  it('lets moderators, the owner and site admins rotate; members get 403, outsiders 404', async () => {
    const s = await setup();
    expect((await rotate(s.room.id, s.moderator)).status).toBe(200);
    expect((await rotate(s.room.id, await newAdmin(t))).status).toBe(200);

    const byMember = await rotate(s.room.id, s.member);
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('forbidden');

    // A private room someone is not in, another site's room and an unknown id are the same thing.
    const unseen = answer(await rotate('999999999', s.member));
    expect(unseen).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'No such room' } } });
    expect(answer(await rotate(s.room.id, await newUser(t)))).toEqual(unseen);
    const { site } = await newSite(t);
    const foreignAdmin = await newAdmin(t, { site });
    expect(answer(await rotate(s.room.id, foreignAdmin))).toEqual(unseen);

    const before = (await http.get(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers })).body.code;
    expect((await rotate(s.room.id, s.member)).status).toBe(403);
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers })).body.code).toBe(before);
    // The route takes no body.
    const withBody = await http.post(`/v1/rooms/${s.room.id}/code`, {
      headers: s.owner.headers,
      body: { code: 'AAAA2222' },
    });
    expect(withBody.status).toBe(400);
  });

  it('kicks with rotateCode: the kicked user cannot rejoin with the code they know', async () => {
    const s = await setup();
    const kicked = await http.post(`/v1/rooms/${s.room.id}/members/${s.member.user.id}/kick`, {
      headers: s.moderator.headers,
      body: { rotateCode: true },
    });
    expect(kicked.status).toBe(200);
    expect(kicked.body).toMatchObject({ id: s.room.id, memberCount: 2 });
    expect(kicked.body.code).not.toBe(s.room.code);

    const rejoin = await joinByCode(s.member, s.room.code);
    expect(answer(rejoin)).toEqual(await unknownCode(s.member));
    // And the room itself no longer exists for them, so they cannot learn the new code.
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.member.headers })).status).toBe(404);
    // Whoever is given the new code joins with it.
    expect((await joinByCode(s.member, kicked.body.code)).status).toBe(200);

    // Without the option, kick and ban answer 204 and keep the code.
    const other = await newUser(t);
    await joinByCode(other, kicked.body.code);
    const plain = await http.post(`/v1/rooms/${s.room.id}/members/${other.user.id}/kick`, {
      headers: s.owner.headers,
    });
    expect(plain.status).toBe(204);
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers })).body.code).toBe(
      kicked.body.code,
    );
    const bad = await http.post(`/v1/rooms/${s.room.id}/members/${s.member.user.id}/kick`, {
      headers: s.owner.headers,
      body: { rotateCode: 'yes' },
    });
    expect(bad.status).toBe(400);
  });

  it('bans with rotateCode; a refused ban rotates nothing', async () => {
    const s = await setup();
    const refused = await http.post(`/v1/rooms/${s.room.id}/members/${s.owner.user.id}/ban`, {
      headers: s.moderator.headers,
      body: { rotateCode: true },
    });
    expect(refused.status).toBe(403);
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers })).body.code).toBe(
      s.room.code,
    );

    const banned = await http.post(`/v1/rooms/${s.room.id}/members/${s.member.user.id}/ban`, {
      headers: s.owner.headers,
      body: { rotateCode: true },
    });
    expect(banned.status).toBe(200);
    expect(banned.body.code).not.toBe(s.room.code);
    expect(answer(await joinByCode(s.member, s.room.code))).toEqual(await unknownCode(s.member));
    expect((await joinByCode(s.member, banned.body.code)).status).toBe(403);
  });

  it('over the socket: the ack carries the new code, the others get room:updated, the kicked user not', async () => {
    const s = await setup();
    const ownerSocket = await connectChat(t.url, { token: s.owner.token });
    const moderatorSocket = await connectChat(t.url, { token: s.moderator.token });
    const memberSocket = await connectChat(t.url, { token: s.member.token });
    for (const socket of [ownerSocket, moderatorSocket, memberSocket]) {
      expect((await ack(socket, 'room:join', { roomId: s.room.id })).error).toBeUndefined();
    }
    const leaked = record(memberSocket, 'room:updated');
    const removed = nextEvent(memberSocket, 'member:removed');
    const updated = nextEvent(moderatorSocket, 'room:updated');
    const res = await ack(ownerSocket, 'member:kick', {
      roomId: s.room.id,
      userId: s.member.user.id,
      rotateCode: true,
    });
    expect(res.ok).toBe(true);
    expect(res.room).toMatchObject({ id: s.room.id });
    expect(res.room.code).not.toBe(s.room.code);
    expect((await updated).code).toBe(res.room.code);
    expect((await removed).reason).toBe('kicked');
    expect(leaked).toEqual([]);
    expect(answer(await joinByCode(s.member, s.room.code))).toEqual(await unknownCode(s.member));
    // Without the option the ack is as before.
    expect(await ack(ownerSocket, 'member:kick', { roomId: s.room.id, userId: s.moderator.user.id })).toEqual(
      {
        ok: true,
      },
    );
  });

  it('keeps a room update from users it excludes even while they are still in the room', async () => {
    const s = await setup();
    const memberSocket = await connectChat(t.url, { token: s.member.token });
    const moderatorSocket = await connectChat(t.url, { token: s.moderator.token });
    for (const socket of [memberSocket, moderatorSocket]) {
      expect((await ack(socket, 'room:join', { roomId: s.room.id })).error).toBeUndefined();
    }
    const leaked = record(memberSocket, 'room:updated');
    const updated = nextEvent(moderatorSocket, 'room:updated');
    const room = (await roomsRepository(t.server.db).findById(s.owner.user.siteId, s.room.id))!;
    t.server.deps.realtime.notify('room_updated', {
      siteId: room.siteId,
      room,
      exceptUserIds: [s.member.user.id],
    });
    expect((await updated).id).toBe(s.room.id);
    // A later event to the whole room arrives after the excluded one would have.
    const later = nextEvent(memberSocket, 'room:updated');
    t.server.deps.realtime.notify('room_updated', { siteId: room.siteId, room });
    await later;
    expect(leaked).toHaveLength(1);
  });
});
