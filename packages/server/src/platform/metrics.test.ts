import { describe, expect, it } from 'vitest';
import { hasBearerToken } from './metrics.js';

describe('hasBearerToken', () => {
  const token = 'metrics-token-0123456789abcdefghijklmnop';

  it('accepts exactly `Bearer <token>` (scheme in any case)', () => {
    expect(hasBearerToken(`Bearer ${token}`, token)).toBe(true);
    expect(hasBearerToken(`bearer ${token}`, token)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const header of [
      '',
      'Bearer',
      'Bearer ',
      token,
      `Basic ${token}`,
      `Bearer ${token.slice(0, -1)}`,
      `Bearer ${token}0`,
      `Bearer ${token} extra`,
      `Bearer ${token.toUpperCase()}`,
    ]) {
      expect(hasBearerToken(header, token), header).toBe(false);
    }
  });
});
