import { describe, expect, it } from 'vitest';
import { FloodPenalty, floodPenaltyMs } from './flood-penalty.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('flood penalty', () => {
  it('refuses a punished user for the duration, and nobody else', () => {
    const c = clock();
    const penalty = new FloodPenalty(5000, c.now);
    expect(penalty.remaining('1')).toBe(0);
    penalty.punish('1');
    expect(penalty.remaining('1')).toBe(5000);
    expect(penalty.remaining('2')).toBe(0);
    c.advance(4999);
    expect(penalty.remaining('1')).toBe(1);
    c.advance(1);
    expect(penalty.remaining('1')).toBe(0);
  });

  it('starts over when punished again', () => {
    const c = clock();
    const penalty = new FloodPenalty(5000, c.now);
    penalty.punish('1');
    c.advance(3000);
    penalty.punish('1');
    expect(penalty.remaining('1')).toBe(5000);
  });

  it('forgets expired users, so memory follows the users currently refused', () => {
    const c = clock();
    const penalty = new FloodPenalty(1000, c.now);
    for (let i = 0; i < 5000; i += 1) {
      penalty.punish(String(i));
      c.advance(1);
      // Held: at most the last second's users plus one sweep interval of expired ones.
      expect(penalty.tracked).toBeLessThanOrEqual(1000 + 1024);
    }
    // Only the last second's users are still refused.
    expect(penalty.size).toBe(999);
    c.advance(1000);
    expect(penalty.size).toBe(0);
  });

  it('lasts as long as an idle bucket takes to fill, at least a second', () => {
    expect(floodPenaltyMs(20, 100)).toBe(5000);
    expect(floodPenaltyMs(100, 10)).toBe(1000);
    expect(floodPenaltyMs(3, 10)).toBe(3334);
  });
});
