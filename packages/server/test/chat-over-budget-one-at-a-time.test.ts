import type { Knex } from 'knex';
import pg from 'pg';
import { expect, it } from 'vitest';
import { PARALLEL_EVENTS } from '../src/platform/realtime/handlers.js';
import { connectChat, eventually } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const BURST = 12;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

/** When each room's statements started first and answered last (knex query events, by the room id bound). */
function spans(db: Knex, roomIds: string[]) {
  const wanted = new Set(roomIds);
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const owner = new Map<string, string>();
  const roomOf = (q: { bindings?: unknown[] }) => (q.bindings ?? []).map(String).find((b) => wanted.has(b));
  const start = (q: { __knexQueryUid: string; bindings?: unknown[] }) => {
    const room = roomOf(q);
    if (room === undefined) return;
    owner.set(q.__knexQueryUid, room);
    if (!first.has(room)) first.set(room, performance.now());
  };
  const end = (_: unknown, q: { __knexQueryUid: string }) => {
    const room = owner.get(q.__knexQueryUid);
    if (room !== undefined) last.set(room, performance.now());
  };
  db.on('query', start).on('query-response', end).on('query-error', end);
  return {
    of: (room: string) => ({ start: first.get(room)!, end: last.get(room)! }),
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
    // One room per event, so each event's statements are told apart by the room id they bind (ids that
    // are also the user's or the site's would be ambiguous: skipped).
    const taken = new Set([alice.user.id, alice.user.siteId]);
    const rooms: string[] = [];
    while (rooms.length < BURST) {
      const { id } = await newRoom(a, alice);
      if (!taken.has(id)) rooms.push(id);
    }
    const socket = await connectChat(a.url, { token: alice.token });
    const raw = socket as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
    const timing = spans(a.server.db, rooms);
    // Every join waits on the locked rooms table, so the accepted ones pile up in the connection's queue.
    const locker = new pg.Client({ connectionString: c.database.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE');
      const joins = rooms.map(
        (roomId) => new Promise<Ack>((resolve) => raw.emit('room:join', { roomId }, resolve)),
      );
      // Within budget: PARALLEL_EVENTS of them start at once, each waiting on the lock.
      const started = () => rooms.filter((r) => timing.of(r).start !== undefined).length;
      await eventually(() => started() === PARALLEL_EVENTS, 10_000);

      // One event over the budget is refused...
      const refused = await new Promise<Ack>((resolve) =>
        raw.emit('room:join', { roomId: rooms[0] }, resolve),
      );
      expect(refused.error.code).toBe('rate_limited');
      expect(started()).toBe(PARALLEL_EVENTS);
      await locker.query('COMMIT');
      const acks = await Promise.all(joins);
      acks.forEach((r, i) => expect(r.room?.id, JSON.stringify(r)).toBe(rooms[i]));

      // ...so the events still queued then ran one at a time: each started after the one before ended,
      // and the first of them after every event already running had ended.
      const running = rooms.slice(0, PARALLEL_EVENTS).map(timing.of);
      const queued = rooms.slice(PARALLEL_EVENTS).map(timing.of);
      expect(queued[0]!.start).toBeGreaterThanOrEqual(Math.max(...running.map((s) => s.end)));
      for (let i = 1; i < queued.length; i += 1) {
        expect(queued[i]!.start, `queued event ${i}`).toBeGreaterThanOrEqual(queued[i - 1]!.end);
      }
    } finally {
      timing.stop();
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
  });
});
