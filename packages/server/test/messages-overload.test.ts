/**
 * Graceful overload: a node takes at most SEND_QUEUE_MAX sends at once (socket and REST together); the
 * others are refused `unavailable` with `retryAfter` at once — while the admitted ones are still in
 * progress — and never stored, while every admitted one is stored and answered. So are new sends while the
 * oldest in progress has waited over SEND_QUEUE_MAX_WAIT (the node is behind).
 */
import type { Room } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, eventually } from './helpers/cluster.js';
import { joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import type { TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const QUEUE_MAX = 5;
const SOCKETS = 3;
const PER_SOCKET = 4;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

const refusal = {
  error: {
    code: 'unavailable',
    message: 'The server has too many sends in progress; retry in 1 s',
    details: { retryAfter: 1 },
  },
};

/** Holds every send at the service until `release()`: the sends in progress stay in progress. */
function holdSends(t: TestServer) {
  const messages = t.server.chat.messages;
  const original = messages.send;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let entered = 0;
  messages.send = async (...args) => {
    entered += 1;
    await released;
    return original(...args);
  };
  return {
    entered: () => entered,
    release: () => {
      messages.send = original;
      release();
    },
  };
}

async function members(t: TestServer, room: Room, count: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let i = 0; i < count; i += 1) {
    const user = await newUser(t);
    await joinRoom(t, user, room);
    users.push(user);
  }
  return users;
}

const storedIds = async (t: TestServer, room: { id: string }): Promise<string[]> =>
  (await t.server.db('messages').where({ room_id: room.id }).orderBy('seq')).map(
    (row: { client_msg_id: string }) => row.client_msg_id,
  );

const metric = async (t: TestServer, name: string, labels = ''): Promise<number> => {
  const text = await t.server.metrics!.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1]);
};

describeWith(['postgres', 'redisCluster'], 'messages: a bounded number of sends in progress per node', () => {
  const { t, http } = useServer({
    label: 'messages_overload',
    // The wait bound is left out of the way: these tests hold sends on purpose.
    env: { SEND_QUEUE_MAX: String(QUEUE_MAX), SEND_QUEUE_MAX_WAIT: '1h', METRICS_ENABLED: 'true' },
  });

  afterEach(() => closeChatClients());

  it('refuses socket sends over the bound at once, stores none of them, and stores and answers every admitted one', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const users = await members(t, room, SOCKETS);
    const sockets = await Promise.all(users.map((u) => connectChat(t.url, { token: u.token })));
    const refusedBefore = await metric(t, 'synctalk_sends_refused_total', '{reason="full"}');

    const hold = holdSends(t);
    const acks = new Map<string, Ack>();
    // Interleaved over the sockets, as many clients sending at once would.
    const done = Array.from({ length: SOCKETS * PER_SOCKET }, (_, i) => {
      const id = `s${i % SOCKETS}-${Math.floor(i / SOCKETS)}`;
      return ack(sockets[i % SOCKETS]!, 'message:send', {
        roomId: room.id,
        clientMsgId: id,
        text: `text ${id}`,
      }).then((r: Ack) => void acks.set(id, r));
    });
    try {
      // Every send over the bound is answered while the admitted ones are all still held.
      await eventually(() => acks.size >= SOCKETS * PER_SOCKET - QUEUE_MAX, 10_000);
      expect(acks.size).toBe(SOCKETS * PER_SOCKET - QUEUE_MAX);
      for (const r of acks.values()) expect(r).toEqual(refusal);
      // At most the first send of each socket reached the service; its next admitted ones wait their turn.
      expect(hold.entered()).toBeGreaterThan(0);
      expect(hold.entered()).toBeLessThanOrEqual(SOCKETS);
      expect(await metric(t, 'synctalk_sends_in_progress')).toBe(QUEUE_MAX);
      expect(await metric(t, 'synctalk_sends_refused_total', '{reason="full"}')).toBe(
        refusedBefore + SOCKETS * PER_SOCKET - QUEUE_MAX,
      );
    } finally {
      hold.release();
    }
    await Promise.all(done);

    const refused = [...acks].filter(([, r]) => r.error).map(([id]) => id);
    const admitted = [...acks].filter(([, r]) => !r.error).map(([id]) => id);
    expect(admitted).toHaveLength(QUEUE_MAX);
    for (const id of admitted)
      expect(acks.get(id).message).toMatchObject({ clientMsgId: id, text: `text ${id}` });
    const stored = await storedIds(t, room);
    expect([...stored].sort()).toEqual([...admitted].sort());
    expect(stored.filter((id) => refused.includes(id))).toEqual([]);

    // The places are given back: sends are taken again.
    expect(await metric(t, 'synctalk_sends_in_progress')).toBe(0);
    const after = await ack(sockets[0]!, 'message:send', {
      roomId: room.id,
      clientMsgId: 'after',
      text: 'after',
    });
    expect(after.message.clientMsgId).toBe('after');
  });

  it('counts REST sends in the same bound, and refuses REST with 503, Retry-After and the error body', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const users = await members(t, room, 3);
    const socket = await connectChat(t.url, { token: owner.token });

    const hold = holdSends(t);
    // Three REST sends and two socket sends fill the bound.
    const held: Promise<Ack>[] = [
      ...users.map((u, i) =>
        http.post(`/v1/rooms/${room.id}/messages`, {
          headers: u.headers,
          body: { clientMsgId: `rest-${i}`, text: `rest ${i}` },
        }),
      ),
      ack(socket, 'message:send', { roomId: room.id, clientMsgId: 'sock-0', text: 'sock 0' }),
      ack(socket, 'message:send', { roomId: room.id, clientMsgId: 'sock-1', text: 'sock 1' }),
    ];
    try {
      // All five hold a place: the three REST sends and the socket's first reached the service, its second
      // waits behind the first.
      await eventually(
        async () => hold.entered() === 4 && (await metric(t, 'synctalk_sends_in_progress')) === QUEUE_MAX,
        10_000,
      );

      const refused = await http.post(`/v1/rooms/${room.id}/messages`, {
        headers: users[0]!.headers,
        body: { clientMsgId: 'rest-refused', text: 'refused' },
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(refused.body).toEqual(refusal);
      expect(
        await ack(socket, 'message:send', { roomId: room.id, clientMsgId: 'sock-refused', text: 'x' }),
      ).toEqual(refusal);
      expect(hold.entered()).toBe(4);
    } finally {
      hold.release();
    }

    const answers = await Promise.all(held);
    for (const r of answers.slice(0, 3)) expect(r.status).toBe(201);
    for (const r of answers.slice(3)) expect(r.message).toBeDefined();
    expect((await storedIds(t, room)).sort()).toEqual(['rest-0', 'rest-1', 'rest-2', 'sock-0', 'sock-1']);

    // The refused REST send, sent again once there is room, is stored.
    const again = await http.post(`/v1/rooms/${room.id}/messages`, {
      headers: users[0]!.headers,
      body: { clientMsgId: 'rest-refused', text: 'refused' },
    });
    expect(again.status).toBe(201);
  });
});

