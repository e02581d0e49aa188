import { expect, it } from 'vitest';
import { newAdmin, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: member lists', () => {
  const { t, http } = useServer({ label: 'rooms_members' });

  async function walk(roomId: string, viewer: TestUser, limit: number, extra = '') {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${extra}`;
      const res = await http.get(`/v1/rooms/${roomId}/members?${q}`, { headers: viewer.headers });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...res.body.items.map((m: { user: { id: string } }) => m.user.id));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    return { ids, pages };
  }

  it('pages through members in join order with keyset cursors, without duplicates or gaps', async () => {
    const owner = await newUser(t, { displayName: 'Owner' });
    const room = await newRoom(t, owner);
    const joined: TestUser[] = [];
    for (let i = 0; i < 22; i += 1) {
      const u = await newUser(t);
      expect((await http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers })).status).toBe(200);
      joined.push(u);
    }
    const expected = [owner, ...joined].map((u) => u.user.id);
    const { ids, pages } = await walk(room.id, owner, 5);
    expect(ids).toEqual(expected);
    expect(pages).toBe(5);

    const first = await http.get(`/v1/rooms/${room.id}/members?limit=1`, { headers: joined[0]!.headers });
    expect(first.body.items[0]).toEqual({
      user: {
        id: owner.user.id,
        username: owner.user.username,
        displayName: 'Owner',
        avatarUrl: null,
        kind: 'password',
      },
      role: 'owner',
      joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      mutedUntil: null,
      bannedAt: null,
    });
    // An exact page size ends with nextCursor null, not an empty extra page.
    const all = await http.get(`/v1/rooms/${room.id}/members?limit=23`, { headers: owner.headers });
    expect(all.body.items).toHaveLength(23);
    expect(all.body.nextCursor).toBeNull();
  });

  it('keeps pages consistent when members leave and join between pages', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const users: TestUser[] = [];
    for (let i = 0; i < 9; i += 1) {
      const u = await newUser(t);
      await http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers });
      users.push(u);
    }
    const page1 = await http.get(`/v1/rooms/${room.id}/members?limit=4`, { headers: owner.headers });
    // The last member of page 1 leaves and a newcomer joins: the next page starts where page 1 ended.
    await http.post(`/v1/rooms/${room.id}/leave`, { headers: users[2]!.headers });
    const late = await newUser(t);
    await http.post(`/v1/rooms/${room.id}/join`, { headers: late.headers });
    const page2 = await http.get(
      `/v1/rooms/${room.id}/members?limit=100&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
      { headers: owner.headers },
    );
    const ids = page2.body.items.map((m: { user: { id: string } }) => m.user.id);
    expect(ids).toEqual([...users.slice(3), late].map((u) => u.user.id));
  });

  it('shows members of public rooms to any user, of private rooms only to members and admins', async () => {
    const owner = await newUser(t);
    const pub = await newRoom(t, owner, { visibility: 'public' });
    const priv = await newRoom(t, owner, { visibility: 'private' });
    const stranger = await newUser(t);
    expect((await http.get(`/v1/rooms/${pub.id}/members`, { headers: stranger.headers })).status).toBe(200);
    expect((await http.get(`/v1/rooms/${priv.id}/members`, { headers: stranger.headers })).status).toBe(404);
    const admin = await newAdmin(t);
    expect((await http.get(`/v1/rooms/${priv.id}/members`, { headers: admin.headers })).status).toBe(200);
    const one = await http.get(`/v1/rooms/${pub.id}/members/${owner.user.id}`, { headers: stranger.headers });
    expect(one.status).toBe(200);
    expect(one.body.role).toBe('owner');
    expect(
      (await http.get(`/v1/rooms/${pub.id}/members/${stranger.user.id}`, { headers: owner.headers })).status,
    ).toBe(404);
    expect(
      (await http.get(`/v1/rooms/${priv.id}/members/${owner.user.id}`, { headers: stranger.headers })).status,
    ).toBe(404);
  });

  it('refuses cursors from another room, another status, or tampered ones', async () => {
    const owner = await newUser(t);
    const a = await newRoom(t, owner);
    const b = await newRoom(t, owner);
    for (let i = 0; i < 3; i += 1) {
      const u = await newUser(t);
      await http.post(`/v1/rooms/${a.id}/join`, { headers: u.headers });
      await http.post(`/v1/rooms/${b.id}/join`, { headers: u.headers });
      await http.post(`/v1/rooms/${a.id}/members/${u.user.id}/ban`, { headers: owner.headers });
      await http.post(`/v1/rooms/${a.id}/members/${u.user.id}/unban`, { headers: owner.headers });
      await http.post(`/v1/rooms/${a.id}/join`, { headers: u.headers });
    }
    const cursor = (await http.get(`/v1/rooms/${a.id}/members?limit=1`, { headers: owner.headers })).body
      .nextCursor;
    expect(cursor).toEqual(expect.any(String));
    const bad = [
      `/v1/rooms/${b.id}/members?limit=1&cursor=${encodeURIComponent(cursor)}`,
      `/v1/rooms/${a.id}/members?limit=1&status=banned&cursor=${encodeURIComponent(cursor)}`,
      `/v1/rooms/${a.id}/members?limit=1&cursor=${encodeURIComponent(`x${cursor}`)}`,
      `/v1/rooms/${a.id}/members?limit=1&cursor=not-a-cursor`,
      `/v1/rooms/${a.id}/members?status=everyone`,
      `/v1/rooms/${a.id}/members?limit=0`,
      `/v1/rooms/${a.id}/members?limit=101`,
    ];
    for (const path of bad) {
      const res = await http.get(path, { headers: owner.headers });
      expect(res.status, path).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});
