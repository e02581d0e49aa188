import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], "rooms: tenant isolation (site B cannot reach site A's rooms)", () => {
  const { t, http } = useServer({ label: 'rooms_tenants' });
  let ownerA: TestUser;
  let memberA: TestUser;
  let userB: TestUser;
  let adminB: TestUser;
  let rooms: { pub: { id: string; code: string | null }; priv: { id: string; code: string | null } };

  beforeAll(async () => {
    const a = (await newSite(t)).site;
    const b = (await newSite(t)).site;
    ownerA = await newUser(t, { site: a });
    memberA = await newUser(t, { site: a });
    userB = await newUser(t, { site: b });
    adminB = await newAdmin(t, { site: b });
    rooms = {
      pub: await newRoom(t, ownerA, { title: 'A public' }),
      priv: await newRoom(t, ownerA, { title: 'A private', visibility: 'private' }),
    };
    await http.post(`/v1/rooms/${rooms.pub.id}/join`, { headers: memberA.headers });
    await newRoom(t, userB, { title: 'B public' });
  });

  it("lists only the request's own site in the directory, both modes", async () => {
    for (const query of ['', 'sort=title', 'offset=0', 'offset=0&sort=title']) {
      const res = await http.get(`/v1/rooms?${query}`, { headers: userB.headers });
      expect(res.body.items.map((r: { title: string }) => r.title)).toEqual(['B public']);
      if ('total' in res.body) expect(res.body.total).toBe(1);
      const own = await http.get(`/v1/rooms?${query}`, { headers: ownerA.headers });
      expect(own.body.items.map((r: { title: string }) => r.title)).toEqual(['A public']);
    }
  });

  it("answers 404 to every read and write of another site's room, for users and admins", async () => {
    for (const u of [userB, adminB]) {
      for (const room of [rooms.pub, rooms.priv]) {
        const calls = [
          http.get(`/v1/rooms/${room.id}`, { headers: u.headers }),
          http.patch(`/v1/rooms/${room.id}`, { headers: u.headers, body: { title: 'taken' } }),
          http.delete(`/v1/rooms/${room.id}`, { headers: u.headers }),
          http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers }),
          http.post(`/v1/rooms/${room.id}/leave`, { headers: u.headers }),
          http.get(`/v1/rooms/${room.id}/members`, { headers: u.headers }),
          http.get(`/v1/rooms/${room.id}/members/${ownerA.user.id}`, { headers: u.headers }),
          http.patch(`/v1/rooms/${room.id}/members/${memberA.user.id}`, {
            headers: u.headers,
            body: { role: 'moderator' },
          }),
          http.post(`/v1/rooms/${room.id}/members/${memberA.user.id}/mute`, {
            headers: u.headers,
            body: { minutes: 5 },
          }),
          http.post(`/v1/rooms/${room.id}/members/${memberA.user.id}/kick`, { headers: u.headers }),
          http.post(`/v1/rooms/${room.id}/members/${memberA.user.id}/ban`, { headers: u.headers }),
          http.post('/v1/rooms/join', { headers: u.headers, body: { code: room.code } }),
        ];
        for (const res of await Promise.all(calls)) {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('not_found');
        }
      }
    }
    // Nothing changed in site A.
    const seen = await http.get(`/v1/rooms/${rooms.pub.id}`, { headers: ownerA.headers });
    expect(seen.body).toMatchObject({ title: 'A public', memberCount: 2 });
    const members = await http.get(`/v1/rooms/${rooms.pub.id}/members`, { headers: ownerA.headers });
    expect(members.body.items.map((m: { user: { id: string } }) => m.user.id)).toEqual([
      ownerA.user.id,
      memberA.user.id,
    ]);
  });

  it("refuses a site A token presented for site B, and site A moderators cannot act on site B's users", async () => {
    const res = await http.get(`/v1/rooms/${rooms.pub.id}`, {
      headers: { ...ownerA.headers, 'x-synctalk-site': userB.headers['x-synctalk-site']! },
    });
    expect(res.status).toBe(401);
    const ban = await http.post(`/v1/rooms/${rooms.pub.id}/members/${userB.user.id}/ban`, {
      headers: ownerA.headers,
    });
    expect(ban.status).toBe(404);
  });

  it("does not show another site's rooms among my rooms", async () => {
    const mine = await http.get('/v1/me/rooms', { headers: userB.headers });
    expect(mine.body.items.map((r: { title: string }) => r.title)).toEqual(['B public']);
  });
});
