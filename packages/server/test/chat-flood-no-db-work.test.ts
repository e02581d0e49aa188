import { beforeAll, expect, it } from 'vitest';
import { connectChat, type ChatClient } from './helpers/cluster.js';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { countQueries } from './helpers/query-count.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const BURST = 20;
const FLOOD = 2000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

/** Emits `count` events at once (no awaiting in between) and resolves with every acknowledgement. */
function burst(socket: ChatClient, count: number, event: string, payload: (i: number) => unknown) {
  const raw = socket as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) => new Promise<Ack>((resolve) => raw.emit(event, payload(i), resolve)),
    ),
  );
}

const one = async (socket: ChatClient, event: string, payload: unknown) =>
  (await burst(socket, 1, event, () => payload))[0];

describeWith(
  ['postgres', 'redisCluster'],
  'chat: events over the connection budget do no database work',
  () => {
    const [a] = useServer({
      label: 'chat_flood_no_db_work',
      nodes: 1,
      env: {
        // A small budget that refills slowly; never disconnect, so every refusal is answered.
        SOCKET_EVENT_RATE: '1',
        SOCKET_EVENT_BURST: String(BURST),
        SOCKET_QUEUE_MAX: '10000',
        SOCKET_FLOOD_DISCONNECT: '1000000',
        MESSAGE_RATE_LIMIT: '100000',
      },
    }).nodes;
    let alice: TestUser;
    let roomId: string;

    beforeAll(async () => {
      alice = await newUser(a);
      roomId = (await newRoom(a, alice)).id;
    });

    const expectRefusals = (acks: Ack[]) => {
      for (const r of acks) {
        expect(r).toEqual({
          error: {
            code: 'rate_limited',
            message: expect.stringMatching(/Too many events/),
            details: { retryAfter: expect.any(Number) },
          },
        });
        expect(r.error.details.retryAfter).toBeGreaterThanOrEqual(1);
      }
    };

    it(`answers ${FLOOD} message:send beyond the budget with rate_limited before any query`, async () => {
      const queries = countQueries(a.server.db, [roomId]);
      try {
        // What one send costs, on a connection of its own.
        const probe = await connectChat(a.url, { token: alice.token });
        expect(
          (await one(probe, 'message:send', { roomId, clientMsgId: 'p1', text: 'probe' })).message,
        ).toBeDefined();
        queries.reset();
        expect(
          (await one(probe, 'message:send', { roomId, clientMsgId: 'p2', text: 'probe' })).message,
        ).toBeDefined();
        const perSend = queries.count;
        expect(perSend).toBeGreaterThan(0);

        const flooder = await connectChat(a.url, { token: alice.token });
        queries.reset();
        const acks = await burst(flooder, FLOOD, 'message:send', (i) => ({
          roomId,
          clientMsgId: `f${i}`,
          text: `flood ${i}`,
        }));
        const stored = acks.filter((r) => r.message);
        const refused = acks.filter((r) => !r.message);
        // The burst, plus what refilled (1 a second) while the flood was handled: a few.
        expect(stored.length).toBeGreaterThanOrEqual(BURST);
        expect(stored.length).toBeLessThan(FLOOD / 10);
        expect(refused).toHaveLength(FLOOD - stored.length);
        expectRefusals(refused);
        expect(queries.count).toBe(stored.length * perSend);
        const rows = await a.server
          .db('messages')
          .where({ room_id: roomId })
          .whereLike('client_msg_id', 'f%');
        expect(rows).toHaveLength(stored.length);
      } finally {
        queries.stop();
      }
    });

    it(`answers ${FLOOD} room:join beyond the budget with rate_limited before any query`, async () => {
      const queries = countQueries(a.server.db, [roomId]);
      try {
        const probe = await connectChat(a.url, { token: alice.token });
        expect((await one(probe, 'room:join', { roomId })).room).toBeDefined();
        queries.reset();
        expect((await one(probe, 'room:join', { roomId })).room).toBeDefined();
        const perJoin = queries.count;
        expect(perJoin).toBeGreaterThan(0);

        const flooder = await connectChat(a.url, { token: alice.token });
        queries.reset();
        const acks = await burst(flooder, FLOOD, 'room:join', () => ({ roomId }));
        const joined = acks.filter((r) => r.room);
        const refused = acks.filter((r) => !r.room);
        expect(joined.length).toBeGreaterThanOrEqual(BURST);
        expect(joined.length).toBeLessThan(FLOOD / 10);
        expect(refused).toHaveLength(FLOOD - joined.length);
        expectRefusals(refused);
        expect(queries.count).toBe(joined.length * perJoin);
      } finally {
        queries.stop();
      }
    });
  },
);
