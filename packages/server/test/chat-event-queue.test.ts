import pg from 'pg';
import { expect, it } from 'vitest';
import { connectChat, eventually } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const QUEUE_MAX = 8;
const SENT = 30;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

describeWith(
  ['postgres', 'redisCluster'],
  'chat: a connection has a bounded queue of events in progress',
  () => {
    const { cluster: c, nodes } = useServer({
      label: 'chat_event_queue',
      nodes: 1,
      env: {
        SOCKET_QUEUE_MAX: String(QUEUE_MAX),
        SOCKET_EVENT_BURST: '1000',
        SOCKET_FLOOD_DISCONNECT: '1000000',
      },
    });
    const [a] = nodes;

    it(`holds at most ${QUEUE_MAX} slow events and refuses the others at once`, async () => {
      const alice = await newUser(a);
      const room = await newRoom(a, alice);
      const socket = await connectChat(a.url, { token: alice.token });

      // Make every event slow for real: the rooms table is locked, so each one's first query waits.
      const locker = new pg.Client({ connectionString: c.database.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE');

        const acks = new Map<number, Ack>();
        const raw = socket as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
        const done = Array.from(
          { length: SENT },
          (_, i) =>
            new Promise<void>((resolve) => {
              const [event, payload] =
                i % 3 === 2
                  ? ['message:send', { roomId: room.id, clientMsgId: `q${i}`, text: `queued ${i}` }]
                  : ['room:join', { roomId: room.id }];
              raw.emit(event, payload, (r: Ack) => {
                acks.set(i, r);
                resolve();
              });
            }),
        );

        // The events over the bound are answered while the first ones still wait for the lock.
        await eventually(() => acks.size >= SENT - QUEUE_MAX, 15_000);
        expect([...acks.keys()].sort((x, y) => x - y)).toEqual(
          Array.from({ length: SENT - QUEUE_MAX }, (_, k) => QUEUE_MAX + k),
        );
        for (const r of acks.values()) {
          expect(r).toEqual({
            error: {
              code: 'rate_limited',
              message: expect.stringMatching(/in progress/),
              details: { retryAfter: 1 },
            },
          });
        }

        await locker.query('COMMIT');
        await Promise.all(done);
        for (let i = 0; i < QUEUE_MAX; i += 1) {
          const r = acks.get(i);
          expect(r.error, `event ${i}`).toBeUndefined();
          expect(i % 3 === 2 ? r.message.clientMsgId : r.room.id).toBe(i % 3 === 2 ? `q${i}` : room.id);
        }
      } finally {
        await locker.query('ROLLBACK').catch(() => undefined);
        await locker.end();
      }

      // The places are given back: the connection is served as before.
      const raw = socket as unknown as { emitWithAck(e: string, p: unknown): Promise<Ack> };
      const after = await raw.emitWithAck('message:send', {
        roomId: room.id,
        clientMsgId: 'after',
        text: 'after',
      });
      expect(after.message.text).toBe('after');
    });
  },
);
