import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  MessageDeletedEvent,
  MessageUpdatedEvent,
  ReactionUpdatedEvent,
} from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { SyncTalkError } from '../errors.js';
import { TimelineState, type TimelineItem, type TimelineOutgoing } from './timeline-state.js';

const ROOM = '42';
const ME = 'u1';
const T0 = Date.UTC(2025, 0, 1);
const iso = (second: number) => new Date(T0 + second * 1000).toISOString();

function message(seq: number, fields: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    roomId: ROOM,
    seq: String(seq),
    author: { id: ME, displayName: 'Ann', avatarUrl: null },
    clientMsgId: `c${seq}`,
    text: `text ${seq}`,
    replyTo: null,
    createdAt: iso(seq),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    ...fields,
  };
}

const edit = (seq: number, text: string, second: number): MessageUpdatedEvent => ({
  roomId: ROOM,
  messageId: `m${seq}`,
  seq: String(seq),
  text,
  editedAt: iso(second),
});
const deletion = (seq: number, second: number): MessageDeletedEvent => ({
  roomId: ROOM,
  messageId: `m${seq}`,
  seq: String(seq),
  deletedAt: iso(second),
});
const reaction = (
  seq: number,
  emoji: string,
  userId: string,
  action: 'added' | 'removed',
  count: number,
): ReactionUpdatedEvent => ({ roomId: ROOM, messageId: `m${seq}`, emoji, userId, action, count });

const outgoing = (clientMsgId: string, fields: Partial<TimelineOutgoing> = {}): TimelineOutgoing => ({
  clientMsgId,
  roomId: ROOM,
  text: `sending ${clientMsgId}`,
  status: 'pending',
  createdAt: iso(0),
  ...fields,
});

const newState = () => new TimelineState({ roomId: ROOM, userId: () => ME });
const messages = (items: readonly TimelineItem[]) =>
  items.flatMap((item) => (item.type === 'message' ? [item.message] : []));
const rows = (items: readonly TimelineItem[]) =>
  items.map((item) =>
    item.type === 'message'
      ? `${item.message.seq}:${item.message.text}`
      : `${item.outgoing.status}:${item.outgoing.clientMsgId}`,
  );

