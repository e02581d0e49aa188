/**
 * The server API's rooms, members and messages: the site's backend creates rooms (owned by a user or by the
 * site's system user), sets members and roles, sends as a member or as the system sender (idempotent,
 * broadcast to the room's sockets like any send) and reads history.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Message } from '@synctalk/sdk';
import { ack, connectChat, nextEvent } from './helpers/cluster.js';
import { newAdmin, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], 'server api: rooms, members and messages', () => {
  const { t, http } = useServer({ label: 'server_api_rooms' });
  let site: Site;
  let headers: Record<string, string>;

  const upsert = (externalId: string, displayName = externalId) =>
    http.put(`/v1/server/users/${externalId}`, { headers, body: { displayName } });
  /** The room's active members as [external id, or `system`; role], from the database. */
  const members = async (roomId: string) => {
    const rows = await t.server
      .db('room_members')
      .join('users', 'users.id', 'room_members.user_id')
      .where({ room_id: roomId })
      .whereNull('room_members.banned_at')
      .orderBy('room_members.user_id')
      .select('users.external_id', 'users.kind', 'room_members.role');
    return rows.map((r: { external_id: string | null; kind: string; role: string }) => [
      r.external_id ?? r.kind,
      r.role,
    ]);
  };

  beforeAll(async () => {
    // Verified-only: the site's own users and its system sender may write there.
    site = (await newSite(t, { settings: { verifiedOnly: true } })).site;
    const admin = await newAdmin(t, { site });
    const { key } = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'b' } }))
      .body;
    headers = { authorization: `Bearer ${key}`, 'x-synctalk-site': site.publicId };
    for (const id of ['owner-1', 'mod-1', 'member-1', 'later-1']) await upsert(id);
  });

  it('creates a room owned by a user, with initial members and roles', async () => {
    const res = await http.post('/v1/server/rooms', {
      headers,
      body: {
        title: 'Order 1042',
        description: 'Support',
        visibility: 'private',
        ownerExternalId: 'owner-1',
        members: [{ externalId: 'mod-1', role: 'moderator' }, { externalId: 'member-1' }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Order 1042', visibility: 'private', memberCount: 3 });
    expect(typeof res.body.code).toBe('string');
    expect(await members(res.body.id)).toEqual(
      expect.arrayContaining([
        ['owner-1', 'owner'],
        ['mod-1', 'moderator'],
        ['member-1', 'member'],
      ]),
    );
  });

  it('creates nothing when a named user does not exist', async () => {
    const res = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Ghost room', visibility: 'public', members: [{ externalId: 'ghost' }] },
    });
    expect(res.status).toBe(404);
    expect(await t.server.db('rooms').where({ site_id: site.id, title: 'Ghost room' })).toHaveLength(0);
  });

  it("makes the site's system user own rooms created without an owner, one system user per site", async () => {
    const [a, b] = await Promise.all([
      http.post('/v1/server/rooms', { headers, body: { title: 'News', visibility: 'public' } }),
      http.post('/v1/server/rooms', { headers, body: { title: 'News 2', visibility: 'public' } }),
    ]);
    expect(a!.status).toBe(201);
    expect(b!.status).toBe(201);
    expect(await members(a!.body.id)).toEqual([['system', 'owner']]);
    const system = await t.server.db('users').where({ site_id: site.id, kind: 'system' });
    expect(system).toHaveLength(1);
    expect(system[0].display_name).toBe('System');
  });

  it('updates and deletes rooms', async () => {
    const { body: room } = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Temp', visibility: 'public', ownerExternalId: 'owner-1' },
    });
    const patched = await http.patch(`/v1/server/rooms/${room.id}`, {
      headers,
      body: { title: 'Renamed', visibility: 'private' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: room.id, title: 'Renamed', visibility: 'private' });
    expect((await http.delete(`/v1/server/rooms/${room.id}`, { headers })).status).toBe(204);
    expect((await http.patch(`/v1/server/rooms/${room.id}`, { headers, body: { title: 'x' } })).status).toBe(
      404,
    );
    expect((await http.get(`/v1/server/rooms/${room.id}/messages`, { headers })).status).toBe(404);
  });

  it('adds members, changes roles, transfers ownership and removes members', async () => {
    const { body: room } = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Team', visibility: 'private', ownerExternalId: 'owner-1' },
    });
    const added = await http.put(`/v1/server/rooms/${room.id}/members/later-1`, { headers, body: {} });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ role: 'member', user: { displayName: 'later-1', kind: 'site' } });
    const again = await http.put(`/v1/server/rooms/${room.id}/members/later-1`, { headers, body: {} });
    expect(again.body.role).toBe('member');
    const promoted = await http.put(`/v1/server/rooms/${room.id}/members/later-1`, {
      headers,
      body: { role: 'moderator' },
    });
    expect(promoted.body.role).toBe('moderator');
    const owner = await http.put(`/v1/server/rooms/${room.id}/members/later-1`, {
      headers,
      body: { role: 'owner' },
    });
    expect(owner.body.role).toBe('owner');
    expect(await members(room.id)).toEqual(
      expect.arrayContaining([
        ['owner-1', 'moderator'],
        ['later-1', 'owner'],
      ]),
    );
    // The owner is removed only after ownership moved on.
    const refused = await http.delete(`/v1/server/rooms/${room.id}/members/later-1`, { headers });
    expect(refused.status).toBe(409);
    expect((await http.delete(`/v1/server/rooms/${room.id}/members/owner-1`, { headers })).status).toBe(204);
    expect(await members(room.id)).toEqual([['later-1', 'owner']]);
    expect((await http.delete(`/v1/server/rooms/${room.id}/members/owner-1`, { headers })).status).toBe(404);
    expect((await http.put(`/v1/server/rooms/${room.id}/members/ghost`, { headers, body: {} })).status).toBe(
      404,
    );
  });

  it('sends as the system user and as a member, idempotently, and reads history', async () => {
    const { body: room } = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Chat', visibility: 'public', members: [{ externalId: 'member-1' }] },
    });
    const system = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Welcome!', clientMsgId: 'welcome-1' },
    });
    expect(system.status).toBe(201);
    expect(system.body.message).toMatchObject({
      text: 'Welcome!',
      seq: '1',
      author: { displayName: 'System' },
    });
    const retry = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Welcome!', clientMsgId: 'welcome-1' },
    });
    expect(retry.body.message.id).toBe(system.body.message.id);
    const clash = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Other text', clientMsgId: 'welcome-1' },
    });
    expect(clash.status).toBe(409);

    const asMember = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Hi all', asExternalId: 'member-1', replyTo: system.body.message.id },
    });
    expect(asMember.status).toBe(201);
    expect(asMember.body.message).toMatchObject({ seq: '2', author: { displayName: 'member-1' } });
    // Someone who is not in the room cannot be made to speak in it.
    const outsider = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Hi', asExternalId: 'later-1' },
    });
    expect(outsider.status).toBe(403);
    const unknown = await http.post(`/v1/server/rooms/${room.id}/messages`, {
      headers,
      body: { text: 'Hi', asExternalId: 'ghost' },
    });
    expect(unknown.status).toBe(404);

    const history = await http.get(`/v1/server/rooms/${room.id}/messages?limit=1`, { headers });
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ hasMore: true, messages: [{ text: 'Hi all' }] });
    const older = await http.get(`/v1/server/rooms/${room.id}/messages?before=2`, { headers });
    expect(older.body.messages.map((m: Message) => m.text)).toEqual(['Welcome!']);
    expect((await http.get(`/v1/server/rooms/${room.id}/messages?limit=0`, { headers })).status).toBe(400);
  });

  it("delivers a server-sent message to the room's sockets", async () => {
    const { body: room } = await http.post('/v1/server/rooms', {
      headers,
      body: { title: 'Live', visibility: 'private', members: [{ externalId: 'member-1' }] },
    });
    const session = (await http.post('/v1/server/users/member-1/token', { headers })).body;
    const socket = await connectChat(t.url, { token: session.accessToken, site: site.publicId });
    const joined = await ack(socket, 'room:join', { roomId: room.id });
    expect(joined.error).toBeUndefined();
    expect(joined.room.id).toBe(room.id);
    const received = nextEvent(socket, 'message:new', (m) => m.roomId === room.id);
    const sent = await http.post(`/v1/server/rooms/${room.id}/messages`, { headers, body: { text: 'Ping' } });
    expect(sent.status).toBe(201);
    expect(await received).toEqual(sent.body.message);
    socket.close();
  });
});
