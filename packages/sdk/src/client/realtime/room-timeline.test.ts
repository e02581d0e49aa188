import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message, MessagePage } from '../../protocol/messages.js';
import type { Room } from '../../protocol/rooms.js';
import { RoomTimeline, type DeliverySource, type FetchHistory } from './room-timeline.js';

const ROOM = '7';

function message(seq: number): Message {
  return {
    id: String(1000 + seq),
    roomId: ROOM,
    seq: String(seq),
    author: { id: '1', displayName: 'ann', avatarUrl: null },
    clientMsgId: `c${seq}`,
    text: `m${seq}`,
    replyTo: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    reactions: [],
  };
}

const room = (lastSeq: number) => ({ lastSeq: String(lastSeq) }) as Room;

/** The server's history of a room with messages 1..last, answering like `GET …/messages`. */
function history(last: number) {
  const calls: { after: string; before?: string; limit: number }[] = [];
  const fetch: FetchHistory = async (_roomId, query) => {
    calls.push(query);
    return page(last, query);
  };
  return { fetch, calls };
}

function page(last: number, query: { after: string; before?: string; limit: number }): MessagePage {
  const from = Number(query.after) + 1;
  const to = Math.min(last, query.before === undefined ? last : Number(query.before) - 1);
  const messages: Message[] = [];
  for (let n = from; n <= to && messages.length < query.limit; n += 1) messages.push(message(n));
  const lastReturned = messages.length ? Number(messages[messages.length - 1]!.seq) : from - 1;
  return { messages, hasMore: lastReturned < to };
}

