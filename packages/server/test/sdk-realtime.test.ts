/**
 * The SDK's realtime connection against a real server: joining delivers a room's messages through
 * `message:new` exactly once and in order (the join page, REST catch-up pages, live messages, one's own
 * sends), typed requests and their errors, leaving and removal, refused handshakes, and closing.
 */
import {
  createClient,
  SyncTalkError,
  type DeliverySource,
  type Message,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from './helpers/cluster.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { uniqueName } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

describeWith(['postgres'], 'sdk: the realtime connection', () => {
  let db: TestDatabase;
  let t: TestServer;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('sdk_realtime');
    t = await startTestServer({ databaseUrl: db.url, env: { MESSAGE_RATE_LIMIT: '10000' } });
  });
  afterAll(async () => {
    for (const close of closers) close();
    await t?.close();
    await db?.drop();
  });

  const signUp = async (): Promise<SyncTalkClient> => {
    const client = createClient({ baseUrl: t.url });
    await client.auth.signup({ username: uniqueName('rt'), password: 'correct horse battery' });
    return client;
  };
  const connect = async (client: SyncTalkClient) => {
    const chat = await client.connect();
    closers.push(() => chat.close());
    const delivered: { message: Message; source: DeliverySource }[] = [];
    chat.on('message:new', (message, { source }) => delivered.push({ message, source }));
    return { chat, delivered, seqs: () => delivered.map((d) => Number(d.message.seq)) };
  };
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => {
        expect(e).toBeInstanceOf(SyncTalkError);
        return e as SyncTalkError;
      },
    );

  it('delivers the latest page on join, then live messages and my own sends, each once and in order', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Busy', visibility: 'public' });
    for (let i = 1; i <= 60; i += 1) await owner.messages.send(room.id, `old-${i}`);
    const reader = await signUp();
    const member = await reader.rooms.join(room.id);
    const { chat, delivered, seqs } = await connect(reader);
    const joinedEvents: unknown[] = [];
    chat.on('room:joined', (j, info) => joinedEvents.push([j.room.id, info.rejoin]));

    const joined = await chat.joinRoom(room.id);
    expect(joined).toMatchObject({
      room: { id: room.id, lastSeq: '60' },
      membership: { role: 'member', unreadCount: 60, joinedAt: member.joinedAt },
      presence: { count: 1 },
      lastSeq: '60',
    });
    expect(joinedEvents).toEqual([[room.id, false]]);
    // The latest 50, as join deliveries; older ones are history (before=11).
    expect(seqs()).toEqual(range(11, 60));
    expect(new Set(delivered.map((d) => d.source))).toEqual(new Set(['join']));

    await owner.messages.send(room.id, 'live');
    const mine = await chat.send(room.id, 'my own');
    expect(mine).toMatchObject({ text: 'my own', seq: '62' });
    await eventually(() => delivered.length === 52);
    expect(seqs()).toEqual(range(11, 62));
    expect(delivered.at(-1)!.message.id).toBe(mine.id);
    // Joining again changes nothing: no redelivery.
    await chat.joinRoom(room.id);
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs()).toEqual(range(11, 62));
  });

  it('resumes from a stored lastSeq: everything after it, beyond the join page, over REST', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Resume', visibility: 'public' });
    for (let i = 1; i <= 260; i += 1)
      await owner.messages.send(room.id, `m-${i}`, { clientMsgId: `resume-${i}` });
    const { chat, delivered, seqs } = await connect(owner);
    const joined = await chat.joinRoom(room.id, { lastSeq: '20' });
    expect(joined.lastSeq).toBe('260');
    expect(seqs()).toEqual(range(21, 260));
    // 200 in the join answer, the rest paged over REST.
    expect(delivered.filter((d) => d.source === 'join')).toHaveLength(200);
    expect(delivered.filter((d) => d.source === 'history')).toHaveLength(40);
    expect(delivered.map((d) => d.message.text)).toEqual(range(21, 260).map((i) => `m-${i}`));
  });

  it('sends idempotently, and rejects sends no retry can fix', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Sends', visibility: 'public' });
    const talker = await signUp();
    const talkerId = (await talker.me.get()).id;
    await talker.rooms.join(room.id);
    const { chat } = await connect(talker);

    const first = await chat.send(room.id, 'once', { clientMsgId: 'same-key' });
    expect(await chat.send(room.id, 'once', { clientMsgId: 'same-key' })).toEqual(first);
    expect((await failure(chat.send(room.id, 'other text', { clientMsgId: 'same-key' }))).code).toBe(
      'conflict',
    );
    expect((await failure(chat.send(room.id, '   '))).code).toBe('validation_failed');
    const reply = await chat.send(room.id, 'answer', { replyTo: first.id });
    expect(reply.replyTo).toBe(first.id);

    await owner.rooms.mute(room.id, talkerId, 5);
    const muted = await failure(chat.send(room.id, 'let me speak'));
    expect(muted).toMatchObject({ code: 'forbidden', retryable: false });
    expect(chat.pendingSends).toBe(0);
    expect((await owner.messages.history(room.id)).messages.map((m) => m.text)).toEqual(['once', 'answer']);

    const aborted = new AbortController();
    aborted.abort(new Error('user cancelled'));
    await expect(chat.send(room.id, 'never', { signal: aborted.signal })).rejects.toThrow('user cancelled');
  });

  it('sends other events as typed requests and throws their errors', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Requests', visibility: 'public' });
    const { chat } = await connect(owner);
    await chat.joinRoom(room.id);
    const m = await chat.send(room.id, 'react to me');
    expect(
      await chat.request('reaction:add', { roomId: room.id, messageId: m.id, emoji: '🎉' }),
    ).toMatchObject({
      action: 'added',
      count: 1,
    });
    expect(await chat.request('typing:start', { roomId: room.id })).toEqual({ ok: true });
    const edited = await chat.request('message:edit', { roomId: room.id, messageId: m.id, text: 'edited' });
    expect(edited.message.text).toBe('edited');
    expect(await chat.markRead(room.id, m.seq)).toEqual({
      roomId: room.id,
      lastReadSeq: m.seq,
      unreadCount: 0,
    });
    const bad = await failure(
      chat.request('message:edit', { roomId: room.id, messageId: '999999', text: 'x' }),
    );
    expect(bad.code).toBe('not_found');
    const invalid = await failure(chat.request('read:update', { roomId: room.id, seq: 'nope' }));
    expect(invalid.code).toBe('validation_failed');
  });

  it('stops delivering a room after leaving it or being removed from it', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Leave', visibility: 'public' });
    const guest = await signUp();
    const guestId = (await guest.me.get()).id;
    await guest.rooms.join(room.id);
    const { chat, delivered } = await connect(guest);
    await chat.joinRoom(room.id);
    await owner.messages.send(room.id, 'one');
    await eventually(() => delivered.length === 1);

    await chat.leaveRoom(room.id);
    expect(chat.joinedRooms).toEqual([]);
    await owner.messages.send(room.id, 'two');
    await new Promise((r) => setTimeout(r, 200));
    expect(delivered).toHaveLength(1);

    // Rejoin (resumes after 'one'), then get kicked: the connection forgets the room.
    await chat.joinRoom(room.id, { lastSeq: '1' });
    expect(delivered.map((d) => d.message.text)).toEqual(['one', 'two']);
    const removed = new Promise((resolve) => chat.once('member:removed', resolve));
    await owner.rooms.kick(room.id, guestId);
    expect(await removed).toEqual({ roomId: room.id, userId: guestId, reason: 'kicked' });
    expect(chat.joinedRooms).toEqual([]);
    expect((await failure(chat.joinRoom(room.id))).code).toBe('forbidden');
  });

  it('rejects connect when the server refuses the session, and everything after close', async () => {
    const anon = createClient({ baseUrl: t.url });
    expect((await failure(anon.connect())).code).toBe('unauthorized');

    const client = await signUp();
    const elsewhere = createClient({
      baseUrl: t.url,
      site: 'st_0000000000000000',
      tokens: { load: () => client.auth.tokens(), save: () => {} },
    });
    expect((await failure(elsewhere.connect())).code).toBe('not_found');

    const { chat } = await connect(client);
    const statuses: string[] = [];
    chat.on('status', (s) => statuses.push(s));
    chat.close();
    expect(statuses).toEqual(['closed']);
    expect((await failure(chat.send('1', 'late'))).code).toBe('unavailable');
    expect((await failure(chat.joinRoom('1'))).code).toBe('unavailable');
  });
});
