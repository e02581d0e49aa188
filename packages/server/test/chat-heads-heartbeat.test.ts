/**
 * No silent stalls: a connection missing from the adapter room of a room it joined (here, taken out of it
 * on purpose) receives no broadcasts; the heads heartbeat (`room:heads`, every ROOM_HEADS_INTERVAL, and on
 * request) tells the client the room's latest seq, the SDK fetches what it missed (delivered once, in
 * order, as 'history'), and the server puts the connection back. Rooms left, or whose user was removed, are
 * neither reported nor put back.
 *
 * The cluster suite sets an interval longer than any test and beats by hand (`chat.beatHeads()`, what the
 * timer runs), so that no beat can repair the subscription before the messages it should miss were sent;
 * the last suite lets the timer run.
 */
import {
  createClient,
  type Connection,
  type DeliverySource,
  type Message,
  type RoomHeadsEvent,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSocket } from '../src/chat/types.js';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import { ack, closeChatClients, connectChat, eventually, record } from './helpers/cluster.js';
import { authUserOf, defaultSite, newAdmin, newRoom, newUser, uniqueName } from './helpers/factories.js';
import { failure } from './helpers/sdk.js';
import type { TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** SDK clients and connections of one test, closed after it. */
function sdkUsers() {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
    closeChatClients();
  });
  const signUp = async (node: TestServer): Promise<SyncTalkClient & { userId: string }> => {
    const client = createClient({ baseUrl: node.url });
    const auth = await client.auth.signup({ username: uniqueName('hb'), password: 'correct horse battery' });
    return Object.assign(client, { userId: auth.user.id });
  };
  const connect = async (client: SyncTalkClient) => {
    const chat = await client.connect();
    closers.push(() => chat.close());
    const delivered: { message: Message; source: DeliverySource }[] = [];
    chat.on('message:new', (message, { source }) => delivered.push({ message, source }));
    const heads: RoomHeadsEvent[] = [];
    chat.on('room:heads', (event) => heads.push(event));
    return { chat, delivered, heads, seqs: () => delivered.map((d) => Number(d.message.seq)) };
  };
  return { signUp, connect };
}

/** The one connection of `userId` on `node`, as the server holds it. */
function socketOf(node: TestServer, userId: string): ChatSocket {
  const sockets = [...node.server.chat.nsp.sockets.values()].filter((s) => s.data.user.id === userId);
  expect(sockets).toHaveLength(1);
  return sockets[0]!;
}

/**
 * Takes the connection out of the room's adapter room on its node (`local`: at once, not through the
 * adapter's pub/sub), leaving everything else as it was.
 */
function drop(node: TestServer, socket: ChatSocket, roomId: string): void {
  node.server.chat.nsp.local.in(socket.id).socketsLeave(chatRoomName(roomId));
  expect(socket.rooms.has(chatRoomName(roomId))).toBe(false);
}

const online = (chat: Connection, roomId: string) =>
  new Promise<string[]>((resolve) => {
    const off = chat.on('presence', (state) => {
      if (state.roomId !== roomId) return;
      off();
      resolve(state.online);
    });
  });

