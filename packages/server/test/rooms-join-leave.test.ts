import { expect, it } from 'vitest';
import { CODE_FAILURES_MAX, roomsService } from '../src/rooms/rooms.service.js';
import { authUserOf, newAdmin, newRoom, newSite, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: join, join by code, leave', () => {
  const { t, http } = useServer({ label: 'rooms_join' });

  const memberCount = async (roomId: string, headers: Record<string, string>) =>
    (await http.get(`/v1/rooms/${roomId}`, { headers })).body.memberCount as number;

  it('joins a public room by id, idempotently, and counts members', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const joiner = await newUser(t);
    const first = await http.post(`/v1/rooms/${room.id}/join`, { headers: joiner.headers });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      id: room.id,
      role: 'member',
      memberCount: 2,
      unreadCount: 0,
      code: room.code,
    });
    const again = await http.post(`/v1/rooms/${room.id}/join`, { headers: joiner.headers });
    expect(again.status).toBe(200);
    expect(again.body.memberCount).toBe(2);
    expect(await memberCount(room.id, owner.headers)).toBe(2);
  });

  it('counts members exactly under concurrent joins', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const joiners = await Promise.all(Array.from({ length: 12 }, () => newUser(t)));
    const results = await Promise.all(
      joiners.flatMap((u) => [
        http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers }),
        http.post(`/v1/rooms/join`, { headers: u.headers, body: { code: room.code } }),
      ]),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await memberCount(room.id, owner.headers)).toBe(13);
  });

  it('hides private rooms from joins by id, but joins them by code', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner, { visibility: 'private' });
    const joiner = await newUser(t);
    const byId = await http.post(`/v1/rooms/${room.id}/join`, { headers: joiner.headers });
    expect(byId.status).toBe(404);
    const byCode = await http.post('/v1/rooms/join', { headers: joiner.headers, body: { code: room.code } });
    expect(byCode.status).toBe(200);
    expect(byCode.body).toMatchObject({
      id: room.id,
      visibility: 'private',
      role: 'member',
      code: room.code,
    });
    // A site admin may join a private room directly.
    const admin = await newAdmin(t);
    expect((await http.post(`/v1/rooms/${room.id}/join`, { headers: admin.headers })).status).toBe(200);
  });

  it('accepts codes in any case with spaces or dashes, and refuses malformed ones with 400', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const joiner = await newUser(t);
    const typed = `${room.code!.slice(0, 4).toLowerCase()}-${room.code!.slice(4)} `;
    const ok = await http.post('/v1/rooms/join', { headers: joiner.headers, body: { code: typed } });
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(room.id);
    for (const code of ['', 'short', 'O0I1LUOO', "' OR 1=1 --", 42]) {
      const res = await http.post('/v1/rooms/join', { headers: joiner.headers, body: { code } });
      expect(res.status, String(code)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const extra = await http.post('/v1/rooms/join', {
      headers: joiner.headers,
      body: { code: room.code, x: 1 },
    });
    expect(extra.status).toBe(400);
  });

  it('answers 404 for an unknown code and throttles repeated wrong guesses', async () => {
    const guesser = await newUser(t);
    const owner = await newUser(t);
    const room = await newRoom(t, owner, { visibility: 'private' });
    const wrong = room.code!.startsWith('2') ? `3${room.code!.slice(1)}` : `2${room.code!.slice(1)}`;
    for (let i = 0; i < CODE_FAILURES_MAX; i += 1) {
      const res = await http.post('/v1/rooms/join', { headers: guesser.headers, body: { code: wrong } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const limited = await http.post('/v1/rooms/join', {
      headers: guesser.headers,
      body: { code: room.code },
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user is not affected.
    const other = await newUser(t);
    expect(
      (await http.post('/v1/rooms/join', { headers: other.headers, body: { code: room.code } })).status,
    ).toBe(200);
  });

  it('lets users without ROLE_USER (guests) join but not users a verified-only site refuses', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const guestLike = await newUser(t, { roles: [] });
    expect((await http.post(`/v1/rooms/${room.id}/join`, { headers: guestLike.headers })).status).toBe(200);

    const { site } = await newSite(t, { settings: { verifiedOnly: true } });
    const vouched = await newUser(t, { site });
    // A room made by a user the site's backend vouched for (kind 'site'), as site tokens would.
    const verifiedRoom = await roomsService(t.server.deps).create(
      site,
      { ...authUserOf(vouched), kind: 'site' },
      { title: 'Verified only', visibility: 'public' },
    );
    const password = await newUser(t, { site });
    const refused = await http.post(`/v1/rooms/${verifiedRoom.id}/join`, { headers: password.headers });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/verified/);
    const byCode = await http.post('/v1/rooms/join', {
      headers: password.headers,
      body: { code: verifiedRoom.code },
    });
    expect(byCode.status).toBe(403);
  });

  it('leaves: the member count drops and leaving again is 404', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const member = await newUser(t);
    await http.post(`/v1/rooms/${room.id}/join`, { headers: member.headers });
    const left = await http.post(`/v1/rooms/${room.id}/leave`, { headers: member.headers });
    expect(left.status).toBe(204);
    expect(await memberCount(room.id, owner.headers)).toBe(1);
    const again = await http.post(`/v1/rooms/${room.id}/leave`, { headers: member.headers });
    expect(again.status).toBe(404);
    const mine = await http.get('/v1/me/rooms', { headers: member.headers });
    expect(mine.body.items).toEqual([]);
    // Leaving is not a ban: joining again works.
    expect((await http.post(`/v1/rooms/${room.id}/join`, { headers: member.headers })).status).toBe(200);
  });

  it('hands the room to the longest-standing moderator, else member, when the owner leaves', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const [first, second, third] = [await newUser(t), await newUser(t), await newUser(t)];
    for (const u of [first, second, third])
      await http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers });
    await http.patch(`/v1/rooms/${room.id}/members/${third.user.id}`, {
      headers: owner.headers,
      body: { role: 'moderator' },
    });
    expect((await http.post(`/v1/rooms/${room.id}/leave`, { headers: owner.headers })).status).toBe(204);
    let seen = await http.get(`/v1/rooms/${room.id}`, { headers: first.headers });
    expect(seen.body).toMatchObject({ ownerId: third.user.id, memberCount: 3 });
    const mine = await http.get('/v1/me/rooms', { headers: third.headers });
    expect(mine.body.items[0]).toMatchObject({ id: room.id, role: 'owner' });

    // No moderator left: the earliest member inherits.
    expect((await http.post(`/v1/rooms/${room.id}/leave`, { headers: third.headers })).status).toBe(204);
    seen = await http.get(`/v1/rooms/${room.id}`, { headers: first.headers });
    expect(seen.body).toMatchObject({ ownerId: first.user.id, memberCount: 2 });
  });

  it('refuses to let the last member (the owner) leave: delete the room instead', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const res = await http.post(`/v1/rooms/${room.id}/leave`, { headers: owner.headers });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('conflict');
    expect(await memberCount(room.id, owner.headers)).toBe(1);
  });

  it('keeps banned users out, by id and by code', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const troll = await newUser(t);
    await http.post(`/v1/rooms/${room.id}/join`, { headers: troll.headers });
    const ban = await http.post(`/v1/rooms/${room.id}/members/${troll.user.id}/ban`, {
      headers: owner.headers,
    });
    expect(ban.status).toBe(204);
    for (const attempt of [
      () => http.post(`/v1/rooms/${room.id}/join`, { headers: troll.headers }),
      () => http.post('/v1/rooms/join', { headers: troll.headers, body: { code: room.code } }),
    ]) {
      const res = await attempt();
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/banned/);
    }
    expect(await memberCount(room.id, owner.headers)).toBe(1);
  });
});
