/**
 * Graceful overload: a node runs at most SEND_QUEUE_MAX sends at once (socket and REST together); a send
 * whose turn comes while the bound is full is refused `unavailable` with `retryAfter` — while the admitted
 * ones are still in progress — and never stored, while every admitted one is stored and answered. So are
 * new sends while the oldest in progress has waited over SEND_QUEUE_MAX_WAIT (the node is behind). A
 * connection's sends run one at a time, so however many it queued it holds one place.
 */
import type { Room } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, eventually } from './helpers/cluster.js';
import { joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import type { TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const QUEUE_MAX = 5;
/** More connections than the bound has places, each sending PER_SOCKET at once. */
const SOCKETS = QUEUE_MAX + 3;
const PER_SOCKET = 2;

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

  it('refuses socket sends over the bound when their turn comes, stores none of them, and stores and answers every admitted one', async () => {
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
    // The first send of QUEUE_MAX sockets takes the places and waits at the service; the other sockets'
    // sends find the bound full when their turn comes, one after the other, and are refused; the admitted
    // sockets' next sends wait their turn behind their first, holding no place.
    const over = (SOCKETS - QUEUE_MAX) * PER_SOCKET;
    try {
      await eventually(() => acks.size >= over, 10_000);
      expect(acks.size).toBe(over);
      for (const r of acks.values()) expect(r).toEqual(refusal);
      const refusedSockets = new Set([...acks.keys()].map((id) => id.split('-')[0]));
      expect(refusedSockets.size).toBe(SOCKETS - QUEUE_MAX);
      expect(hold.entered()).toBe(QUEUE_MAX);
      expect(await metric(t, 'synctalk_sends_in_progress')).toBe(QUEUE_MAX);
      expect(await metric(t, 'synctalk_sends_refused_total', '{reason="full"}')).toBe(refusedBefore + over);
    } finally {
      hold.release();
    }
    await Promise.all(done);

    const refused = [...acks].filter(([, r]) => r.error).map(([id]) => id);
    const admitted = [...acks].filter(([, r]) => !r.error).map(([id]) => id);
    expect(admitted).toHaveLength(QUEUE_MAX * PER_SOCKET);
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

  it('lets one connection hold one place however many sends it queued, so others are still served', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const [bob] = await members(t, room, 1);
    const busy = await connectChat(t.url, { token: owner.token });
    const bobSocket = await connectChat(t.url, { token: bob!.token });

    const hold = holdSends(t);
    const queued = Array.from({ length: 4 * QUEUE_MAX }, (_, i) =>
      ack(busy, 'message:send', { roomId: room.id, clientMsgId: `q${i}`, text: `queued ${i}` }),
    );
    try {
      await eventually(() => hold.entered() === 1, 10_000);
      expect(await metric(t, 'synctalk_sends_in_progress')).toBe(1);
      // Another user's send is admitted: it reaches the service too.
      const bobs = ack(bobSocket, 'message:send', { roomId: room.id, clientMsgId: 'bob', text: 'bob' });
      await eventually(() => hold.entered() === 2, 10_000);
      expect(await metric(t, 'synctalk_sends_in_progress')).toBe(2);
      hold.release();
      expect((await bobs).message.clientMsgId).toBe('bob');
    } finally {
      hold.release();
    }
    for (const [i, r] of (await Promise.all(queued)).entries()) expect(r.message.clientMsgId).toBe(`q${i}`);
  });

  it('counts REST sends in the same bound, and refuses REST with 503, Retry-After and the error body', async () => {
    const owner = await newUser(t);
    const room = await newRoom(t, owner);
    const users = await members(t, room, 4);
    const sockets = await Promise.all([owner, users[3]!].map((u) => connectChat(t.url, { token: u.token })));

    const hold = holdSends(t);
    // Three REST sends and two socket sends (one per connection) fill the bound.
    const held: Promise<Ack>[] = [
      ...users.slice(0, 3).map((u, i) =>
        http.post(`/v1/rooms/${room.id}/messages`, {
          headers: u.headers,
          body: { clientMsgId: `rest-${i}`, text: `rest ${i}` },
        }),
      ),
      ...sockets.map((socket, i) =>
        ack(socket, 'message:send', { roomId: room.id, clientMsgId: `sock-${i}`, text: `sock ${i}` }),
      ),
    ];
    try {
      // All five reached the service and hold a place.
      await eventually(
        async () => hold.entered() === 5 && (await metric(t, 'synctalk_sends_in_progress')) === QUEUE_MAX,
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
      const fresh = await connectChat(t.url, { token: users[1]!.token });
      expect(
        await ack(fresh, 'message:send', { roomId: room.id, clientMsgId: 'sock-refused', text: 'x' }),
      ).toEqual(refusal);
      expect(hold.entered()).toBe(5);
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