describeWith(['postgres', 'redisCluster'], 'chat: no silent stalls, across nodes', () => {
  const [a, b] = useServer({
    label: 'chat_heads',
    nodes: 2,
    env: { ROOM_HEADS_INTERVAL: '1h', MESSAGE_RATE_LIMIT: '10000' },
  }).nodes;
  const { signUp, connect } = sdkUsers();

  /** A room with an owner (connected on A, as a witness of live broadcasts), a reader on A, a sender on B. */
  async function cast() {
    const owner = await signUp(a);
    const room = await owner.rooms.create({ title: 'Heads', visibility: 'public' });
    const reader = await signUp(a);
    const sender = await signUp(b);
    await reader.rooms.join(room.id);
    await sender.rooms.join(room.id);
    const witness = await connect(owner);
    await witness.chat.joinRoom(room.id);
    return { owner, room, reader, sender, witness };
  }

  it('finds a connection dropped from its room, backfills what it missed and puts it back', async () => {
    const { room, reader, sender, witness } = await cast();
    for (let i = 1; i <= 3; i += 1) await sender.messages.send(room.id, `before ${i}`);
    const r = await connect(reader);
    await r.chat.joinRoom(room.id);
    expect(r.seqs()).toEqual([1, 2, 3]);

    const socket = socketOf(a, reader.userId);
    const left = online(witness.chat, room.id);
    drop(a, socket, room.id);
    expect(await left).not.toContain(reader.userId);
    const N = 25;
    for (let i = 1; i <= N; i += 1) await sender.messages.send(room.id, `missed ${i}`);
    // Every broadcast reached this node (the witness, on the same node, got them all live); none reached
    // the dropped connection.
    await eventually(() => witness.delivered.length === 3 + N);
    expect(witness.delivered.slice(3).every((d) => d.source === 'live')).toBe(true);
    expect(r.seqs()).toEqual([1, 2, 3]);

    const back = online(witness.chat, room.id);
    await a.server.chat.beatHeads();
    expect(socket.rooms.has(chatRoomName(room.id))).toBe(true);
    expect(await back).toContain(reader.userId);
    await eventually(() => r.delivered.length === 3 + N);
    expect(r.heads).toEqual([{ rooms: [{ roomId: room.id, lastSeq: String(3 + N) }] }]);
    expect(r.seqs()).toEqual(range(1, 3 + N));
    expect(r.delivered.slice(3).map((d) => d.source)).toEqual(Array(N).fill('history'));
    expect(r.delivered.slice(3).map((d) => d.message.text)).toEqual(range(1, N).map((i) => `missed ${i}`));

    // Put back: live messages flow again, and later beats deliver nothing twice.
    const live = await sender.messages.send(room.id, 'after');
    await eventually(() => r.delivered.length === 4 + N);
    expect(r.delivered.at(-1)).toMatchObject({ message: { id: live.id }, source: 'live' });
    await a.server.chat.beatHeads();
    await eventually(() => r.heads.length === 2);
    await r.chat.catchUp();
    expect(r.seqs()).toEqual(range(1, 4 + N));
  });

  it('answers room:heads on request, and catchUp() backfills a dropped room before it resolves', async () => {
    const { owner, room, reader, sender, witness } = await cast();
    const other = await owner.rooms.create({ title: 'Other', visibility: 'public' });
    const never = await owner.rooms.create({ title: 'Never joined', visibility: 'public' });
    await owner.messages.send(never.id, 'not for the reader');
    await reader.rooms.join(other.id);
    await reader.rooms.join(never.id);
    await owner.messages.send(other.id, 'in other');
    const r = await connect(reader);
    await r.chat.joinRoom(room.id);
    await r.chat.joinRoom(other.id);

    const all = await r.chat.request('room:heads', {});
    expect([...all.rooms].sort((x, y) => Number(x.roomId) - Number(y.roomId))).toEqual([
      { roomId: room.id, lastSeq: '0' },
      { roomId: other.id, lastSeq: '1' },
    ]);
    // Left on this connection (the membership stays), or never joined on it: not reported.
    await r.chat.leaveRoom(other.id);
    expect(
      await r.chat.request('room:heads', { roomIds: [room.id, other.id, never.id, '999999999'] }),
    ).toEqual({
      rooms: [{ roomId: room.id, lastSeq: '0' }],
    });
    expect((await failure(r.chat.request('room:heads', { roomIds: ['not-an-id'] }))).code).toBe(
      'validation_failed',
    );
    const extra = { roomIds: [room.id], all: true } as unknown as { roomIds: string[] };
    expect((await failure(r.chat.request('room:heads', extra))).code).toBe('validation_failed');

    const socket = socketOf(a, reader.userId);
    drop(a, socket, room.id);
    for (let i = 1; i <= 5; i += 1) await sender.messages.send(room.id, `missed ${i}`);
    // A send's answer can come before its broadcast reached this node (it goes through Redis): once the
    // witness, on the same node, has them all, none can reach the reader live after catchUp() put it back.
    await eventually(() => witness.delivered.filter((d) => d.message.roomId === room.id).length === 5);
    await r.chat.catchUp();
    const inRoom = r.delivered.filter((d) => d.message.roomId === room.id);
    expect(inRoom.map((d) => d.message.text)).toEqual(range(1, 5).map((i) => `missed ${i}`));
    expect(inRoom.map((d) => d.message.seq)).toEqual(['1', '2', '3', '4', '5']);
    expect(new Set(inRoom.map((d) => d.source))).toEqual(new Set(['history']));
    expect(socket.rooms.has(chatRoomName(room.id))).toBe(true);
    // Nothing heartbeat-driven happened: the interval is longer than the test.
    expect(r.heads).toEqual([]);
  });

  it('neither reports nor puts back a room its user was removed from, even when the removal was lost', async () => {
    const { owner, room, reader, sender, witness } = await cast();
    const r = await connect(reader);
    await r.chat.joinRoom(room.id);
    // A second connection of the reader's, raw, so the server's side can be checked after the SDK forgot.
    const token = (await reader.auth.tokens())!.accessToken;
    const raw = await connectChat(a.url, { token });
    expect((await ack(raw, 'room:join', { roomId: room.id })).error).toBeUndefined();
    const rawHeads = record(raw, 'room:heads');

    // Kicked: both connections leave the room, and the heads no longer name it.
    const removed = new Promise((resolve) => r.chat.once('member:removed', resolve));
    await owner.rooms.kick(room.id, reader.userId);
    await removed;
    expect(await ack(raw, 'room:heads', {})).toEqual({ rooms: [] });
    await a.server.chat.beatHeads();
    const sockets = [...a.server.chat.nsp.sockets.values()].filter((s) => s.data.user.id === reader.userId);
    expect(sockets).toHaveLength(2);
    for (const s of sockets) expect(s.rooms.has(chatRoomName(room.id))).toBe(false);

    // Removed without the broadcast reaching the connection (the row deleted behind the server's back):
    // one connection still in the adapter room is taken out, one dropped from it is not put back.
    const quiet = await signUp(a);
    await quiet.rooms.join(room.id);
    const quietToken = (await quiet.auth.tokens())!.accessToken;
    const stays = await connectChat(a.url, { token: quietToken });
    const dropped = await connectChat(a.url, { token: quietToken });
    for (const s of [stays, dropped]) {
      expect((await ack(s, 'room:join', { roomId: room.id })).error).toBeUndefined();
    }
    const staysHeads = record(stays, 'room:heads');
    const quietSockets = [...a.server.chat.nsp.sockets.values()].filter(
      (s) => s.data.user.id === quiet.userId,
    );
    const droppedSocket = quietSockets.find((s) => s.id === dropped.id)!;
    const staysSocket = quietSockets.find((s) => s.id === stays.id)!;
    drop(a, droppedSocket, room.id);
    await a.server.db('room_members').where({ room_id: room.id, user_id: quiet.userId }).delete();
    await a.server.chat.beatHeads();
    expect(staysSocket.rooms.has(chatRoomName(room.id))).toBe(false);
    expect(droppedSocket.rooms.has(chatRoomName(room.id))).toBe(false);
    expect(await ack(stays, 'room:heads', { roomIds: [room.id] })).toEqual({ rooms: [] });
    const leaked = record(stays, 'message:new');
    const sent = await sender.messages.send(room.id, 'members only');
    // It reached this node (the witness's connection is here too); not the removed user.
    await eventually(() => witness.delivered.some((d) => d.message.id === sent.id));
    expect(leaked).toEqual([]);
    expect(staysHeads).toEqual([]);
    expect(rawHeads).toEqual([]);
  });
});

