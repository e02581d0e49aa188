import { expect, it } from 'vitest';
import { assertRoomPermission, membershipRepository } from '../src/rooms/membership.js';
import type { RoomEventMap } from '../src/rooms/room-events.js';
import { authUserOf, newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: moderation (mute, kick, ban, roles)', () => {
  const { t, http } = useServer({ label: 'rooms_moderation' });

  interface Staffed {
    room: { id: string; code: string };
    owner: TestUser;
    moderator: TestUser;
    member: TestUser;
    other: TestUser;
  }

  async function staffedRoom(): Promise<Staffed> {
    const [owner, moderator, member, other] = [
      await newUser(t),
      await newUser(t),
      await newUser(t),
      await newUser(t),
    ];
    const room = (
      await http.post('/v1/rooms', { headers: owner.headers, body: { title: 'Mod', visibility: 'public' } })
    ).body;
    for (const u of [moderator, member, other])
      await http.post(`/v1/rooms/${room.id}/join`, { headers: u.headers });
    await http.patch(`/v1/rooms/${room.id}/members/${moderator.user.id}`, {
      headers: owner.headers,
      body: { role: 'moderator' },
    });
    return { room, owner, moderator, member, other };
  }

  const act = (s: Staffed, actor: TestUser, target: TestUser, action: string, body?: object) =>
    http.post(`/v1/rooms/${s.room.id}/members/${target.user.id}/${action}`, { headers: actor.headers, body });

  const membership = (s: Staffed, u: TestUser) => membershipRepository(t.server.db).get(s.room.id, u.user.id);
  const memberCount = async (s: Staffed) =>
    (await http.get(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers })).body.memberCount as number;

  it('mutes a member for some minutes: they cannot send until unmuted', async () => {
    const s = await staffedRoom();
    const before = Date.now();
    const muted = await act(s, s.moderator, s.member, 'mute', { minutes: 10 });
    expect(muted.status).toBe(200);
    expect(muted.body).toMatchObject({ user: { id: s.member.user.id }, role: 'member' });
    const until = new Date(muted.body.mutedUntil).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1000);

    const m = await membership(s, s.member);
    expect(() => assertRoomPermission(m, 'send', authUserOf(s.member))).toThrow(/muted/);
    expect(() => assertRoomPermission(m, 'read', authUserOf(s.member))).not.toThrow();
    const mine = await http.get('/v1/me/rooms', { headers: s.member.headers });
    expect(mine.body.items[0].mutedUntil).toBe(muted.body.mutedUntil);

    const unmuted = await act(s, s.moderator, s.member, 'unmute');
    expect(unmuted.status).toBe(200);
    expect(unmuted.body.mutedUntil).toBeNull();
    const after = await membership(s, s.member);
    expect(() => assertRoomPermission(after, 'send', authUserOf(s.member))).not.toThrow();
  });

  it('validates mute durations', async () => {
    const s = await staffedRoom();
    for (const minutes of [0, -5, 1.5, 525_601, '10', null]) {
      const res = await act(s, s.owner, s.member, 'mute', { minutes });
      expect(res.status, String(minutes)).toBe(400);
    }
    expect((await act(s, s.owner, s.member, 'mute', {})).status).toBe(400);
  });

  it('kicks: the member is removed and may join again', async () => {
    const s = await staffedRoom();
    const events: RoomEventMap['member_left'][] = [];
    const off = t.server.deps.realtime.on('member_left', (e) => events.push(e));
    const kicked = await act(s, s.moderator, s.member, 'kick');
    off();
    expect(kicked.status).toBe(204);
    expect(await membership(s, s.member)).toBeUndefined();
    expect(await memberCount(s)).toBe(3);
    expect(events).toEqual([
      { siteId: s.owner.user.siteId, roomId: s.room.id, userId: s.member.user.id, reason: 'kicked' },
    ]);
    expect((await act(s, s.moderator, s.member, 'kick')).status).toBe(404);
    expect((await http.post(`/v1/rooms/${s.room.id}/join`, { headers: s.member.headers })).status).toBe(200);
    expect(await memberCount(s)).toBe(4);
  });

  it('bans members (and, for site admins, non-members); unban lets them join again', async () => {
    const s = await staffedRoom();
    const outsider = await newUser(t);
    const admin = await newAdmin(t);
    expect((await act(s, s.moderator, s.member, 'ban')).status).toBe(204);
    expect((await act(s, s.moderator, outsider, 'ban')).status).toBe(404);
    expect((await act(s, admin, outsider, 'ban')).status).toBe(204);
    // Banning twice changes nothing.
    expect((await act(s, s.moderator, s.member, 'ban')).status).toBe(204);
    expect(await memberCount(s)).toBe(3);
    expect((await membership(s, s.member))?.bannedAt).toBeInstanceOf(Date);
    expect((await membership(s, outsider))?.bannedAt).toBeInstanceOf(Date);

    const banList = await http.get(`/v1/rooms/${s.room.id}/members?status=banned`, {
      headers: s.moderator.headers,
    });
    expect(banList.status).toBe(200);
    expect(banList.body.items.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual(
      [s.member.user.id, outsider.user.id].sort(),
    );
    expect(banList.body.items.every((m: { bannedAt: string | null }) => m.bannedAt !== null)).toBe(true);
    const active = await http.get(`/v1/rooms/${s.room.id}/members`, { headers: s.moderator.headers });
    expect(active.body.items.map((m: { user: { id: string } }) => m.user.id)).not.toContain(s.member.user.id);
    // Members cannot see the ban list: for them it does not exist.
    expect(
      (await http.get(`/v1/rooms/${s.room.id}/members?status=banned`, { headers: s.other.headers })).status,
    ).toBe(404);
    // The banned user can no longer see or act in the room.
    expect((await http.get(`/v1/rooms/${s.room.id}`, { headers: s.member.headers })).status).toBe(403);
    expect((await http.post(`/v1/rooms/${s.room.id}/leave`, { headers: s.member.headers })).status).toBe(404);

    expect((await act(s, s.moderator, s.member, 'unban')).status).toBe(204);
    expect(await membership(s, s.member)).toBeUndefined();
    expect((await http.post(`/v1/rooms/${s.room.id}/join`, { headers: s.member.headers })).status).toBe(200);
    expect(await memberCount(s)).toBe(4);
    // Unbanning someone who is not banned changes nothing.
    expect((await act(s, s.moderator, s.member, 'unban')).status).toBe(204);
    expect((await membership(s, s.member))?.bannedAt).toBeNull();
  });

  it('lets only higher roles act: members nothing, moderators on members, owners on moderators', async () => {
    const s = await staffedRoom();
    for (const action of ['kick', 'ban']) {
      expect((await act(s, s.member, s.other, action)).status).toBe(403);
      expect((await act(s, s.moderator, s.owner, action)).status).toBe(403);
    }
    expect((await act(s, s.member, s.other, 'mute', { minutes: 5 })).status).toBe(403);
    const second = await newUser(t);
    await http.post(`/v1/rooms/${s.room.id}/join`, { headers: second.headers });
    await http.patch(`/v1/rooms/${s.room.id}/members/${second.user.id}`, {
      headers: s.owner.headers,
      body: { role: 'moderator' },
    });
    // A moderator cannot act on another moderator; the owner can.
    expect((await act(s, second, s.moderator, 'mute', { minutes: 5 })).status).toBe(403);
    expect((await act(s, s.owner, s.moderator, 'mute', { minutes: 5 })).status).toBe(200);
    expect((await act(s, s.owner, second, 'kick')).status).toBe(204);
  });

  it('refuses acting on yourself, on unknown or foreign users, and removing the owner', async () => {
    const s = await staffedRoom();
    expect((await act(s, s.moderator, s.moderator, 'mute', { minutes: 1 })).status).toBe(403);
    expect((await act(s, s.owner, s.owner, 'ban')).status).toBe(403);
    const { site } = await newSite(t);
    const foreigner = await newUser(t, { site });
    const foreign = await act(s, s.owner, foreigner, 'ban');
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toEqual({ code: 'not_found', message: 'No such member in this room' });
    const ghost = await http.post(`/v1/rooms/${s.room.id}/members/999999999/kick`, {
      headers: s.owner.headers,
    });
    expect(ghost.status).toBe(404);
    const admin = await newAdmin(t);
    for (const action of ['kick', 'ban']) {
      const res = await act(s, admin, s.owner, action);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    expect((await act(s, admin, s.owner, 'mute', { minutes: 1 })).status).toBe(200);
    // Mute/kick need a member.
    const outsider = await newUser(t);
    expect((await act(s, s.owner, outsider, 'mute', { minutes: 1 })).status).toBe(404);
    expect((await act(s, s.owner, outsider, 'kick')).status).toBe(404);
  });

  it('protects site admins from room moderators, and lets site admins moderate without being members', async () => {
    const s = await staffedRoom();
    const admin = await newAdmin(t);
    await http.post(`/v1/rooms/${s.room.id}/join`, { headers: admin.headers });
    expect((await act(s, s.owner, admin, 'kick')).status).toBe(404);
    const otherAdmin = await newAdmin(t);
    expect((await act(s, otherAdmin, s.moderator, 'kick')).status).toBe(204);
    expect((await act(s, otherAdmin, s.member, 'ban')).status).toBe(204);
  });

  it('changes roles: only the owner (or an admin) promotes and demotes; role=owner transfers ownership', async () => {
    const s = await staffedRoom();
    const setRole = (actor: TestUser, target: TestUser, role: string) =>
      http.patch(`/v1/rooms/${s.room.id}/members/${target.user.id}`, {
        headers: actor.headers,
        body: { role },
      });

    expect((await setRole(s.moderator, s.member, 'moderator')).status).toBe(403);
    expect((await setRole(s.member, s.member, 'moderator')).status).toBe(403);
    const promoted = await setRole(s.owner, s.member, 'moderator');
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ user: { id: s.member.user.id }, role: 'moderator' });
    const demoted = await setRole(s.owner, s.member, 'member');
    expect(demoted.body.role).toBe('member');
    expect((await setRole(s.owner, s.owner, 'member')).status).toBe(403);
    expect((await setRole(s.owner, await newUser(t), 'moderator')).status).toBe(404);
    expect((await setRole(s.owner, s.member, 'admin')).status).toBe(400);

    const transferred = await setRole(s.owner, s.other, 'owner');
    expect(transferred.status).toBe(200);
    expect(transferred.body.role).toBe('owner');
    const room = await http.get(`/v1/rooms/${s.room.id}`, { headers: s.other.headers });
    expect(room.body.ownerId).toBe(s.other.user.id);
    expect((await membership(s, s.owner))?.role).toBe('moderator');
    // The former owner lost owner powers; the new owner has them.
    expect(
      (await http.patch(`/v1/rooms/${s.room.id}`, { headers: s.owner.headers, body: { title: 'x' } })).status,
    ).toBe(403);
    expect(
      (await http.patch(`/v1/rooms/${s.room.id}`, { headers: s.other.headers, body: { title: 'y' } })).status,
    ).toBe(200);
    // An admin demoting the owner directly is refused: ownership moves only by transfer.
    const admin = await newAdmin(t);
    expect((await setRole(admin, s.other, 'member')).status).toBe(409);
    expect((await setRole(admin, s.member, 'owner')).status).toBe(200);
    expect((await membership(s, s.other))?.role).toBe('moderator');
  });
});
