import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '@synctalk/sdk';
import { compareSeq, Timeline } from './timeline.js';

let nextId = 1;
function message(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: String(1000 + seq),
    roomId: '1',
    seq: String(seq),
    author: { id: '7', displayName: 'Ann', avatarUrl: null },
    clientMsgId: `c${nextId++}`,
    text: `m${seq}`,
    replyTo: null,
    createdAt: new Date(2026, 0, 1, 0, seq).toISOString(),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    ...over,
  };
}

describe('compareSeq', () => {
  it('orders decimal strings numerically', () => {
    expect(compareSeq('9', '10')).toBeLessThan(0);
    expect(compareSeq('100', '99')).toBeGreaterThan(0);
    expect(compareSeq('12345678901234567890', '12345678901234567890')).toBe(0);
  });
});

describe('Timeline', () => {
  it('keeps messages in seq order, once, however they arrive', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 20 }), { maxLength: 10 }),
        (batches) => {
          const t = new Timeline();
          for (const batch of batches) t.add(batch.map((s) => message(s)));
          const seqs = t.messages.map((m) => Number(m.seq));
          const expected = [...new Set(batches.flat())].sort((a, b) => a - b);
          expect(seqs).toEqual(expected);
        },
      ),
    );
  });

  it('reports only the new messages', () => {
    const t = new Timeline();
    t.add([message(1), message(2)]);
    expect(t.add([message(2), message(3)]).map((m) => m.seq)).toEqual(['3']);
    expect(t.firstSeq).toBe('1');
    expect(t.lastSeq).toBe('3');
  });

  it('leaves out the sends whose stored message of mine it has', () => {
    const t = new Timeline();
    const outgoing = [{ clientMsgId: 'x1' }, { clientMsgId: 'x2' }];
    expect(t.unsent(outgoing, '7')).toEqual(outgoing);
    t.add([message(1, { clientMsgId: 'x1', author: { id: '9', displayName: 'Bo', avatarUrl: null } })]);
    // someone else's message with the same client id is not mine
    expect(t.unsent(outgoing, '7')).toEqual(outgoing);
    expect(t.stored('x1', '7')).toBe(false);
    t.add([message(2, { clientMsgId: 'x1' })]);
    expect(t.unsent(outgoing, '7')).toEqual([{ clientMsgId: 'x2' }]);
    expect(t.stored('x1', '7')).toBe(true);
    expect(t.unsent(outgoing, undefined)).toEqual(outgoing);
  });

  it('applies edits and deletions, which win over older copies', () => {
    const t = new Timeline();
    const m = message(1);
    t.add([m]);
    t.applyUpdate({
      roomId: '1',
      messageId: m.id,
      seq: '1',
      text: 'fixed',
      editedAt: '2026-01-02T00:00:00Z',
    });
    expect(t.messages[0]).toMatchObject({ text: 'fixed', editedAt: '2026-01-02T00:00:00Z' });
    t.add([m]); // a stale copy (e.g. from a rejoin) changes nothing
    expect(t.messages[0]!.text).toBe('fixed');
    t.applyDelete({ roomId: '1', messageId: m.id, seq: '1', deletedAt: '2026-01-03T00:00:00Z' });
    expect(t.messages[0]).toMatchObject({ text: '', deletedAt: '2026-01-03T00:00:00Z' });
    expect(t.applyDelete({ roomId: '1', messageId: 'nope', seq: '9', deletedAt: '' })).toBe(false);
  });

  it('counts reactions and knows mine', () => {
    const t = new Timeline();
    const m = message(1);
    t.add([m]);
    const ev = (userId: string, action: 'added' | 'removed', count: number) =>
      ({ roomId: '1', messageId: m.id, emoji: '👍', userId, action, count }) as const;
    t.applyReaction(ev('9', 'added', 1), '7');
    expect(t.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 1, me: false }]);
    t.applyReaction(ev('7', 'added', 2), '7');
    expect(t.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    t.applyReaction(ev('9', 'removed', 1), '7');
    expect(t.messages[0]!.reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    t.applyReaction(ev('7', 'removed', 0), '7');
    expect(t.messages[0]!.reactions).toEqual([]);
  });

  it('tracks whether older history exists', () => {
    const t = new Timeline();
    t.add([message(51)]);
    t.addOlder([message(50), message(49)], false);
    expect(t.messages.map((m) => m.seq)).toEqual(['49', '50', '51']);
    expect(t.hasOlder).toBe(false);
  });
});