function recorder() {
  const delivered: { seq: number; source: DeliverySource }[] = [];
  const errors: unknown[] = [];
  return {
    delivered,
    errors,
    seqs: () => delivered.map((d) => d.seq),
    deliver: (m: Message, source: DeliverySource) => delivered.push({ seq: Number(m.seq), source }),
    onError: (e: unknown) => errors.push(e),
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => vi.useRealTimers());

describe('RoomTimeline', () => {
  it('starts just before the latest messages of a first join and delivers them', async () => {
    const h = history(60);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r });
    t.joinStarted();
    await t.sync({ room: room(60), messages: [51, 52, 53].map(message), hasMore: true }, undefined);
    expect(r.delivered).toEqual([51, 52, 53].map((seq) => ({ seq, source: 'join' })));
    // hasMore without lastSeq means older messages exist: nothing to fetch.
    expect(h.calls).toEqual([]);
    expect(t.lastSeq).toBe('53');
  });

  it('starts at the room’s last seq when a first join has no messages', async () => {
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: history(0).fetch, ...r });
    t.joinStarted();
    await t.sync({ room: room(0), messages: [], hasMore: false }, undefined);
    expect(t.lastSeq).toBe('0');
    t.accept([message(1)], 'live');
    expect(r.seqs()).toEqual([1]);
  });

  it('pages a catch-up over REST while hasMore, then delivers live messages after it', async () => {
    const h = history(450);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '10');
    t.joinStarted();
    const first = Array.from({ length: 200 }, (_, i) => message(11 + i));
    await t.sync({ room: room(450), messages: first, hasMore: true }, '10');
    expect(h.calls.map((c) => c.after)).toEqual(['210', '310', '410']);
    expect(r.seqs()).toEqual(Array.from({ length: 440 }, (_, i) => 11 + i));
    expect(new Set(r.delivered.slice(200).map((d) => d.source))).toEqual(new Set(['history']));
  });

  it('fetches exactly the gap behind a live message that jumped ahead', async () => {
    const h = history(9);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '4');
    t.accept([message(5), message(9)], 'live');
    await flush();
    expect(h.calls).toEqual([{ after: '5', before: '9', limit: 100 }]);
    expect(r.seqs()).toEqual([5, 6, 7, 8, 9]);
    expect(r.delivered.map((d) => d.source)).toEqual(['live', 'history', 'history', 'history', 'live']);
  });

  it('reports nothing missing when the room is left while a gap fetch is in flight', async () => {
    const r = recorder();
    let answer: (page: MessagePage) => void = () => {};
    const calls: { after: string; before?: string }[] = [];
    const fetch: FetchHistory = (_room, query) => {
      calls.push(query);
      return new Promise((resolve) => (answer = resolve));
    };
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: fetch, ...r }, '4');
    t.accept([message(5), message(9)], 'live');
    await flush();
    expect(calls).toEqual([{ after: '5', before: '9', limit: 100 }]);
    t.close();
    answer(page(9, { after: '5', before: '9', limit: 100 }));
    await flush();
    expect(r.errors).toEqual([]);
    expect(r.seqs()).toEqual([5]);
  });

  it('waits for a join in flight instead of fetching a gap it may cover', async () => {
    const h = history(20);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '10');
    t.joinStarted();
    t.accept([message(20)], 'live');
    await flush();
    expect(h.calls).toEqual([]);
    await t.sync(
      { room: room(20), messages: Array.from({ length: 10 }, (_, i) => message(11 + i)), hasMore: false },
      '10',
    );
    expect(h.calls).toEqual([]);
    expect(r.seqs()).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
  });

  it('retries a failed fetch later and reports the failure', async () => {
    vi.useFakeTimers();
    const r = recorder();
    let fail = true;
    const fetch: FetchHistory = async (_room, query) => {
      if (fail) throw new Error('node down');
      return page(3, query);
    };
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: fetch, retryDelayMs: 500, ...r }, '0');
    t.accept([message(3)], 'live');
    await vi.advanceTimersByTimeAsync(0);
    expect(r.errors).toHaveLength(1);
    expect(r.seqs()).toEqual([]);
    fail = false;
    await vi.advanceTimersByTimeAsync(500);
    expect(r.seqs()).toEqual([1, 2, 3]);
  });

  it('does not stall on a gap the server answers empty', async () => {
    const r = recorder();
    const t = new RoomTimeline(
      { roomId: ROOM, fetchHistory: async () => ({ messages: [], hasMore: false }), ...r },
      '1',
    );
    t.accept([message(4)], 'live');
    await flush();
    expect(r.seqs()).toEqual([4]);
    expect(r.errors).toHaveLength(1);
  });

  it('fetches up to a reported head when the last broadcasts were lost, page by page', async () => {
    const h = history(250);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '4');
    await t.behind('250');
    expect(h.calls).toEqual([
      { after: '4', before: '251', limit: 100 },
      { after: '104', before: '251', limit: 100 },
      { after: '204', before: '251', limit: 100 },
    ]);
    expect(r.seqs()).toEqual(Array.from({ length: 246 }, (_, i) => 5 + i));
    expect(new Set(r.delivered.map((d) => d.source))).toEqual(new Set(['history']));
    // Live copies of what was fetched are duplicates.
    t.accept([message(250)], 'live');
    expect(r.seqs()).toHaveLength(246);
  });

  it('does nothing for a head it already has, a malformed one, or before the first join answered', async () => {
    const h = history(9);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '9');
    await t.behind('9');
    await t.behind('3');
    await t.behind('1e3');
    const fresh = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r });
    await fresh.behind('9');
    await flush();
    expect(h.calls).toEqual([]);
    expect(r.delivered).toEqual([]);
  });

  it('lets a join in flight bring a reported head before fetching anything', async () => {
    const h = history(20);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '10');
    t.joinStarted();
    let caughtUp = false;
    const behind = t.behind('20').then(() => (caughtUp = true));
    await flush();
    expect(h.calls).toEqual([]);
    expect(caughtUp).toBe(false);
    await t.sync({ room: room(20), messages: [11, 12, 13].map(message), hasMore: true }, '10');
    await behind;
    // The join answer's catch-up covered the head: one page after it, no second fetch for the head.
    expect(h.calls).toEqual([{ after: '13', limit: 100 }]);
    expect(r.seqs()).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
  });

  it('fetches a reported head once a join in flight failed', async () => {
    const h = history(6);
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: h.fetch, ...r }, '3');
    t.joinStarted();
    const behind = t.behind('6');
    t.joinFailed();
    await behind;
    expect(r.seqs()).toEqual([4, 5, 6]);
  });

  it('does not stall on a head the server answers empty', async () => {
    const calls: unknown[] = [];
    const r = recorder();
    const t = new RoomTimeline(
      {
        roomId: ROOM,
        fetchHistory: async (_room, query) => {
          calls.push(query);
          return { messages: [], hasMore: false };
        },
        ...r,
      },
      '2',
    );
    await t.behind('5');
    await flush();
    expect(calls).toEqual([{ after: '2', before: '6', limit: 100 }]);
    expect(r.errors).toHaveLength(1);
    // Given up on, as for a gap: the next messages are delivered when they come.
    expect(t.lastSeq).toBe('5');
    t.accept([message(6)], 'live');
    expect(r.seqs()).toEqual([6]);
  });

  it('delivers nothing after close', async () => {
    const r = recorder();
    const t = new RoomTimeline({ roomId: ROOM, fetchHistory: history(5).fetch, ...r }, '0');
    t.close();
    t.accept([message(1)], 'live');
    expect(r.delivered).toEqual([]);
  });

  it('delivers each message once, in order, under any interleaving of live messages, joins, heads and fetches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }), {
          maxLength: 12,
        }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 40 })),
        async (s, start, extra, batches, rejoin, head) => {
          const last = start + extra;
          const r = recorder();
          // History answers in any order relative to everything else, in small pages.
          const fetch = s.scheduleFunction(
            async (_room: string, q: { after: string; before?: string; limit: number }) =>
              page(last, { ...q, limit: Math.min(q.limit, 3) }),
          );
          const t = new RoomTimeline({ roomId: ROOM, fetchHistory: fetch, ...r }, String(start));
          const live = batches.map((b) => b.map((n) => Math.min(last, start + n)));
          for (const b of live) {
            void s.schedule(Promise.resolve(b)).then((seqs) => t.accept(seqs.map(message), 'live'));
          }
          if (rejoin) {
            // A rejoin whose answer carries part of what followed the start (and says more exists).
            t.joinStarted();
            const carried = Array.from({ length: Math.min(2, extra) }, (_, i) => message(start + 1 + i));
            void s
              .schedule(Promise.resolve(carried))
              .then((msgs) =>
                t.sync({ room: room(last), messages: msgs, hasMore: extra > msgs.length }, String(start)),
              );
          }
          const heads = head === null ? [] : [Math.min(last, start + head)];
          for (const h of heads) void s.schedule(Promise.resolve(String(h))).then((seq) => t.behind(seq));
          await s.waitAll();
          // Once everything settled, whatever arrived or was reported is delivered up to the highest seq.
          const seen = [...live.flat(), ...heads, ...(rejoin ? [last] : [])];
          const highest = Math.max(start, ...seen);
          expect(r.seqs()).toEqual(Array.from({ length: highest - start }, (_, i) => start + 1 + i));
          expect(r.errors).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
