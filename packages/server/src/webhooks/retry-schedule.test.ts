import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_RETRY,
  JITTER,
  nextAttemptAt,
  retryDelayMs,
  retrySchedule,
} from './retry-schedule.js';

describe('webhook retry schedule', () => {
  it('doubles from the base up to the cap', () => {
    const options = { baseMs: 1000, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, options))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('spreads every wait within ±20% of the backoff', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (n, r) => {
          const delay = retryDelayMs(n, DEFAULT_RETRY, () => r);
          const base = backoffMs(n, DEFAULT_RETRY);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - JITTER)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + JITTER)));
        },
      ),
    );
  });

  it('stops at the retry window', () => {
    const created = new Date('2026-12-01T00:00:00Z');
    const options = { baseMs: 1000, maxMs: 60_000, windowMs: 3_600_000 };
    const early = nextAttemptAt(created, 3, new Date(created.getTime() + 60_000), options, () => 0.5);
    expect(early?.getTime()).toBe(created.getTime() + 60_000 + 4000);
    expect(nextAttemptAt(created, 40, new Date(created.getTime() + 3_590_000), options, () => 0.5)).toBe(
      undefined,
    );
  });

  it('documents attempts for 24 hours with the defaults', () => {
    const { attempts } = retrySchedule();
    expect(attempts[0]).toEqual({ attempt: 1, delayMs: 0, elapsedMs: 0 });
    expect(attempts[1]!.delayMs).toBe(DEFAULT_RETRY.baseMs);
    const last = attempts.at(-1)!;
    expect(last.elapsedMs).toBeLessThanOrEqual(DEFAULT_RETRY.windowMs);
    expect(last.elapsedMs + DEFAULT_RETRY.maxMs).toBeGreaterThan(DEFAULT_RETRY.windowMs);
  });
});
