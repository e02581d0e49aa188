import { expect, it } from 'vitest';
import { newAdmin, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: create, read, update, delete with role checks', () => {
  const { t, http } = useServer({ label: 'rooms_crud' });

  const publicCount = async (siteId: string) =>
    (await t.server.deps.sites.repo.findById(siteId))!.publicRoomCount;

  /** A room with an owner, a moderator and a member. */
  async function staffedRoom(visibility: 'public' | 'private' = 'public') {
    const owner = await newUser(t);
    const moderator = await newUser(t);
    const member = await newUser(t);
    const created = await http.post('/v1/rooms', {
      headers: owner.headers,
      body: { title: 'Staffed', visibility },
    });
    expect(created.status).toBe(201);
    const room = created.body;
    for (const u of [moderator, member]) {
      const joined = await http.post('/v1/rooms/join', { headers: u.headers, body: { code: room.code } });
      expect(joined.status).toBe(200);
    }
    const promoted = await http.patch(`/v1/rooms/${room.id}/members/${moderator.user.id}`, {
      headers: owner.headers,
      body: { role: 'moderator' },
    });
    expect(promoted.status).toBe(200);
    return { room, owner, moderator, member };
  }

  it('creates a room whose creator is its owner, with a code, and counts public rooms', async () => {
    const owner = await newUser(t);
    const before = await publicCount(owner.user.siteId);
    const res = await http.post('/v1/rooms', {
      headers: owner.headers,
      body: { title: '  General  ', description: 'Talk about\nanything', visibility: 'public' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      title: 'General',
      description: 'Talk about\nanything',
      visibility: 'public',
      ownerId: owner.user.id,
      memberCount: 1,
      lastSeq: '0',
    });
    expect(res.body.id).toMatch(/^\d+$/);
    expect(res.body.code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);
    expect(await publicCount(owner.user.siteId)).toBe(before + 1);

    const mine = await http.get('/v1/me/rooms', { headers: owner.headers });
    expect(mine.body.items[0]).toMatchObject({ id: res.body.id, role: 'owner', unreadCount: 0 });

    const priv = await http.post('/v1/rooms', {
      headers: owner.headers,
      body: { title: 'Secret', visibility: 'private' },
    });
    expect(priv.status).toBe(201);
    expect(priv.body.description).toBe('');
    expect(await publicCount(owner.user.siteId)).toBe(before + 1);
  });

  it('gives every room of a site a distinct code', async () => {
    const owner = await newUser(t);
    const codes = new Set<string>();
    for (let i = 0; i < 30; i += 1) codes.add((await newRoom(t, owner)).code!);
    expect(codes.size).toBe(30);
  });

  it('refuses creation without ROLE_USER (guests), without a token, and when the site only lets verified users chat', async () => {
    const guestLike = await newUser(t, { roles: [] });
    const res = await http.post('/v1/rooms', {
      headers: guestLike.headers,
      body: { title: 'x', visibility: 'public' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');

    const anonymous = await http.post('/v1/rooms', { body: { title: 'x', visibility: 'public' } });
    expect(anonymous.status).toBe(401);

    const { site } = await newSite(t, { settings: { verifiedOnly: true } });
    const password = await newUser(t, { site });
    const verified = await http.post('/v1/rooms', {
      headers: password.headers,
      body: { title: 'x', visibility: 'public' },
    });
    expect(verified.status).toBe(403);
    expect(verified.body.error.message).toMatch(/verified/);
    expect(await publicCount(site.id)).toBe(0);
  });

  it('shows a public room to any user of the site, hiding the code from non-members', async () => {
    const { room, member } = await staffedRoom('public');
    const stranger = await newUser(t);
    const seen = await http.get(`/v1/rooms/${room.id}`, { headers: stranger.headers });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: room.id, title: 'Staffed', memberCount: 3, code: null });

    const byMember = await http.get(`/v1/rooms/${room.id}`, { headers: member.headers });
    expect(byMember.body.code).toBe(room.code);
    const admin = await newAdmin(t);
    const byAdmin = await http.get(`/v1/rooms/${room.id}`, { headers: admin.headers });
    expect(byAdmin.body.code).toBe(room.code);
  });

  it('shows a private room only to members and site admins; others get 404', async () => {
    const { room, member } = await staffedRoom('private');
    const stranger = await newUser(t);
    const hidden = await http.get(`/v1/rooms/${room.id}`, { headers: stranger.headers });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('not_found');
    expect((await http.get(`/v1/rooms/${room.id}`, { headers: member.headers })).status).toBe(200);
    const admin = await newAdmin(t);
    expect((await http.get(`/v1/rooms/${room.id}`, { headers: admin.headers })).body.code).toBe(room.code);
  });

  it("answers 404 to another site's user and to another site's admin", async () => {
    const { room } = await staffedRoom('public');
    const { site } = await newSite(t);
    for (const other of [await newUser(t, { site }), await newAdmin(t, { site })]) {
      const res = await http.get(`/v1/rooms/${room.id}`, { headers: other.headers });
      expect(res.status).toBe(404);
      const patch = await http.patch(`/v1/rooms/${room.id}`, {
        headers: other.headers,
        body: { title: 'mine' },
      });
      expect(patch.status).toBe(404);
      expect((await http.delete(`/v1/rooms/${room.id}`, { headers: other.headers })).status).toBe(404);
    }
  });

  it('lets only the owner and site admins update a room', async () => {
    const { room, owner, moderator, member } = await staffedRoom('public');
    const stranger = await newUser(t);
    const attempt = (u: TestUser, body: object) =>
      http.patch(`/v1/rooms/${room.id}`, { headers: u.headers, body });

    for (const u of [moderator, member, stranger]) {
      const res = await attempt(u, { title: 'Hijacked' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const byOwner = await attempt(owner, { title: 'Renamed', description: 'New topic' });
    expect(byOwner.status).toBe(200);
    expect(byOwner.body).toMatchObject({ title: 'Renamed', description: 'New topic', visibility: 'public' });
    expect(new Date(byOwner.body.updatedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(room.updatedAt).getTime(),
    );

    const admin = await newAdmin(t);
    const byAdmin = await attempt(admin, { description: 'Moderated by staff' });
    expect(byAdmin.status).toBe(200);
    expect((await http.get(`/v1/rooms/${room.id}`, { headers: member.headers })).body).toMatchObject({
      title: 'Renamed',
      description: 'Moderated by staff',
    });
  });

  it('keeps the public room count exact when visibility changes', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner, { visibility: 'public' });
    const before = await publicCount(owner.user.siteId);
    const toPrivate = await http.patch(`/v1/rooms/${room.id}`, {
      headers: owner.headers,
      body: { visibility: 'private' },
    });
    expect(toPrivate.body.visibility).toBe('private');
    expect(await publicCount(owner.user.siteId)).toBe(before - 1);
    // Setting the same visibility again changes nothing.
    await http.patch(`/v1/rooms/${room.id}`, { headers: owner.headers, body: { visibility: 'private' } });
    expect(await publicCount(owner.user.siteId)).toBe(before - 1);
    await http.patch(`/v1/rooms/${room.id}`, { headers: owner.headers, body: { visibility: 'public' } });
    expect(await publicCount(owner.user.siteId)).toBe(before);
  });

  it('rejects empty and unknown update fields', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const empty = await http.patch(`/v1/rooms/${room.id}`, { headers: owner.headers, body: {} });
    expect(empty.status).toBe(400);
    const unknown = await http.patch(`/v1/rooms/${room.id}`, {
      headers: owner.headers,
      body: { ownerId: '1' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_failed');
  });

  it('soft-deletes: only owner or admin; the room then vanishes everywhere and the count drops', async () => {
    const { room, owner, moderator, member } = await staffedRoom('public');
    for (const u of [moderator, member]) {
      expect((await http.delete(`/v1/rooms/${room.id}`, { headers: u.headers })).status).toBe(403);
    }
    const before = await publicCount(owner.user.siteId);
    const del = await http.delete(`/v1/rooms/${room.id}`, { headers: owner.headers });
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect(await publicCount(owner.user.siteId)).toBe(before - 1);

    expect((await http.get(`/v1/rooms/${room.id}`, { headers: owner.headers })).status).toBe(404);
    expect((await http.get(`/v1/rooms/${room.id}/members`, { headers: member.headers })).status).toBe(404);
    expect(
      (await http.post(`/v1/rooms/${room.id}/join`, { headers: (await newUser(t)).headers })).status,
    ).toBe(404);
    expect(
      (await http.post('/v1/rooms/join', { headers: (await newUser(t)).headers, body: { code: room.code } }))
        .status,
    ).toBe(404);
    const mine = await http.get('/v1/me/rooms', { headers: member.headers });
    expect(mine.body.items.map((r: { id: string }) => r.id)).not.toContain(room.id);
    const directory = await http.get('/v1/rooms?limit=100', { headers: member.headers });
    expect(directory.body.items.map((r: { id: string }) => r.id)).not.toContain(room.id);
    // Deleting again: it is gone.
    expect((await http.delete(`/v1/rooms/${room.id}`, { headers: owner.headers })).status).toBe(404);
    expect(await publicCount(owner.user.siteId)).toBe(before - 1);
  });

  it('lets a site admin delete any room of the site, and deleting a private room leaves the count alone', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner, { visibility: 'private' });
    const before = await publicCount(owner.user.siteId);
    const admin = await newAdmin(t);
    expect((await http.delete(`/v1/rooms/${room.id}`, { headers: admin.headers })).status).toBe(204);
    expect(await publicCount(owner.user.siteId)).toBe(before);
    expect((await http.get(`/v1/rooms/${room.id}`, { headers: admin.headers })).status).toBe(404);
  });
});