describe('TimelineState', () => {
  it('sorts stored messages by seq as 64-bit numbers, keeps each once, and ignores other rooms', () => {
    const s = newState();
    s.addMessages([message(10), message(9), message(2)]);
    s.addMessages([message(9), message(100), { ...message(3), roomId: '7' }]);
    expect(messages(s.items).map((m) => m.seq)).toEqual(['2', '9', '10', '100']);
    expect(s.oldestSeq).toBe('2');
    expect(s.newestSeq).toBe('100');
    expect(s.size).toBe(4);
    const big = 9007199254740993n; // 2^53 + 1
    s.addMessages([
      message(1, { id: 'b', seq: (big + 1n).toString() }),
      message(1, { id: 'a', seq: big.toString() }),
    ]);
    expect(
      messages(s.items)
        .map((m) => m.id)
        .slice(-2),
    ).toEqual(['a', 'b']);
  });

  it('shows the latest edit whatever the order, and a deletion for good', () => {
    const s = newState();
    s.applyEdit(edit(1, 'second edit', 20)); // before the message itself
    expect(s.items).toEqual([]);
    s.addMessages([message(1)]);
    expect(messages(s.items)[0]).toMatchObject({ text: 'second edit', editedAt: iso(20) });
    s.applyEdit(edit(1, 'first edit', 10)); // an older edit, late
    s.addMessages([message(1, { text: 'first edit', editedAt: iso(10) })]); // a stale copy
    expect(messages(s.items)[0]).toMatchObject({ text: 'second edit', editedAt: iso(20) });

    s.addMessages([message(2, { reactions: [{ emoji: '👍', count: 2, me: true }] })]);
    s.applyDelete(deletion(2, 30));
    s.addMessages([message(2, { text: 'text 2' })]); // a copy from before the deletion
    s.applyEdit(edit(2, 'too late', 40));
    expect(messages(s.items)[1]).toMatchObject({ text: '', deletedAt: iso(30), reactions: [] });
  });

  it('counts reactions from events over older copies, and from copies requested after the events', () => {
    const s = newState();
    const before = s.mark(); // a REST page requested now …
    s.addMessages([message(1)]);
    s.applyReaction(reaction(1, '👍', 'u2', 'added', 1));
    s.applyReaction(reaction(1, '🎉', ME, 'added', 1));
    s.applyReaction(reaction(1, '👍', ME, 'added', 2));
    // … answers after those events, from before them: it changes nothing.
    s.addMessages([message(1)], before);
    expect(messages(s.items)[0]!.reactions).toEqual([
      { emoji: '👍', count: 2, me: true },
      { emoji: '🎉', count: 1, me: true },
    ]);
    s.applyReaction(reaction(1, '🎉', ME, 'removed', 0));
    s.applyReaction(reaction(1, '👍', 'u3', 'added', 3));
    expect(messages(s.items)[0]!.reactions).toEqual([{ emoji: '👍', count: 3, me: true }]);
    // A page requested after every event is the truth, in the server's order.
    const after = s.mark();
    s.addMessages(
      [
        message(1, {
          reactions: [
            { emoji: 'fire', count: 1, me: false },
            { emoji: '👍', count: 2, me: false },
          ],
        }),
      ],
      after,
    );
    expect(messages(s.items)[0]!.reactions).toEqual([
      { emoji: 'fire', count: 1, me: false },
      { emoji: '👍', count: 2, me: false },
    ]);
  });

  it('shows sends after the stored messages until their stored message is known, never both', () => {
    const s = newState();
    s.addMessages([message(1)]);
    s.applySend(outgoing('a'));
    s.applySend(outgoing('b'));
    // Another user's message with the same key is not my send.
    s.addMessages([
      message(2, { clientMsgId: 'a', author: { id: 'u2', displayName: 'Bo', avatarUrl: null } }),
    ]);
    expect(rows(s.items)).toEqual(['1:text 1', '2:text 2', 'pending:a', 'pending:b']);

    const stored = message(3, { clientMsgId: 'b', text: 'sending b' });
    s.addMessages([stored]); // the live copy beats the acknowledgement
    expect(rows(s.items)).toEqual(['1:text 1', '2:text 2', '3:sending b', 'pending:a']);
    s.applySend(outgoing('b', { status: 'sent', message: stored }));
    s.applySend(outgoing('a', { status: 'failed', error: new SyncTalkError('forbidden', 'Muted') }));
    expect(rows(s.items)).toEqual(['1:text 1', '2:text 2', '3:sending b', 'failed:a']);

    s.setOutgoing([]); // discarded
    expect(rows(s.items)).toEqual(['1:text 1', '2:text 2', '3:sending b']);
    expect(s.items.every((item) => item.key.startsWith('message:'))).toBe(true);
  });

  it('keeps the same array and message objects while nothing visible changes', () => {
    const s = newState();
    s.addMessages([message(1), message(2)]);
    const first = s.items;
    expect(Object.isFrozen(first)).toBe(true);
    s.addMessages([message(2), message(1)], s.mark());
    s.applyEdit(edit(9, 'not shown', 1));
    s.applyReaction(reaction(1, '👍', 'u2', 'removed', 0));
    expect(s.items).toBe(first);
    s.applyEdit(edit(2, 'edited', 5));
    const second = s.items;
    expect(second).not.toBe(first);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
  });
});

// ---- properties ------------------------------------------------------------------------------------------

/**
 * A model server for one room with messages 1..N that exist before the timeline starts. Operations edit,
 * delete and react (as the real server: no edits or reactions on deleted messages, deleting drops the
 * reactions, no event for a reaction that changes nothing); each successful one yields the event the server
 * broadcasts. A copy of a message is what the server would answer ME at that point, with reactions in the
 * order of their latest first use.
 */
const N = 6;
const EMOJIS = ['👍', '🎉', 'fire'];
const USERS = [ME, 'u2', 'u3'];

type Op =
  | { kind: 'edit'; seq: number; text: string }
  | { kind: 'delete'; seq: number }
  | { kind: 'react'; seq: number; user: string; emoji: string; add: boolean };

type Delivered =
  | { kind: 'edit'; event: MessageUpdatedEvent }
  | { kind: 'delete'; event: MessageDeletedEvent }
  | { kind: 'reaction'; event: ReactionUpdatedEvent };

interface ServerMessage {
  text: string;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: Map<string, { users: Set<string>; since: number }>;
}

