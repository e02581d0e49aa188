import { describe, expect, it } from 'vitest';
import { isReaction } from './emoji.js';

describe('isReaction', () => {
  it('accepts one emoji, including sequences people see as one', () => {
    for (const e of ['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇰🇷', '1️⃣', '🏳️‍🌈', '😂']) expect(isReaction(e), e).toBe(true);
  });

  it('accepts short names', () => {
    for (const n of ['thumbsup', '+1', 'heart_eyes', 'party-parrot']) expect(isReaction(n), n).toBe(true);
  });

  it('refuses text, several emoji, digits, control characters and long names', () => {
    for (const bad of [
      '',
      'a b',
      'Thumbsup',
      '👍👍',
      '👍a',
      '#',
      '\u0000',
      '👍\u0000',
      '<script>',
      'x'.repeat(33),
      '\u200D',
      '🏽',
    ]) {
      expect(isReaction(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
