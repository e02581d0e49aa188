/**
 * Moderation reaches the room's own members only, and tells a room moderator nothing about the rest of the
 * site: banning an arbitrary id, a user of another site, a non-member or a site admin all get the same answer,
 * over REST and the socket. Only site admins may ban a non-member (pre-emptively). The ban list exists only for
 * the room's moderators and site admins.
 */
import { afterEach, expect, it } from 'vitest';
import { membershipRepository } from '../src/rooms/membership.js';
import { ack, closeChatClients, connectChat } from './helpers/cluster.js';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { type TestResponse } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: moderation applies to members only and reveals no one', () => {
  const { t, http } = useServer({ label: 'rooms_moderation_members' });

  afterEach(() => closeChatClients());

  interface Setup {
    roomId: string;
    owner: TestUser;
    moderator: TestUser;
    member: TestUser;
    /** A site admin who joined the room as a member. */
    adminMember: TestUser;
    outsider: TestUser;
  }

  async function setup(): Promise<Setup> {
    const [owner, moderator, member, adminMember, outsider] = [
      await newUser(t),
      await newUser(t),
      await newUser(t),
      await newAdmin(t),
      await newUser(t),
    ];
    const room = await http.post('/v1/rooms', {
      headers: owner.headers,
      body: { title: 'Members only', visibility: 'public' },
    });
    const roomId = room.body.id as string;
    for (const u of [moderator, member, adminMember]) {
      expect((await http.post(`/v1/rooms/${roomId}/join`, { headers: u.headers })).status).toBe(200);
    }
    await http.patch(`/v1/rooms/${roomId}/members/${moderator.user.id}`, {
      headers: owner.headers,
      body: { role: 'moderator' },
    });
    return { roomId, owner, moderator, member, adminMember, outsider };
  }

  const act = (roomId: string, actor: TestUser, userId: string, action: string, body?: object) =>
    http.post(`/v1/rooms/${roomId}/members/${userId}/${action}`, { headers: actor.headers, body });
  const answer = (res: TestResponse) => ({ status: res.status, body: res.body });
  const banList = async (roomId: string, viewer: TestUser) =>
    (await http.get(`/v1/rooms/${roomId}/members?status=banned`, { headers: viewer.headers })).body.items.map(
      (m: { user: { id: string } }) => m.user.id,
    ) as string[];
  const noSuchMember = {
    status: 404,
    body: { error: { code: 'not_found', message: 'No such member in this room' } },
  };

  it('refuses a room owner banning a non-member: nothing is stored and the ban list is unchanged', async () => {
    const s = await setup();
    const before = await banList(s.roomId, s.owner);
    const res = await act(s.roomId, s.owner, s.outsider.user.id, 'ban');
    expect(answer(res)).toEqual(noSuchMember);
    expect(await banList(s.roomId, s.owner)).toEqual(before);
    expect(await membershipRepository(t.server.db).get(s.roomId, s.outsider.user.id)).toBeUndefined();
    // The outsider can still join: no pre-emptive ban slipped through.
    expect((await http.post(`/v1/rooms/${s.roomId}/join`, { headers: s.outsider.headers })).status).toBe(200);
  });

  it('answers a site admin target exactly like an unknown id, a foreign user or a non-member', async () => {
    const s = await setup();
    const { site } = await newSite(t);
    const foreigner = await newUser(t, { site });
    const targets = {
      unknown: '999999999',
      foreigner: foreigner.user.id,
      outsider: s.outsider.user.id,
      siteAdmin: s.adminMember.user.id,
    };
    const actions: [string, object | undefined][] = [
      ['ban', undefined],
      ['kick', undefined],
      ['mute', { minutes: 5 }],
      ['unmute', undefined],
      ['unban', undefined],
    ];
    for (const actor of [s.owner, s.moderator]) {
      for (const [action, body] of actions) {
        for (const [name, id] of Object.entries(targets)) {
          const res = await act(s.roomId, actor, id, action, body);
          expect(answer(res), `${action} ${name}`).toEqual(noSuchMember);
        }
      }
    }
    // Role changes are the owner's.
    for (const [name, id] of Object.entries(targets)) {
      const res = await http.patch(`/v1/rooms/${s.roomId}/members/${id}`, {
        headers: s.owner.headers,
        body: { role: 'moderator' },
      });
      expect(answer(res), `role ${name}`).toEqual(noSuchMember);
    }
    // The admin is untouched and still a member.
    expect(
      (await membershipRepository(t.server.db).get(s.roomId, s.adminMember.user.id))?.bannedAt,
    ).toBeNull();

    // The socket answers the same.
    const socket = await connectChat(t.url, { token: s.owner.token });
    const acks = [];
    for (const id of Object.values(targets)) {
      acks.push(await ack(socket, 'member:ban', { roomId: s.roomId, userId: id }));
      acks.push(await ack(socket, 'member:kick', { roomId: s.roomId, userId: id }));
      acks.push(await ack(socket, 'member:mute', { roomId: s.roomId, userId: id, minutes: 5 }));
    }
    for (const a of acks) expect(a).toEqual({ error: noSuchMember.body.error });
  });

  it('shows the ban list only to moderators and site admins; others get the answer of an unseen room', async () => {
    const s = await setup();
    expect((await act(s.roomId, s.owner, s.member.user.id, 'ban')).status).toBe(204);
    const unseen = answer(
      await http.get('/v1/rooms/999999999/members?status=banned', { headers: s.outsider.headers }),
    );
    expect(unseen).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'No such room' } } });
    // A plain member, a non-member and the banned user themselves.
    const plain = await newUser(t);
    await http.post(`/v1/rooms/${s.roomId}/join`, { headers: plain.headers });
    for (const viewer of [plain, s.outsider, s.member]) {
      const res = await http.get(`/v1/rooms/${s.roomId}/members?status=banned`, { headers: viewer.headers });
      expect(answer(res)).toEqual(unseen);
    }
    for (const viewer of [s.owner, s.moderator, s.adminMember, await newAdmin(t)]) {
      expect(await banList(s.roomId, viewer)).toEqual([s.member.user.id]);
    }
  });

  it('still lets a site admin ban a non-member pre-emptively, and then the owner may lift it', async () => {
    const s = await setup();
    const admin = await newAdmin(t);
    const res = await act(s.roomId, admin, s.outsider.user.id, 'ban');
    expect(res.status).toBe(204);
    expect(await banList(s.roomId, s.owner)).toEqual([s.outsider.user.id]);
    const join = await http.post(`/v1/rooms/${s.roomId}/join`, { headers: s.outsider.headers });
    expect(join.status).toBe(403);
    // An unknown id stays unknown, for admins too.
    expect(answer(await act(s.roomId, admin, '999999999', 'ban'))).toEqual(noSuchMember);
    // A banned user is in the ban list, so the room's moderators may unban them.
    expect((await act(s.roomId, s.moderator, s.outsider.user.id, 'unban')).status).toBe(204);
    expect((await http.post(`/v1/rooms/${s.roomId}/join`, { headers: s.outsider.headers })).status).toBe(200);
  });
});
