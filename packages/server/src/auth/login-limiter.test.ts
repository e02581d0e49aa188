import { describe, expect, it } from 'vitest';
import { loginKeys, SLOW_DOWN_BASE_MS, SLOW_DOWN_MAX_MS, slowDownMs } from './login-limiter.js';

describe('slowDownMs', () => {
  it('does not slow an account down up to the threshold', () => {
    for (const attempts of [0, 1, 19, 20]) expect(slowDownMs(attempts, 20)).toBe(0);
  });

  it('doubles from the base with each attempt past the threshold', () => {
    expect(slowDownMs(21, 20)).toBe(SLOW_DOWN_BASE_MS);
    expect(slowDownMs(22, 20)).toBe(2 * SLOW_DOWN_BASE_MS);
    expect(slowDownMs(23, 20)).toBe(4 * SLOW_DOWN_BASE_MS);
  });

  it('never waits longer than the cap, however many attempts', () => {
    expect(slowDownMs(25, 20)).toBe(SLOW_DOWN_MAX_MS);
    expect(slowDownMs(10_000_000, 20)).toBe(SLOW_DOWN_MAX_MS);
    expect(slowDownMs(Number.MAX_SAFE_INTEGER, 1)).toBe(SLOW_DOWN_MAX_MS);
  });
});

describe('loginKeys', () => {
  it('keeps (username, address) pairs apart, IPv6 addresses included', () => {
    const keys = new Set([
      loginKeys.pair('s1', 'alice', '::1'),
      loginKeys.pair('s1', 'alice', '::2'),
      loginKeys.pair('s1', 'alice', '10.0.0.1'),
      loginKeys.pair('s1', 'bob', '::1'),
      loginKeys.pair('s2', 'alice', '::1'),
      loginKeys.account('s1', 'alice'),
      loginKeys.accountSuccesses('s1', 'alice'),
      loginKeys.ip('s1', '::1'),
    ]);
    expect(keys.size).toBe(8);
  });
});
