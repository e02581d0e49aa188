import { describe, expect, it } from 'vitest';
import { storageKey, userIdOf } from './storage-keys.js';

const jwt = (claims: object) =>
  ['{"alg":"HS256"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.') + '.signature';

describe('storage keys', () => {
  it('name the server, the site and the user', () => {
    const owner = { server: 'https://chat.example.com', site: 'st_a', userId: '42' };
    const keys = [
      storageKey(owner, 'outbox'),
      storageKey(owner, 'rooms'),
      storageKey({ ...owner, userId: '43' }, 'outbox'),
      storageKey({ ...owner, site: 'st_b' }, 'outbox'),
      storageKey({ ...owner, site: undefined }, 'outbox'),
      storageKey({ ...owner, server: 'https://chat.example.org' }, 'outbox'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(storageKey(owner, 'outbox')).toBe('synctalk.v1|https://chat.example.com|st_a|42|outbox');
  });

  it('take the user from the tokens, else from the access token', () => {
    expect(userIdOf({ accessToken: 'x', refreshToken: 'y', userId: '7' })).toBe('7');
    // A subject that needs padding and base64url characters.
    expect(userIdOf({ accessToken: jwt({ sub: '12345', n: '>>>???' }), refreshToken: 'y' })).toBe('12345');
    expect(userIdOf({ accessToken: 'opaque', refreshToken: 'y' })).toBeUndefined();
    expect(userIdOf({ accessToken: jwt({ sub: 5 }), refreshToken: 'y' })).toBeUndefined();
    expect(userIdOf(null)).toBeUndefined();
  });
});
