/**
 * Killing a server node mid-conversation. Two nodes run as child processes (a real SIGKILL: no clean-up,
 * connections cut by the kernel) on one database and the Redis Cluster. Client X (the SDK) is connected to
 * node A and knows both URLs — what a load balancer would give it; a member Y on node B keeps sending a
 * numbered stream. When A dies, X's SDK reconnects to B, rejoins with the last seq it delivered and must
 * end up with every message exactly once, in order, identical to the history over REST. Its own send made
 * as A died is stored once. Presence and unread counts are right just after the kill.
 */
import type { Message, PresenceState } from '@synctalk/sdk';
import {
  createClient,
  type Connection,
  type ConnectionStatus,
  type DeliverySource,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  startCluster,
  type ClusterNode,
  type TestCluster,
} from './helpers/cluster.js';
import { uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';

const PRESENCE_TTL_MS = 2000;
/** Messages Y sends in all; A is killed after `KILL_AFTER` of them. */
const TOTAL = 60;
const KILL_AFTER = 15;

describeWith(['postgres', 'redisCluster'], 'chat: killing a server node mid-conversation', () => {
  let c: TestCluster;
  let a: ClusterNode;
  let b: ClusterNode;
  const connections: Connection[] = [];

  beforeAll(async () => {
    // No in-process node: both nodes are the built server in child processes (npm run build).
    c = await startCluster({
      label: 'chat_node_failover',
      nodes: 0,
      env: { PRESENCE_TTL: `${PRESENCE_TTL_MS}ms`, MESSAGE_RATE_LIMIT: '1000' },
    });
    a = await c.startNode({ process: true });
    b = await c.startNode({ process: true });
  }, 90_000);
  afterEach(() => closeChatClients());
  afterAll(async () => {
    for (const connection of connections) connection.close();
    closeChatClients();
    await c?.close();
  });

  async function signUp(baseUrl: string | string[]): Promise<SyncTalkClient> {
    const client = createClient({ baseUrl });
    await client.auth.signup({ username: uniqueName('fo'), password: 'correct horse battery' });
    return client;
  }

  async function connect(client: SyncTalkClient): Promise<Connection> {
    const connection = await client.connect({ reconnect: { initialMs: 200, maxMs: 1000 } });
    connections.push(connection);
    return connection;
  }

  it('delivers every message X missed exactly once and in order after its node dies; presence and unread follow', async () => {
    // X knows both nodes and starts on A (the first); Y and Z use B; Z's live connection is on A.
    const x = await signUp([a.url, b.url]);
    const y = await signUp(b.url);
    const z = await signUp([a.url, b.url]);
    expect(x.baseUrl).toBe(a.url);
    const xId = (await x.me.get()).id;
    const yId = (await y.me.get()).id;
    const zId = (await z.me.get()).id;

    const room = await y.rooms.create({ title: uniqueName('failover'), visibility: 'public' });
    await x.rooms.join(room.id);
    await z.rooms.join(room.id);

    const xChat = await connect(x);
    const yChat = await connect(y);
    const delivered: { message: Message; source: DeliverySource; at: number }[] = [];
    xChat.on('message:new', (message, { source }) => delivered.push({ message, source, at: Date.now() }));
    const statuses: ConnectionStatus[] = [];
    xChat.on('status', (status) => statuses.push(status));
    const presence: { state: PresenceState; at: number }[] = [];
    yChat.on('presence', (state) => presence.push({ state, at: Date.now() }));

    // Z: a plain socket on A without any reconnect: it dies with A for good.
    const zOnA = await connectChat(a.url, { token: (await z.auth.tokens())!.accessToken });
    expect((await ack(zOnA, 'room:join', { roomId: room.id })).error).toBeUndefined();
    await yChat.joinRoom(room.id);
    await xChat.joinRoom(room.id);
    await eventually(() => presence.at(-1)?.state.count === 3);
    expect(sorted(presence.at(-1)!.state.online)).toEqual(sorted([xId, yId, zId]));

    // Y sends a numbered stream; the kill happens in the middle of it.
    let killedAt = 0;
    let xSend: Promise<Message> | undefined;
    for (let i = 1; i <= TOTAL; i += 1) {
      await yChat.send(room.id, `y-${i}`);
      if (i === KILL_AFTER) {
        await eventually(() => delivered.length === KILL_AFTER, 10_000);
        killedAt = Date.now();
        await c.stopNode(a, { kill: true });
        // X sends while its node is gone: queued, then sent to B with the same clientMsgId.
        xSend = xChat.send(room.id, 'x-during-failover');
      }
      await pause(20);
    }
    const xMessage = await xSend!;
    const total = TOTAL + 1;

    // X delivered everything, once, in order, and it is exactly the history (read from B over REST).
    await eventually(() => delivered.length >= total, 20_000);
    await pause(300); // anything late (a duplicate) would show up now
    const seqs = delivered.map((d) => Number(d.message.seq));
    expect(seqs).toEqual(range(1, total));
    const history = await y.messages.history(room.id, { after: '0', limit: 100 });
    expect(history.hasMore).toBe(false);
    expect(delivered.map((d) => d.message.id)).toEqual(history.messages.map((m) => m.id));
    expect(delivered.map((d) => d.message.seq)).toEqual(history.messages.map((m) => m.seq));
    // Y's texts in the order it sent them, and X's one message stored once.
    const texts = delivered.map((d) => d.message.text);
    expect(texts.filter((t) => t.startsWith('y-'))).toEqual(range(1, TOTAL).map((i) => `y-${i}`));
    expect(texts.filter((t) => t === 'x-during-failover')).toHaveLength(1);
    expect(delivered.find((d) => d.message.text === 'x-during-failover')!.message.id).toBe(xMessage.id);

    // It really went through a reconnect to B, and the missed messages came from the rejoin catch-up.
    expect(statuses).toEqual(['reconnecting', 'connected']);
    expect(x.baseUrl).toBe(b.url);
    const afterKill = delivered.filter((d) => d.at >= killedAt);
    expect(afterKill.some((d) => d.source === 'join' || d.source === 'history')).toBe(true);

    // Presence: Z's connection died with A and stops counting within the TTL (plus one heartbeat of B);
    // X is online again through B.
    await eventually(
      () => presence.some((p) => p.at >= killedAt && !p.state.online.includes(zId)),
      4 * PRESENCE_TTL_MS,
    );
    const dropped = presence.find((p) => p.at >= killedAt && !p.state.online.includes(zId))!;
    expect(dropped.at - killedAt).toBeLessThanOrEqual(PRESENCE_TTL_MS + PRESENCE_TTL_MS / 3 + 1000);
    expect(sorted(dropped.state.online)).toEqual(sorted([xId, yId]));
    expect(dropped.state.count).toBe(2);
    const rejoined = await xChat.joinRoom(room.id);
    expect(sorted(rejoined.presence.online)).toEqual(sorted([xId, yId]));

    // Unread (GET /v1/me/rooms; Z's REST client fails over to B as well): Z read nothing; X's marker is at
    // its own message until it marks the rest read; Y's at its last message.
    const unread = async (client: SyncTalkClient) =>
      (await client.rooms.myRooms()).items.find((r) => r.id === room.id)!;
    const lastSeq = String(total);
    expect(await unread(z)).toMatchObject({ lastSeq, lastReadSeq: '0', unreadCount: total });
    expect(z.baseUrl).toBe(b.url);
    expect(await unread(x)).toMatchObject({
      lastSeq,
      lastReadSeq: xMessage.seq,
      unreadCount: total - Number(xMessage.seq),
    });
    const lastOfY = history.messages.filter((m) => m.author.id === yId).at(-1)!;
    expect(await unread(y)).toMatchObject({
      lastReadSeq: lastOfY.seq,
      unreadCount: total - Number(lastOfY.seq),
    });
    expect(await xChat.markRead(room.id, lastSeq)).toEqual({
      roomId: room.id,
      lastReadSeq: lastSeq,
      unreadCount: 0,
    });
    expect(await unread(x)).toMatchObject({ lastReadSeq: lastSeq, unreadCount: 0 });
  }, 90_000);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function sorted(ids: string[]): string[] {
  return [...ids].sort((p, q) => Number(p) - Number(q));
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
