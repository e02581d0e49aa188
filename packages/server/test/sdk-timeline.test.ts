/**
 * `createTimeline(chat, roomId)` against a real server: it starts from the latest page of a room's history, adds
 * live messages and my own sends once each, applies edits, deletions and reactions as they happen (also to
 * messages it loads later), pages back with `loadOlder()` to the room's first message, and after a reconnect
 * shows what changed while the connection was down.
 */
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  createClient,
  createTimeline,
  type Message,
  type SyncTalkClient,
  type Timeline,
  type TimelineItem,
} from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { uniqueName } from './helpers/factories.js';
import { failure } from './helpers/sdk.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const PASSWORD = 'correct horse battery';

const messages = (items: readonly TimelineItem[]): Message[] =>
  items.flatMap((item) => (item.type === 'message' ? [item.message] : []));
const seqs = (items: readonly TimelineItem[]) => messages(items).map((m) => Number(m.seq));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Resolves once the timeline's items satisfy `check` (now, or at a later change). */
function until(timeline: Timeline, check: (items: readonly TimelineItem[]) => boolean): Promise<void> {
  if (check(timeline.items)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = timeline.on('change', (items) => {
      if (!check(items)) return;
      off();
      resolve();
    });
  });
}

/** A TCP proxy in front of the server whose connections can be cut (and new ones refused) for a while. */
async function cuttableProxy(targetPort: number) {
  const open = new Set<Socket>();
  let cut = false;
  const server = createNetServer((client) => {
    if (cut) return void client.destroy();
    const upstream = netConnect(targetPort, '127.0.0.1');
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describeWith(['postgres'], 'sdk: the timeline', () => {
  const { t } = useServer({ label: 'sdk_timeline', env: { MESSAGE_RATE_LIMIT: '10000' } });
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });

  async function signUp(baseUrl = t.url): Promise<SyncTalkClient> {
    const client = createClient({ baseUrl, realtime: { reconnect: { initialMs: 100, maxMs: 500 } } });
    await client.auth.signup({ username: uniqueName('tl'), password: PASSWORD });
    return client;
  }

  async function connect(client: SyncTalkClient) {
    const chat = await client.connect();
    cleanup.push(() => chat.close());
    return chat;
  }

  /** A public room with `count` messages by its owner, `m-1` … `m-<count>`. */
  async function busyRoom(owner: SyncTalkClient, count: number) {
    const room = await owner.rooms.create({ title: uniqueName('Busy'), visibility: 'public' });
    const sent: Message[] = [];
    for (let i = 1; i <= count; i += 1) sent.push(await owner.messages.send(room.id, `m-${i}`));
    return { room, sent };
  }

  it('shows my sends at once as pending, replaces each by its stored message, and keeps a failed one until it is discarded', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: uniqueName('Sends'), visibility: 'public' });
    const chat = await connect(owner);
    const timeline = createTimeline(chat, room.id);
    cleanup.push(() => timeline.close());
    await timeline.ready;

    const pending = chat.send(room.id, 'on its way');
    // Before any answer: the send is a row already.
    const row = timeline.items.find((item) => item.type === 'outgoing');
    expect(row?.type === 'outgoing' && row.outgoing).toMatchObject({
      clientMsgId: pending.clientMsgId,
      status: 'pending',
      text: 'on its way',
    });
    const stored = await pending;
    await until(timeline, (items) => items.some((i) => i.type === 'message' && i.message.id === stored.id));
    // Its stored message took its place: one row for that clientMsgId, never two.
    const rows = timeline.items.filter((item) =>
      item.type === 'message'
        ? item.message.clientMsgId === stored.clientMsgId
        : item.outgoing.clientMsgId === stored.clientMsgId,
    );
    expect(rows.map((r) => r.type)).toEqual(['message']);

    const tooLong = chat.send(room.id, 'x'.repeat(5000));
    await expect(tooLong).rejects.toMatchObject({ code: 'validation_failed' });
    await until(timeline, (items) =>
      items.some(
        (i) =>
          i.type === 'outgoing' &&
          i.outgoing.clientMsgId === tooLong.clientMsgId &&
          i.outgoing.status === 'failed',
      ),
    );
    expect(chat.discardSend(tooLong.clientMsgId)).toBe(true);
    await until(timeline, (items) => !items.some((i) => i.type === 'outgoing'));
    expect(messages(timeline.items).map((m) => m.text)).toEqual(['on its way']);
  });

  it('starts from the latest page, follows the room live, and pages back to its first message', async () => {
    const owner = await signUp();
    const { room, sent } = await busyRoom(owner, 120);
    const reader = await signUp();
    await reader.rooms.join(room.id);
    const chat = await connect(reader);

    const timeline = createTimeline(chat, room.id);
    cleanup.push(() => timeline.close());
    let changes = 0;
    timeline.on('change', () => (changes += 1));
    expect(timeline.hasOlder).toBe(false);
    await timeline.ready;
    expect(chat.joinedRooms).toContain(room.id);
    expect(seqs(timeline.items)).toEqual(range(71, 120));
    expect(messages(timeline.items).map((m) => m.text)).toEqual(range(71, 120).map((i) => `m-${i}`));
    expect(timeline.items.every((item) => item.type === 'message')).toBe(true);
    expect(timeline.hasOlder).toBe(true);
    expect(changes).toBeGreaterThan(0);

    // Live: someone else's message, then my own send, each once.
    await owner.messages.send(room.id, 'live from the owner');
    const mine = await chat.send(room.id, 'my own');
    await until(timeline, (items) => seqs(items).at(-1) === 122);
    expect(seqs(timeline.items)).toEqual(range(71, 122));
    expect(messages(timeline.items).at(-1)).toMatchObject({ id: mine.id, text: 'my own' });

    // Edits and deletions, to a shown message and to ones not loaded yet.
    await owner.messages.edit(room.id, sent[99]!.id, 'm-100, edited');
    await owner.messages.edit(room.id, sent[9]!.id, 'm-10, edited before it was loaded');
    await owner.messages.delete(room.id, sent[109]!.id);
    await until(timeline, (items) => messages(items)[39]!.deletedAt !== null);
    const shown = messages(timeline.items);
    expect(shown[29]).toMatchObject({ seq: '100', text: 'm-100, edited', editedAt: expect.any(String) });
    expect(shown[39]).toMatchObject({ seq: '110', text: '', deletedAt: expect.any(String), reactions: [] });

    // Reactions: mine and others', added and removed, with `me` for mine.
    await chat.request('reaction:add', { roomId: room.id, messageId: sent[119]!.id, emoji: '👍' });
    await owner.messages.react(room.id, sent[119]!.id, '👍');
    await owner.messages.react(room.id, sent[119]!.id, '🎉');
    await until(timeline, (items) => messages(items)[49]!.reactions.length === 2);
    expect(messages(timeline.items)[49]!.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    await chat.request('reaction:remove', { roomId: room.id, messageId: sent[119]!.id, emoji: '👍' });
    await owner.messages.unreact(room.id, sent[119]!.id, '🎉');
    await until(timeline, (items) => messages(items)[49]!.reactions.length === 1);
    expect(messages(timeline.items)[49]!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);

    // Back to the first message: two more pages of 50 (21–70, then 1–20).
    const loading = timeline.loadOlder();
    expect(timeline.loadingOlder).toBe(true);
    expect(timeline.loadOlder()).toBe(loading);
    expect(await loading).toBe(true);
    expect(seqs(timeline.items)).toEqual(range(21, 122));
    expect(await timeline.loadOlder()).toBe(false);
    expect(timeline.hasOlder).toBe(false);
    expect(await timeline.loadOlder()).toBe(false);
    expect(seqs(timeline.items)).toEqual(range(1, 122));
    expect(messages(timeline.items)[9]!.text).toBe('m-10, edited before it was loaded');
    // Nothing shown twice, and every row has its own key.
    expect(new Set(timeline.items.map((item) => item.key)).size).toBe(122);

    // Closed: no more changes.
    timeline.close();
    const before = timeline.items;
    await owner.messages.send(room.id, 'after close');
    const other = createTimeline(chat, room.id);
    cleanup.push(() => other.close());
    await other.ready;
    expect(seqs(other.items).at(-1)).toBe(123);
    expect(timeline.items).toBe(before);
  });

  it('starts from the latest page in a room joined before, and refuses a room I am not in', async () => {
    const owner = await signUp();
    const { room } = await busyRoom(owner, 8);
    const chat = await connect(owner);
    const delivered: string[] = [];
    chat.on('message:new', (m) => delivered.push(m.seq));
    await chat.joinRoom(room.id);
    expect(delivered).toHaveLength(8);

    const timeline = createTimeline(chat, room.id, { pageSize: 5 });
    cleanup.push(() => timeline.close());
    await timeline.ready;
    expect(seqs(timeline.items)).toEqual(range(4, 8));
    expect(await timeline.loadOlder()).toBe(false);
    expect(seqs(timeline.items)).toEqual(range(1, 8));
    expect(delivered).toHaveLength(8);

    const empty = await owner.rooms.create({ title: uniqueName('Empty'), visibility: 'public' });
    const quiet = createTimeline(chat, empty.id);
    cleanup.push(() => quiet.close());
    await quiet.ready;
    expect(quiet.items).toEqual([]);
    expect(quiet.hasOlder).toBe(false);
    await owner.messages.send(empty.id, 'first words');
    await until(quiet, (items) => items.length === 1);

    const stranger = await connect(await signUp());
    const refused = createTimeline(stranger, room.id);
    const errors: string[] = [];
    refused.on('error', (e) => errors.push(e.code));
    expect((await failure(refused.ready)).code).toBe('forbidden');
    expect(refused.isClosed).toBe(true);
    expect(errors).toEqual(['forbidden']);
    expect(() => createTimeline(chat, room.id, { pageSize: 101 })).toThrow(RangeError);
  });

  it('shows after a reconnect what was edited, deleted and reacted to while the connection was down', async () => {
    const owner = await signUp();
    const { room, sent } = await busyRoom(owner, 6);
    const proxy = await cuttableProxy(t.port);
    cleanup.push(() => proxy.close());
    const reader = await signUp(proxy.url);
    await reader.rooms.join(room.id);
    const chat = await connect(reader);
    const seenLive: string[] = [];
    chat.on('message:updated', (e) => seenLive.push(`updated ${e.seq}`));
    chat.on('message:deleted', (e) => seenLive.push(`deleted ${e.seq}`));
    chat.on('reaction:updated', (e) => seenLive.push(`reaction ${e.emoji}`));
    const timeline = createTimeline(chat, room.id);
    cleanup.push(() => timeline.close());
    await timeline.ready;
    expect(seqs(timeline.items)).toEqual(range(1, 6));

    const down = new Promise<void>((resolve) => chat.once('status', () => resolve()));
    proxy.cut();
    await down;
    expect(chat.status).toBe('reconnecting');
    await owner.messages.edit(room.id, sent[1]!.id, 'm-2, edited offline');
    await owner.messages.delete(room.id, sent[3]!.id);
    await owner.messages.react(room.id, sent[4]!.id, '🎉');
    await owner.messages.send(room.id, 'm-7, sent offline');
    proxy.restore();

    await until(timeline, (items) => {
      const m = messages(items);
      return m.length === 7 && m[1]!.text !== 'm-2' && m[3]!.deletedAt !== null && m[4]!.reactions.length > 0;
    });
    const shown = messages(timeline.items);
    expect(shown.map((m) => m.text)).toEqual([
      'm-1',
      'm-2, edited offline',
      'm-3',
      '',
      'm-5',
      'm-6',
      'm-7, sent offline',
    ]);
    expect(shown[4]!.reactions).toEqual([{ emoji: '🎉', count: 1, me: false }]);
    // None of those changes reached the connection as events: the timeline fetched them again.
    expect(seenLive).toEqual([]);
  });
});
