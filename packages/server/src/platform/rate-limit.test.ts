import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { rateLimitedError, rateLimitKey, retryAfterSeconds } from './rate-limit.js';

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds and never answers less than 1', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(-5)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(3_600_000)).toBe(3600);
  });
});

describe('rateLimitKey', () => {
  it('joins the name and the parts with colons, leaving ordinary values as they are', () => {
    expect(rateLimitKey('guest:ip', ['st_abc', '10.0.0.1'])).toBe('guest:ip:st_abc:10.0.0.1');
    expect(rateLimitKey('login:pair', ['st_abc', 'alice', '::1'])).toBe('login:pair:st_abc:alice:::1');
  });

  it('escapes braces, so no value can form a cluster hash tag, and stays one-to-one', () => {
    const key = rateLimitKey('x', ['{a}b']);
    expect(key).not.toMatch(/[{}]/);
    const values = ['{a}', '%7Ba}', '%7Ba%7D', '{a%7D', '%257Ba}', 'a'];
    const keys = values.map((v) => rateLimitKey('x', [v]));
    expect(new Set(keys).size).toBe(values.length);
  });
});

describe('rateLimitedError', () => {
  it('is a 429 rate_limited error with details.retryAfter and a matching Retry-After header', () => {
    const error = rateLimitedError('Too many; try again in 7 seconds', 7);
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(429);
    expect(error.toBody()).toEqual({
      error: {
        code: 'rate_limited',
        message: 'Too many; try again in 7 seconds',
        details: { retryAfter: 7 },
      },
    });
    expect(error.headers).toEqual({ 'Retry-After': '7' });
  });
});
