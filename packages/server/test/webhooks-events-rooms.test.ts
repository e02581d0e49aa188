/**
 * Webhook events of rooms and memberships: `room.created` (with the owner's `member.joined`), `room.updated`,
 * `room.deleted`, `member.joined`, `member.left` (`left`, `kicked`) and `member.banned`, recorded in the
 * write's transaction, ordered by room, for the endpoints of the room's site subscribed to them.
 */
import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  addWebhookEndpoint,
  countDeliveries,
  deliveriesOf,
  failCommitsWhen,
  lastDeliveryId,
} from './helpers/webhooks.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], 'webhook events: rooms and members', () => {
  const { t, http } = useServer({ label: 'webhooks_events_rooms', env: { WEBHOOKS_ENABLED: 'false' } });
  let site: Site;
  let all: string;
  let membersOnly: string;
  let otherSiteEndpoint: string;
  let since: string;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    all = await addWebhookEndpoint(t, site);
    membersOnly = await addWebhookEndpoint(t, site, ['member.joined', 'member.left', 'member.banned']);
    otherSiteEndpoint = await addWebhookEndpoint(t, (await newSite(t)).site);
  });

  const user = (name: string) => newUser(t, { site, displayName: name });
  /** What `endpoint` got since the test's mark: [type, order key, data]. */
  const got = async (endpoint = all) =>
    (await deliveriesOf(t, endpoint, since)).map((d) => {
      expect(d.event.siteId).toBe(site.publicId);
      return [d.eventType, d.orderKey, d.event.data] as const;
    });
  const mark = async () => {
    since = await lastDeliveryId(t);
  };

  const createRoom = async (owner: TestUser, title = 'Room', visibility = 'public') => {
    const res = await http.post('/v1/rooms', { headers: owner.headers, body: { title, visibility } });
    expect(res.status).toBe(201);
    return res.body as { id: string; code: string; title: string };
  };
  const member = async (viewer: TestUser, roomId: string, userId: string) => {
    const res = await http.get(`/v1/rooms/${roomId}/members/${userId}`, { headers: viewer.headers });
    expect(res.status).toBe(200);
    return res.body;
  };
  const roomAs = async (viewer: TestUser, roomId: string) => {
    const res = await http.get(`/v1/rooms/${roomId}`, { headers: viewer.headers });
    expect(res.status).toBe(200);
    return res.body;
  };
  const join = async (u: TestUser, roomId: string) => {
    const res = await http.post(`/v1/rooms/${roomId}/join`, { headers: u.headers });
    expect(res.status).toBe(200);
  };

  it('records room.created and then the owner’s member.joined', async () => {
    const alice = await user('Alice');
    await mark();
    const room = await createRoom(alice, 'Launch', 'private');
    const key = `room:${room.id}`;
    expect(await got()).toEqual([
      ['room.created', key, { room }],
      ['member.joined', key, { roomId: room.id, member: await member(alice, room.id, alice.user.id) }],
    ]);
    expect(room.code).toMatch(/^[A-Z0-9]{8}$/);
    expect((await got()).at(1)![2]).toMatchObject({
      member: { role: 'owner', user: { displayName: 'Alice' } },
    });
    // Subscribed to member events only: the join, not the room.
    expect((await got(membersOnly)).map(([type]) => type)).toEqual(['member.joined']);
    expect(await deliveriesOf(t, otherSiteEndpoint)).toEqual([]);
  });

  it('records member.joined for joins by id and by code, not for joining again', async () => {
    const [alice, bob, carol] = [await user('Alice'), await user('Bob'), await user('Carol')];
    const room = await createRoom(alice);
    const secret = await createRoom(alice, 'Secret', 'private');
    await mark();
    await join(bob, room.id);
    await join(bob, room.id);
    const byCode = await http.post('/v1/rooms/join', { headers: carol.headers, body: { code: secret.code } });
    expect(byCode.status).toBe(200);
    expect(await got()).toEqual([
      [
        'member.joined',
        `room:${room.id}`,
        { roomId: room.id, member: await member(alice, room.id, bob.user.id) },
      ],
      [
        'member.joined',
        `room:${secret.id}`,
        { roomId: secret.id, member: await member(alice, secret.id, carol.user.id) },
      ],
    ]);
    expect((await got())[0]![2]).toMatchObject({
      member: { role: 'member', user: { id: bob.user.id, displayName: 'Bob', kind: 'password' } },
    });
  });

  it('records room.updated for changes of title, description, visibility and code, not for no change', async () => {
    const alice = await user('Alice');
    const room = await createRoom(alice);
    await mark();
    const patched = await http.patch(`/v1/rooms/${room.id}`, {
      headers: alice.headers,
      body: { title: 'Renamed', visibility: 'private' },
    });
    expect(patched.status).toBe(200);
    const same = await http.patch(`/v1/rooms/${room.id}`, {
      headers: alice.headers,
      body: { title: 'Renamed' },
    });
    expect(same.status).toBe(200);
    const rotated = await http.post(`/v1/rooms/${room.id}/code`, { headers: alice.headers });
    expect(rotated.status).toBe(200);
    expect(rotated.body.code).not.toBe(room.code);
    const key = `room:${room.id}`;
    expect(await got()).toEqual([
      ['room.updated', key, { room: patched.body }],
      ['room.updated', key, { room: rotated.body }],
    ]);
    expect(patched.body).toMatchObject({ title: 'Renamed', visibility: 'private' });
    expect(await got(membersOnly)).toEqual([]);
  });

  it('records member.left when a member leaves, and room.updated when the owner leaving passes it on', async () => {
    const [alice, bob, carol] = [await user('Alice'), await user('Bob'), await user('Carol')];
    const room = await createRoom(alice);
    await join(bob, room.id);
    await join(carol, room.id);
    await mark();
    expect((await http.post(`/v1/rooms/${room.id}/leave`, { headers: carol.headers })).status).toBe(204);
    expect((await http.post(`/v1/rooms/${room.id}/leave`, { headers: alice.headers })).status).toBe(204);
    const key = `room:${room.id}`;
    const after = await roomAs(bob, room.id);
    expect(after).toMatchObject({ ownerId: bob.user.id, memberCount: 1 });
    expect(await got()).toEqual([
      ['member.left', key, { roomId: room.id, userId: carol.user.id, reason: 'left' }],
      ['member.left', key, { roomId: room.id, userId: alice.user.id, reason: 'left' }],
      ['room.updated', key, { room: after }],
    ]);
  });

  it('records member.left (kicked), member.banned and, with rotateCode, room.updated', async () => {
    const [alice, bob, carol, dave] = [await user('A'), await user('B'), await user('C'), await user('D')];
    const admin = await newAdmin(t, { site });
    const stranger = await user('Eve');
    const room = await createRoom(alice);
    for (const u of [bob, carol, dave]) await join(u, room.id);
    await mark();
    const kick = await http.post(`/v1/rooms/${room.id}/members/${bob.user.id}/kick`, {
      headers: alice.headers,
      body: {},
    });
    expect(kick.status).toBe(204);
    const kickRotating = await http.post(`/v1/rooms/${room.id}/members/${carol.user.id}/kick`, {
      headers: alice.headers,
      body: { rotateCode: true },
    });
    expect(kickRotating.status).toBe(200);
    const ban = await http.post(`/v1/rooms/${room.id}/members/${dave.user.id}/ban`, {
      headers: alice.headers,
      body: {},
    });
    expect(ban.status).toBe(204);
    // Banning someone already banned changes nothing.
    const again = await http.post(`/v1/rooms/${room.id}/members/${dave.user.id}/ban`, {
      headers: admin.headers,
      body: {},
    });
    expect(again.status).toBe(204);
    // A site admin may ban a user who never joined.
    const preemptive = await http.post(`/v1/rooms/${room.id}/members/${stranger.user.id}/ban`, {
      headers: admin.headers,
      body: { rotateCode: true },
    });
    expect(preemptive.status).toBe(200);

    const key = `room:${room.id}`;
    expect(await got()).toEqual([
      ['member.left', key, { roomId: room.id, userId: bob.user.id, reason: 'kicked' }],
      ['member.left', key, { roomId: room.id, userId: carol.user.id, reason: 'kicked' }],
      ['room.updated', key, { room: kickRotating.body }],
      ['member.banned', key, { roomId: room.id, userId: dave.user.id, byUserId: alice.user.id }],
      ['member.banned', key, { roomId: room.id, userId: stranger.user.id, byUserId: admin.user.id }],
      ['room.updated', key, { room: preemptive.body }],
    ]);
    expect((await got(membersOnly)).map(([type]) => type)).toEqual([
      'member.left',
      'member.left',
      'member.banned',
      'member.banned',
    ]);
  });

  it('records room.updated when ownership is transferred, nothing for other role changes', async () => {
    const [alice, bob, carol] = [await user('Alice'), await user('Bob'), await user('Carol')];
    const room = await createRoom(alice);
    await join(bob, room.id);
    await join(carol, room.id);
    await mark();
    const promote = await http.patch(`/v1/rooms/${room.id}/members/${carol.user.id}`, {
      headers: alice.headers,
      body: { role: 'moderator' },
    });
    expect(promote.status).toBe(200);
    const transfer = await http.patch(`/v1/rooms/${room.id}/members/${bob.user.id}`, {
      headers: alice.headers,
      body: { role: 'owner' },
    });
    expect(transfer.status).toBe(200);
    const after = await roomAs(bob, room.id);
    expect(after.ownerId).toBe(bob.user.id);
    expect(await got()).toEqual([['room.updated', `room:${room.id}`, { room: after }]]);
  });

  it('records room.deleted with the room’s id and title', async () => {
    const alice = await user('Alice');
    const room = await createRoom(alice, 'Short-lived');
    await mark();
    expect((await http.delete(`/v1/rooms/${room.id}`, { headers: alice.headers })).status).toBe(204);
    expect(await got()).toEqual([
      ['room.deleted', `room:${room.id}`, { roomId: room.id, title: 'Short-lived' }],
    ]);
  });

  it('records nothing for a site without endpoints', async () => {
    const bare = (await newSite(t)).site;
    const [alice, bob] = [await newUser(t, { site: bare }), await newUser(t, { site: bare })];
    const before = await countDeliveries(t);
    const res = await http.post('/v1/rooms', {
      headers: alice.headers,
      body: { title: 'Q', visibility: 'public' },
    });
    const roomId = res.body.id as string;
    await http.post(`/v1/rooms/${roomId}/join`, { headers: bob.headers });
    await http.patch(`/v1/rooms/${roomId}`, { headers: alice.headers, body: { title: 'Q2' } });
    await http.post(`/v1/rooms/${roomId}/members/${bob.user.id}/ban`, { headers: alice.headers, body: {} });
    await http.delete(`/v1/rooms/${roomId}`, { headers: alice.headers });
    expect(await countDeliveries(t, bare)).toBe(0);
    expect(await countDeliveries(t)).toBe(before);
  });

  it('records nothing for writes that fail or are refused', async () => {
    const [alice, bob] = [await user('Alice'), await user('Bob')];
    const room = await createRoom(alice);
    await mark();

    const refuseRooms = await failCommitsWhen(t, 'rooms', `NEW.title = 'doomed'`);
    try {
      const created = await http.post('/v1/rooms', {
        headers: alice.headers,
        body: { title: 'doomed', visibility: 'public' },
      });
      expect(created.status).toBeGreaterThanOrEqual(500);
      const renamed = await http.patch(`/v1/rooms/${room.id}`, {
        headers: alice.headers,
        body: { title: 'doomed' },
      });
      expect(renamed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuseRooms();
    }
    const refuseBob = await failCommitsWhen(t, 'room_members', `NEW.user_id = ${Number(bob.user.id)}`);
    try {
      const joined = await http.post(`/v1/rooms/${room.id}/join`, { headers: bob.headers });
      expect(joined.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuseBob();
    }
    // Refused before writing: the only member cannot leave (conflict), nor can a stranger be kicked.
    expect((await http.post(`/v1/rooms/${room.id}/leave`, { headers: alice.headers })).status).toBe(409);
    const kick = await http.post(`/v1/rooms/${room.id}/members/${bob.user.id}/kick`, {
      headers: alice.headers,
      body: {},
    });
    expect(kick.status).toBe(404);

    expect(await got()).toEqual([]);
    expect(await roomAs(alice, room.id)).toMatchObject({ title: 'Room', memberCount: 1 });
    expect(await t.server.db('rooms').where({ title: 'doomed' })).toEqual([]);
  });
});
