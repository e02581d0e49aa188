import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuthUser } from './tokens.js';
import { VerifiedTokens } from './verified-tokens.js';

const key = createSecretKey(Buffer.from('k1'));
const otherKey = createSecretKey(Buffer.from('k2'));
const user = (id: string, exp: number): AuthUser => ({
  id,
  siteId: '1',
  roles: ['ROLE_USER'],
  kind: 'password',
  exp,
});

describe('VerifiedTokens', () => {
  it('answers a remembered token until its exp second, then expired (as jsonwebtoken counts)', () => {
    const cache = new VerifiedTokens<AuthUser>();
    cache.add('t', key, user('1', 100));
    expect(cache.get('t', key, 99_999)).toEqual({ user: user('1', 100) });
    expect(cache.get('t', key, 100_000)).toEqual({ expired: true });
    // Forgotten once expired: verified again (and refused) next time.
    expect(cache.get('t', key, 100_000)).toBeUndefined();
  });

  it('answers only for the key that verified the token', () => {
    const cache = new VerifiedTokens<AuthUser>();
    cache.add('t', key, user('1', 100));
    expect(cache.get('t', otherKey, 0)).toBeUndefined();
    expect(cache.get('u', key, 0)).toBeUndefined();
  });

  it('drops the least recently used token when full', () => {
    const cache = new VerifiedTokens<AuthUser>(2);
    cache.add('a', key, user('1', 100));
    cache.add('b', key, user('2', 100));
    cache.get('a', key, 0);
    cache.add('c', key, user('3', 100));
    expect(cache.size).toBe(2);
    expect(cache.get('b', key, 0)).toBeUndefined();
    expect(cache.get('a', key, 0)).toBeDefined();
    expect(cache.get('c', key, 0)).toBeDefined();
    expect(cache.siteOf('c')).toBe('1');
  });
});