function runServer(ops: Op[]) {
  const room = new Map<number, ServerMessage>();
  for (let seq = 1; seq <= N; seq += 1) {
    room.set(seq, { text: `text ${seq}`, editedAt: null, deletedAt: null, reactions: new Map() });
  }
  const copy = (seq: number): Message => {
    const m = room.get(seq)!;
    const reactions = [...m.reactions]
      .filter(([, r]) => r.users.size > 0)
      .sort(([, a], [, b]) => a.since - b.since)
      .map(([emoji, r]) => ({ emoji, count: r.users.size, me: r.users.has(ME) }));
    return message(seq, { text: m.text, editedAt: m.editedAt, deletedAt: m.deletedAt, reactions });
  };
  const snapshot = () => Array.from({ length: N }, (_, i) => copy(i + 1));
  const states = [snapshot()];
  const events: { delivered: Delivered; op: number }[] = [];
  ops.forEach((op, i) => {
    const time = 100 + i;
    const m = room.get(op.seq)!;
    if (m.deletedAt === null) {
      if (op.kind === 'edit') {
        m.text = op.text;
        m.editedAt = iso(time);
        events.push({ delivered: { kind: 'edit', event: edit(op.seq, op.text, time) }, op: i });
      } else if (op.kind === 'delete') {
        m.text = '';
        m.deletedAt = iso(time);
        m.reactions.clear();
        events.push({ delivered: { kind: 'delete', event: deletion(op.seq, time) }, op: i });
      } else {
        const r = m.reactions.get(op.emoji) ?? { users: new Set<string>(), since: time };
        m.reactions.set(op.emoji, r);
        const changed = op.add ? !r.users.has(op.user) : r.users.has(op.user);
        if (changed) {
          if (op.add && r.users.size === 0) r.since = time;
          if (op.add) r.users.add(op.user);
          else r.users.delete(op.user);
          const action = op.add ? 'added' : 'removed';
          const event = reaction(op.seq, op.emoji, op.user, action, r.users.size);
          events.push({ delivered: { kind: 'reaction', event }, op: i });
        }
      }
    }
    states.push(snapshot());
  });
  return { states, events };
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      seq: fc.integer({ min: 1, max: N }),
      text: fc.constantFrom('a', 'b', 'c'),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 1, max: N }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('react' as const),
      seq: fc.integer({ min: 1, max: N }),
      user: fc.constantFrom(...USERS),
      emoji: fc.constantFrom(...EMOJIS),
      add: fc.boolean(),
    }),
    weight: 5,
  },
);

/** A copy of some messages: a REST page (requested, then answered later) or a connection delivery. */
const copyArb = fc.record({
  /** A REST page, stamped when requested; else a copy of unknown age (stamp 0). */
  rest: fc.boolean(),
  /** How many events had arrived when it was requested (modulo their number). */
  issue: fc.nat(),
  /** How much later than the request the server read the messages. */
  serve: fc.nat(),
  /** How many events later than the request the answer arrived. */
  arrive: fc.nat(),
  from: fc.integer({ min: 1, max: N }),
  length: fc.integer({ min: 1, max: N }),
  copies: fc.integer({ min: 1, max: 3 }),
  order: fc.nat(),
});

