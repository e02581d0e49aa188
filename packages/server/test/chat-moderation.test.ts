import { randomUUID } from 'node:crypto';
import type { Room } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, nextEvent, record, type ChatClient } from './helpers/cluster.js';
import { joinRoom, newAdmin, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'chat: moderation reaches every node', () => {
  const [a, b] = useServer({
    label: 'chat_moderation',
    nodes: 2,
  }).nodes;

  afterEach(() => closeChatClients());

  interface Setup {
    room: Room;
    alice: TestUser;
    bob: TestUser;
    carol: TestUser;
    aliceOnA: ChatClient;
    /** Bob has a tab on each node. */
    bobOnA: ChatClient;
    bobOnB: ChatClient;
    carolOnB: ChatClient;
  }

  async function setup(): Promise<Setup> {
    const alice = await newUser(a);
    const bob = await newUser(a);
    const carol = await newUser(a);
    const room = await newRoom(a, alice);
    await joinRoom(a, bob, room);
    await joinRoom(a, carol, room);
    const s = {
      room,
      alice,
      bob,
      carol,
      aliceOnA: await connectChat(a.url, { token: alice.token }),
      bobOnA: await connectChat(a.url, { token: bob.token }),
      bobOnB: await connectChat(b.url, { token: bob.token }),
      carolOnB: await connectChat(b.url, { token: carol.token }),
    };
    for (const socket of [s.aliceOnA, s.bobOnA, s.bobOnB, s.carolOnB]) {
      expect((await ack(socket, 'room:join', { roomId: room.id })).error).toBeUndefined();
    }
    return s;
  }

  const say = (socket: ChatClient, roomId: string, text: string) =>
    ack(socket, 'message:send', { roomId, clientMsgId: randomUUID(), text });

  it('mutes over the socket: the member is told and cannot send or type until it ends', async () => {
    const s = await setup();
    const told = nextEvent(s.bobOnB, 'member:updated');
    const seen = nextEvent(s.carolOnB, 'member:updated');
    expect(
      await ack(s.aliceOnA, 'member:mute', { roomId: s.room.id, userId: s.bob.user.id, minutes: 5 }),
    ).toEqual({
      ok: true,
    });
    const update = await told;
    expect(update).toMatchObject({ roomId: s.room.id, userId: s.bob.user.id, role: 'member' });
    expect(new Date(update.mutedUntil!).getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect(await seen).toEqual(update);

    const refused = await say(s.bobOnA, s.room.id, 'let me talk');
    expect(refused.error).toMatchObject({ code: 'forbidden', details: { mutedUntil: update.mutedUntil } });
    expect((await ack(s.bobOnB, 'typing:start', { roomId: s.room.id })).error.code).toBe('forbidden');
    // Still subscribed: a muted member keeps reading.
    const reads = nextEvent(s.bobOnB, 'message:new');
    await say(s.aliceOnA, s.room.id, 'you are muted');
    expect((await reads).text).toBe('you are muted');
    // A plain member cannot mute anyone.
    const byCarol = await ack(s.carolOnB, 'member:mute', {
      roomId: s.room.id,
      userId: s.alice.user.id,
      minutes: 5,
    });
    expect(byCarol.error.code).toBe('forbidden');
  });

  it('kicks over the socket: every tab of the user leaves the room on every node', async () => {
    const s = await setup();
    const removedA = nextEvent(s.bobOnA, 'member:removed');
    const removedB = nextEvent(s.bobOnB, 'member:removed');
    const observed = nextEvent(s.carolOnB, 'member:removed');
    const offline = nextEvent(s.carolOnB, 'presence', (p) => !p.online.includes(s.bob.user.id));
    expect(await ack(s.aliceOnA, 'member:kick', { roomId: s.room.id, userId: s.bob.user.id })).toEqual({
      ok: true,
    });
    const expected = { roomId: s.room.id, userId: s.bob.user.id, reason: 'kicked' };
    expect(await removedA).toEqual(expected);
    expect(await removedB).toEqual(expected);
    expect(await observed).toEqual(expected);
    expect((await offline).online).not.toContain(s.bob.user.id);

    const leaked = [...record(s.bobOnA, 'message:new'), ...record(s.bobOnB, 'message:new')];
    const leakedB = record(s.bobOnB, 'message:new');
    const carolGets = nextEvent(s.carolOnB, 'message:new');
    await say(s.aliceOnA, s.room.id, 'bob is gone');
    expect((await carolGets).text).toBe('bob is gone');
    await new Promise((r) => setTimeout(r, 200));
    expect(leaked).toEqual([]);
    expect(leakedB).toEqual([]);
    expect((await say(s.bobOnB, s.room.id, 'still here?')).error.code).toBe('forbidden');
    expect((await ack(s.bobOnA, 'room:join', { roomId: s.room.id })).error.code).toBe('forbidden');
    expect((await ack(s.bobOnA, 'typing:start', { roomId: s.room.id })).error.code).toBe('forbidden');
  });

  it('bans over REST: the banned user’s sockets leave too, and cannot come back', async () => {
    const s = await setup();
    const removed = nextEvent(s.carolOnB, 'member:removed');
    const res = await client(b.url).post(`/v1/rooms/${s.room.id}/members/${s.carol.user.id}/ban`, {
      headers: s.alice.headers,
    });
    expect(res.status).toBe(204);
    expect(await removed).toEqual({ roomId: s.room.id, userId: s.carol.user.id, reason: 'banned' });
    const leaked = record(s.carolOnB, 'message:new');
    const bobGets = nextEvent(s.bobOnA, 'message:new');
    await say(s.aliceOnA, s.room.id, 'carol is banned');
    await bobGets;
    await new Promise((r) => setTimeout(r, 200));
    expect(leaked).toEqual([]);
    expect((await ack(s.carolOnB, 'room:join', { roomId: s.room.id })).error.code).toBe('forbidden');

    // Over the socket, a room owner cannot ban someone who never joined; a site admin can keep them out.
    const dave = await newUser(a);
    expect(await ack(s.aliceOnA, 'member:ban', { roomId: s.room.id, userId: dave.user.id })).toEqual({
      error: { code: 'not_found', message: 'No such member in this room' },
    });
    const admin = await connectChat(b.url, { token: (await newAdmin(a)).token });
    expect(await ack(admin, 'member:ban', { roomId: s.room.id, userId: dave.user.id })).toEqual({ ok: true });
    const join = await client(a.url).post(`/v1/rooms/${s.room.id}/join`, { headers: dave.headers });
    expect(join.status).toBe(403);
  });

  it('follows REST changes: a member leaving, a room edited, a room deleted', async () => {
    const s = await setup();
    const left = nextEvent(s.aliceOnA, 'member:removed');
    expect(
      (await client(b.url).post(`/v1/rooms/${s.room.id}/leave`, { headers: s.carol.headers })).status,
    ).toBe(204);
    expect(await left).toEqual({ roomId: s.room.id, userId: s.carol.user.id, reason: 'left' });

    const updated = nextEvent(s.bobOnB, 'room:updated');
    const patch = await client(a.url).patch(`/v1/rooms/${s.room.id}`, {
      headers: s.alice.headers,
      body: { title: 'Renamed' },
    });
    expect(patch.status).toBe(200);
    expect(await updated).toMatchObject({ id: s.room.id, title: 'Renamed' });

    const deletedA = nextEvent(s.bobOnA, 'room:deleted');
    const deletedB = nextEvent(s.bobOnB, 'room:deleted');
    expect(
      (await client(b.url).delete(`/v1/rooms/${s.room.id}`, { headers: s.alice.headers })).status,
    ).toBeLessThan(300);
    expect(await deletedA).toEqual({ roomId: s.room.id });
    expect(await deletedB).toEqual({ roomId: s.room.id });
    const gone = await say(s.aliceOnA, s.room.id, 'anyone?');
    expect(gone.error.code).toBe('not_found');
  });
});
