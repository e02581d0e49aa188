import type { Room } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, nextEvent, record, type ChatClient } from './helpers/cluster.js';
import { joinRoom, newAdmin, newUser, roomOfTwo, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'messages: edits, deletions and reactions', () => {
  // A roomy rate limit: the reaction cap is what is tested here (rate limits have their own file).
  const [a, b] = useServer({
    label: 'messages_edit_delete',
    nodes: 2,
    env: { MESSAGE_RATE_LIMIT: '100' },
  }).nodes;

  afterEach(() => closeChatClients());

  interface Setup {
    room: Room;
    roomId: string;
    alice: TestUser;
    bob: TestUser;
    aliceOnA: ChatClient;
    bobOnB: ChatClient;
    messageId: string;
  }

  /** Alice (owner, node A) and Bob (member, node B) in a room, both subscribed; Alice said "hello". */
  async function setup(): Promise<Setup> {
    const { alice, bob, room } = await roomOfTwo(a);
    const aliceOnA = await connectChat(a.url, { token: alice.token });
    const bobOnB = await connectChat(b.url, { token: bob.token });
    await ack(aliceOnA, 'room:join', { roomId: room.id });
    await ack(bobOnB, 'room:join', { roomId: room.id });
    const arrived = nextEvent(bobOnB, 'message:new');
    const sent = await ack(aliceOnA, 'message:send', {
      roomId: room.id,
      clientMsgId: 'hello',
      text: 'hello',
    });
    await arrived;
    return { room, roomId: room.id, alice, bob, aliceOnA, bobOnB, messageId: sent.message.id };
  }

  const row = (id: string) => a.server.db('messages').where({ id }).first();

  it('lets the author edit, tells the other node, and refuses edits of someone else’s message', async () => {
    const s = await setup();
    const updated = nextEvent(s.bobOnB, 'message:updated');
    const edited = await ack(s.aliceOnA, 'message:edit', {
      roomId: s.roomId,
      messageId: s.messageId,
      text: 'hello!',
    });
    expect(edited.message).toMatchObject({
      id: s.messageId,
      seq: '1',
      text: 'hello!',
      editedAt: expect.any(String),
    });
    expect(await updated).toEqual({
      roomId: s.roomId,
      messageId: s.messageId,
      seq: '1',
      text: 'hello!',
      editedAt: edited.message.editedAt,
    });

    const before = await row(s.messageId);
    const refused = await ack(s.bobOnB, 'message:edit', {
      roomId: s.roomId,
      messageId: s.messageId,
      text: 'pwned',
    });
    expect(refused.error).toMatchObject({
      code: 'forbidden',
      message: 'You can only edit your own messages',
    });
    const overRest = await client(a.url).patch(`/v1/rooms/${s.roomId}/messages/${s.messageId}`, {
      headers: s.bob.headers,
      body: { text: 'pwned' },
    });
    expect(overRest.status).toBe(403);
    // A moderator may delete but not rewrite someone's words.
    const mod = await newUser(a);
    await joinRoom(a, mod, s.room);
    const promoted = await client(a.url).patch(`/v1/rooms/${s.roomId}/members/${mod.user.id}`, {
      headers: s.alice.headers,
      body: { role: 'moderator' },
    });
    expect(promoted.body.role).toBe('moderator');
    const modOnA = await connectChat(a.url, { token: mod.token });
    const byMod = await ack(modOnA, 'message:edit', {
      roomId: s.roomId,
      messageId: s.messageId,
      text: 'moderated',
    });
    expect(byMod.error.code).toBe('forbidden');
    expect(await row(s.messageId)).toEqual(before);
  });

  it('deletes by author or moderator, leaves a tombstone, and refuses plain members', async () => {
    const s = await setup();
    const second = await ack(s.bobOnB, 'message:send', {
      roomId: s.roomId,
      clientMsgId: 'b1',
      text: 'bob here',
    });
    const deleted = record(s.bobOnB, 'message:deleted');

    const refused = await ack(s.bobOnB, 'message:delete', { roomId: s.roomId, messageId: s.messageId });
    expect(refused.error.code).toBe('forbidden');
    expect((await row(s.messageId)).deleted_at).toBeNull();

    // Alice owns the room: she may delete Bob's message; Bob may delete his own.
    const byOwner = await ack(s.aliceOnA, 'message:delete', {
      roomId: s.roomId,
      messageId: second.message.id,
    });
    expect(byOwner.message).toMatchObject({ id: second.message.id, text: '', deletedAt: expect.any(String) });
    const own = await ack(s.aliceOnA, 'message:delete', { roomId: s.roomId, messageId: s.messageId });
    expect(own.message.deletedAt).not.toBeNull();
    const again = await ack(s.aliceOnA, 'message:delete', { roomId: s.roomId, messageId: s.messageId });
    expect(again).toEqual(own);

    await new Promise((r) => setTimeout(r, 300));
    expect(deleted.map((d) => d.messageId)).toEqual([second.message.id, s.messageId]);
    expect((await row(s.messageId)).text).toBe('');
    const edit = await ack(s.aliceOnA, 'message:edit', {
      roomId: s.roomId,
      messageId: s.messageId,
      text: 'back',
    });
    expect(edit.error.code).toBe('conflict');

    // History keeps the numbering: tombstones stay in place.
    const page = await client(b.url).get(`/v1/rooms/${s.roomId}/messages`, { headers: s.bob.headers });
    expect(page.body.messages.map((m: { seq: string; text: string }) => [m.seq, m.text])).toEqual([
      ['1', ''],
      ['2', ''],
    ]);
  });

  it('lets a site admin delete in any room of the site', async () => {
    const s = await setup();
    const admin = await newAdmin(a);
    const adminOnB = await connectChat(b.url, { token: admin.token });
    const res = await ack(adminOnB, 'message:delete', { roomId: s.roomId, messageId: s.messageId });
    expect(res.message.deletedAt).not.toBeNull();
  });

  it('adds and removes reactions idempotently, with counts, across nodes', async () => {
    const s = await setup();
    const updates = record(s.aliceOnA, 'reaction:updated');
    const add = (socket: ChatClient, emoji: string) =>
      ack(socket, 'reaction:add', { roomId: s.roomId, messageId: s.messageId, emoji });

    expect(await add(s.bobOnB, '👍')).toEqual({
      roomId: s.roomId,
      messageId: s.messageId,
      emoji: '👍',
      userId: s.bob.user.id,
      action: 'added',
      count: 1,
    });
    expect((await add(s.bobOnB, '👍')).count).toBe(1);
    expect((await add(s.aliceOnA, '👍')).count).toBe(2);
    expect((await add(s.aliceOnA, 'party-parrot')).count).toBe(1);
    const removed = await ack(s.bobOnB, 'reaction:remove', {
      roomId: s.roomId,
      messageId: s.messageId,
      emoji: '👍',
    });
    expect(removed).toMatchObject({ action: 'removed', count: 1 });

    await new Promise((r) => setTimeout(r, 300));
    expect(updates.map((u) => [u.userId, u.emoji, u.action, u.count])).toEqual([
      [s.bob.user.id, '👍', 'added', 1],
      [s.alice.user.id, '👍', 'added', 2],
      [s.alice.user.id, 'party-parrot', 'added', 1],
      [s.bob.user.id, '👍', 'removed', 1],
    ]);

    const forAlice = await client(a.url).get(`/v1/rooms/${s.roomId}/messages`, { headers: s.alice.headers });
    expect(forAlice.body.messages[0].reactions).toEqual([
      { emoji: '👍', count: 1, me: true },
      { emoji: 'party-parrot', count: 1, me: true },
    ]);
    const forBob = await client(b.url).get(`/v1/rooms/${s.roomId}/messages`, { headers: s.bob.headers });
    expect(forBob.body.messages[0].reactions).toEqual([
      { emoji: '👍', count: 1, me: false },
      { emoji: 'party-parrot', count: 1, me: false },
    ]);
    // Over REST, the emoji URL-encoded.
    const del = await client(a.url).delete(
      `/v1/rooms/${s.roomId}/messages/${s.messageId}/reactions/${encodeURIComponent('👍')}`,
      { headers: s.alice.headers },
    );
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ action: 'removed', count: 0 });
  });

  it('caps the reactions one user puts on one message', async () => {
    const s = await setup();
    const names = Array.from({ length: 21 }, (_, i) => `r${i}`);
    const results = [];
    for (const emoji of names) {
      results.push(
        await ack(s.aliceOnA, 'reaction:add', { roomId: s.roomId, messageId: s.messageId, emoji }),
      );
    }
    expect(results.slice(0, 20).every((r) => r.action === 'added')).toBe(true);
    expect(results[20].error.code).toBe('conflict');
    expect(await a.server.db('reactions').where({ message_id: s.messageId }).count({ n: '*' })).toEqual([
      { n: '20' },
    ]);
  });
});
