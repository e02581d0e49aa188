import { describe, expect, it } from 'vitest';
import { errorCodes, isErrorCode } from './errors.js';

describe('errorCodes', () => {
  it('gives every code a 4xx/5xx status and marks only transient ones retryable', () => {
    for (const [code, entry] of Object.entries(errorCodes)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.status, code).toBeLessThan(600);
      if (entry.retryable) expect([429, 500, 502, 503]).toContain(entry.status);
    }
  });

  it('recognises its own codes only', () => {
    expect(isErrorCode('not_found')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(42)).toBe(false);
  });
});
