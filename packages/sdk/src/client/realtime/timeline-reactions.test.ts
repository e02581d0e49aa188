import { describe, expect, it } from 'vitest';
import type { ReactionUpdatedEvent } from '../../protocol/events.js';
import { ReactionLedger } from './timeline-reactions.js';

const event = (
  emoji: string,
  userId: string,
  action: 'added' | 'removed',
  count: number,
): ReactionUpdatedEvent => ({ roomId: '1', messageId: '2', emoji, userId, action, count });

describe('ReactionLedger', () => {
  it('takes each emoji from the newest stamp: a copy, or an event', () => {
    const ledger = new ReactionLedger();
    ledger.copy([{ emoji: '👍', count: 3, me: true }], 0);
    ledger.event(event('👍', 'u2', 'added', 4), 1, false);
    expect(ledger.summaries()).toEqual([{ emoji: '👍', count: 4, me: true }]);
    ledger.copy([{ emoji: '👍', count: 1, me: false }], 0); // unknown age: older than any event
    expect(ledger.summaries()).toEqual([{ emoji: '👍', count: 4, me: true }]);
    ledger.event(event('👍', 'me', 'removed', 3), 2, true);
    expect(ledger.summaries()).toEqual([{ emoji: '👍', count: 3, me: false }]);
    ledger.copy([], 3); // requested after both events: nobody any more
    expect(ledger.summaries()).toEqual([]);
  });

  it('lists emojis in copy order, first uses after them, and emojis nothing placed last by emoji', () => {
    const ledger = new ReactionLedger();
    ledger.event(event('zz', 'u2', 'added', 2), 1, false); // its first use was before anything seen
    ledger.event(event('aa', 'u2', 'added', 5), 2, false);
    ledger.copy(
      [
        { emoji: '🎉', count: 1, me: false },
        { emoji: '👍', count: 2, me: false },
      ],
      0,
    );
    ledger.event(event('fire', 'u3', 'added', 1), 3, false);
    ledger.event(event('🎉', 'u2', 'removed', 0), 4, false);
    ledger.event(event('🎉', 'u3', 'added', 1), 5, false); // first use again: now last of the placed
    expect(ledger.summaries().map((r) => r.emoji)).toEqual(['👍', 'fire', '🎉', 'aa', 'zz']);
  });
});