describe('TimelineState (property)', () => {
  it('ends with every delivered message once, by seq, in its final version, whatever the interleaving', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 30 }),
        fc.array(copyArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ pick: fc.nat(), at: fc.nat(), order: fc.nat() }), { maxLength: 6 }),
        (ops, copies, repeats) => {
          const { states, events } = runServer(ops);
          const e = events.length;
          const final = states[states.length - 1]!;
          // Each action happens after `after` events have arrived; ties in `order`.
          const actions: { after: number; order: number; run: (s: TimelineState) => void }[] = [];
          events.forEach(({ delivered }, i) =>
            actions.push({ after: i, order: Number.MAX_SAFE_INTEGER, run: (s) => deliver(s, delivered) }),
          );
          const shown = new Set<number>();
          for (const c of copies) {
            const issued = c.issue % (e + 1);
            // The server has done at least the operations whose events arrived before the request.
            const done = issued === 0 ? 0 : events[issued - 1]!.op + 1;
            const state = states[done + (c.serve % (states.length - done))]!;
            const arrived = issued + (c.arrive % (e - issued + 1));
            const page = state.filter((m) => Number(m.seq) >= c.from && Number(m.seq) < c.from + c.length);
            for (const m of page) shown.add(Number(m.seq));
            let stamp = 0;
            if (c.rest) actions.push({ after: issued, order: -1, run: (s) => (stamp = s.mark()) });
            for (let k = 0; k < c.copies; k += 1) {
              actions.push({ after: arrived, order: c.order + k, run: (s) => s.addMessages(page, stamp) });
            }
          }
          // Edits and deletions may also arrive again, and in any order (they commute).
          for (const r of repeats) {
            const repeat = events.filter((x) => x.delivered.kind !== 'reaction')[r.pick % Math.max(1, e)];
            if (repeat)
              actions.push({
                after: r.at % (e + 1),
                order: r.order,
                run: (s) => deliver(s, repeat.delivered),
              });
          }
          actions.sort((a, b) => a.after - b.after || a.order - b.order);
          const s = newState();
          for (const action of actions) action.run(s);

          const expected = final.filter((m) => shown.has(Number(m.seq)));
          expect(messages(s.items)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('shows each send once: its stored message when known, else its latest status, in queue order', () => {
    const sendArb = fc.record({
      statuses: fc.array(fc.constantFrom('pending' as const, 'failed' as const), { maxLength: 3 }),
      sent: fc.boolean(),
      copies: fc.array(fc.nat(), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(sendArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.boolean(),
        (sends, schedule, withList) => {
          // Each send's own events in order ('pending' when queued, then its changes); sends interleave.
          let nextSeq = 1;
          const stored = new Map<number, Message>();
          const queues = sends.map((send, i) => {
            const id = `k${i}`;
            const steps: TimelineOutgoing[] = [
              outgoing(id),
              ...send.statuses.map((status) => outgoing(id, { status })),
            ];
            if (send.sent) {
              const m = message(nextSeq, { id: `s${nextSeq}`, clientMsgId: id, text: `sending ${id}` });
              stored.set(i, m);
              nextSeq += 1;
              steps.push(outgoing(id, { status: 'sent', message: m }));
            }
            return steps;
          });
          const s = newState();
          // An unrelated stored message of another user reusing the first key.
          s.addMessages([
            message(99, {
              id: 'x',
              clientMsgId: 'k0',
              author: { id: 'u2', displayName: 'Bo', avatarUrl: null },
            }),
          ]);
          const latest = new Map<string, TimelineOutgoing>();
          const queueOrder: string[] = [];
          const pendingCopies = sends.map((send) => [...send.copies]);
          const step = (i: number) => {
            const o = queues[i]!.shift()!;
            if (!latest.has(o.clientMsgId)) queueOrder.push(o.clientMsgId);
            latest.set(o.clientMsgId, o);
            s.applySend(o);
            if (withList) {
              // What `chat.outgoing(roomId)` answers: queued and failed sends, in queue order.
              s.setOutgoing(queueOrder.map((id) => latest.get(id)!).filter((x) => x.status !== 'sent'));
            }
          };
          for (const pick of schedule) {
            const live = queues.map((q, i) => (q.length > 0 ? i : -1)).filter((i) => i >= 0);
            if (live.length === 0) break;
            const i = live[pick % live.length]!;
            step(i);
            // The stored message's live copy may arrive any time after it was first sent.
            const m = stored.get(i);
            if (m && pendingCopies[i]!.length > 0 && pick % 3 === 0) {
              pendingCopies[i]!.pop();
              s.addMessages([m]);
            }
          }
          for (let i = 0; i < queues.length; i += 1) while (queues[i]!.length > 0) step(i);

          const expectedStored = [...stored.values()].map((m) => `${m.seq}:${m.text}`);
          const expectedPending = queueOrder
            .filter((id) => latest.get(id)!.status !== 'sent')
            .map((id) => `${latest.get(id)!.status}:${id}`);
          expect(rows(s.items)).toEqual([...expectedStored, '99:text 99', ...expectedPending]);
          expect(new Set(s.items.map((item) => item.key)).size).toBe(s.items.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function deliver(s: TimelineState, delivered: Delivered): void {
  if (delivered.kind === 'edit') s.applyEdit(delivered.event);
  else if (delivered.kind === 'delete') s.applyDelete(delivered.event);
  else s.applyReaction(delivered.event);
}
