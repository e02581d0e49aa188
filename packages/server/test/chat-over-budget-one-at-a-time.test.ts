import type { Knex } from 'knex';
import pg from 'pg';
import { expect, it } from 'vitest';
import { connectChat, eventually } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const BURST = 12;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

/** The most queries of `roomId` in flight at once since the last `reset()` (knex query events). */
function inFlight(db: Knex, roomId: string) {
  const running = new Set<string>();
  let max = 0;
  const mine = (q: { bindings?: unknown[] }) => (q.bindings ?? []).some((b) => String(b) === roomId);
  const start = (q: { __knexQueryUid: string; bindings?: unknown[] }) => {
    if (!mine(q)) return;
    running.add(q.__knexQueryUid);
    max = Math.max(max, running.size);
  };
  const end = (_: unknown, q: { __knexQueryUid: string }) => running.delete(q.__knexQueryUid);
  db.on('query', start).on('query-response', end).on('query-error', end);
  return {
    get max() {
      return max;
    },
    reset() {
      max = running.size;
    },
    stop() {
      db.off('query', start).off('query-response', end).off('query-error', end);
    },
  };
}

describeWith(['postgres'], 'chat: a connection over its budget has its events run one at a time', () => {
  const { cluster: c, nodes } = useServer({
    label: 'chat_over_budget_one_at_a_time',
    nodes: 1,
    redis: 'memory',
    env: {
      SOCKET_EVENT_RATE: '1',
      SOCKET_EVENT_BURST: String(BURST),
      SOCKET_QUEUE_MAX: '1000',
      SOCKET_FLOOD_DISCONNECT: '1000000',
    },
  });
  const [a] = nodes;

  it('runs its accepted events in parallel while within budget, one at a time after a refusal', async () => {
    const alice = await newUser(a);
    const room = await newRoom(a, alice);
    const socket = await connectChat(a.url, { token: alice.token });
    const raw = socket as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
    const queries = inFlight(a.server.db, room.id);
    // Every join waits on the locked rooms table, so the accepted ones pile up in the connection's queue.
    const locker = new pg.Client({ connectionString: c.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE');
      const acks: Ack[] = [];
      const joins = Array.from(
        { length: BURST },
        () =>
          new Promise<void>((resolve) =>
            raw.emit('room:join', { roomId: room.id }, (r: Ack) => {
              acks.push(r);
              resolve();
            }),
          ),
      );
      // Within budget: several run at once (PARALLEL_EVENTS), each waiting on the lock.
      await eventually(() => queries.max > 1, 10_000);
      const before = queries.max;

      // One event over the budget is refused...
      const refused = await new Promise<Ack>((resolve) =>
        raw.emit('room:join', { roomId: room.id }, resolve),
      );
      expect(refused.error.code).toBe('rate_limited');
      // ...and once the events already running are done, the rest go one at a time.
      await locker.query('COMMIT');
      await eventually(() => acks.length >= before, 10_000);
      queries.reset();
      await Promise.all(joins);
      for (const r of acks) expect(r.room?.id, JSON.stringify(r)).toBe(room.id);
      expect(before).toBeGreaterThan(1);
      expect(queries.max).toBe(1);
    } finally {
      queries.stop();
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });
});