// The embedded defaults (PGlite, in-memory adapter): the heads query runs on both databases.
describe('chat: the heads heartbeat runs on its own (embedded defaults)', () => {
  const { t } = useServer({
    services: [],
    env: { ROOM_HEADS_INTERVAL: '200ms', MESSAGE_RATE_LIMIT: '10000' },
  });
  const { signUp, connect } = sdkUsers();

  it('sends each connection its rooms’ heads every interval, and the client catches up from them', async () => {
    const owner = await signUp(t);
    const room = await owner.rooms.create({ title: 'Timer', visibility: 'public' });
    const reader = await signUp(t);
    await reader.rooms.join(room.id);
    const idle = await connect(owner);
    const r = await connect(reader);
    await r.chat.joinRoom(room.id);
    await eventually(() => r.heads.length >= 2);
    expect(r.heads[0]).toEqual({ rooms: [{ roomId: room.id, lastSeq: '0' }] });
    // A connection that joined nothing is told nothing.
    expect(idle.heads).toEqual([]);

    drop(t, socketOf(t, reader.userId), room.id);
    for (let i = 1; i <= 10; i += 1) await owner.messages.send(room.id, `m ${i}`);
    // Whether the timer put the connection back before some were sent (live) or fetched them (history),
    // each arrives once, in order.
    await eventually(() => r.delivered.length === 10);
    expect(r.seqs()).toEqual(range(1, 10));
    await eventually(() => r.heads.some((h) => h.rooms[0]?.lastSeq === '10'));
    expect(r.seqs()).toEqual(range(1, 10));
  });

  it('reports to a site admin the rooms they watch without being a member', async () => {
    const owner = await newUser(t);
    const admin = await newAdmin(t);
    const room = await newRoom(t, owner, { visibility: 'private' });
    const actor = { user: authUserOf(owner), site: await defaultSite(t) };
    await t.server.chat.messages.send(actor, room.id, { clientMsgId: 'admin-1', text: 'hello' });
    const socket = await connectChat(t.url, { token: admin.token });
    const joined = await ack(socket, 'room:join', { roomId: room.id });
    expect(joined.membership).toBeNull();
    expect(await ack(socket, 'room:heads', {})).toEqual({ rooms: [{ roomId: room.id, lastSeq: '1' }] });
  });
});