describeWith(['postgres', 'redisCluster'], 'messages: no new sends while the node is behind', () => {
  const { t } = useServer({
    label: 'messages_overload_behind',
    // Room for many, but one send waiting 300 ms already means the node is behind (an eighth of 8 is 1).
    env: { SEND_QUEUE_MAX: '8', SEND_QUEUE_MAX_WAIT: '300ms', METRICS_ENABLED: 'true' },
  });

  afterEach(() => closeChatClients());

  it('refuses new sends at once while the oldest in progress has waited too long, and takes them again after', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const [bob] = await members(t, room, 1);
    const ownerSocket = await connectChat(t.url, { token: owner.token });
    const bobSocket = await connectChat(t.url, { token: bob!.token });
    const behindBefore = await metric(t, 'synctalk_sends_refused_total', '{reason="behind"}');

    const hold = holdSends(t);
    const slow = ack(ownerSocket, 'message:send', { roomId: room.id, clientMsgId: 'slow', text: 'slow' });
    let late: Ack;
    try {
      await eventually(() => hold.entered() === 1, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 400));
      late = await ack(bobSocket, 'message:send', { roomId: room.id, clientMsgId: 'late', text: 'late' });
      expect(hold.entered()).toBe(1);
    } finally {
      hold.release();
    }
    expect(late).toEqual({
      error: {
        code: 'unavailable',
        message: 'The server is behind on sends; retry in 1 s',
        details: { retryAfter: 1 },
      },
    });
    expect(await metric(t, 'synctalk_sends_refused_total', '{reason="behind"}')).toBe(behindBefore + 1);
    expect((await slow).message.clientMsgId).toBe('slow');

    // Caught up: the refused send, sent again, is stored once.
    const again = await ack(bobSocket, 'message:send', {
      roomId: room.id,
      clientMsgId: 'late',
      text: 'late',
    });
    expect(again.message.clientMsgId).toBe('late');
    expect(await storedIds(t, room)).toEqual(['slow', 'late']);
  });
});
