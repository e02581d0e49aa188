import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUserToken, MAX_USER_TOKEN_LIFETIME } from './index.js';

const siteId = 'st_Abc123Def456Ghi7';
const siteSecret = 'sts_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

describe('createUserToken', () => {
  afterEach(() => vi.useRealTimers());

  it('makes an HS256 JWT that jsonwebtoken verifies with the site secret', () => {
    const token = createUserToken({
      siteId,
      siteSecret,
      userId: 'user-42',
      name: '김철수',
      avatarUrl: 'https://cdn.example/a.png',
    });
    const header = jwt.decode(token, { complete: true })!.header;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = jwt.verify(token, siteSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({
      sub: 'user-42',
      site: siteId,
      name: '김철수',
      avatar: 'https://cdn.example/a.png',
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('fails verification with another secret', () => {
    const token = createUserToken({ siteId, siteSecret, userId: 'u' });
    expect(() => jwt.verify(token, `${siteSecret}x`, { algorithms: ['HS256'] })).toThrow(/invalid signature/);
  });

  it('gives every token a different jti and leaves out absent claims', () => {
    const a = jwt.decode(createUserToken({ siteId, siteSecret, userId: 'u' })) as jwt.JwtPayload;
    const b = jwt.decode(createUserToken({ siteId, siteSecret, userId: 'u' })) as jwt.JwtPayload;
    expect(a.jti).not.toBe(b.jti);
    expect(a).not.toHaveProperty('name');
    expect(a).not.toHaveProperty('avatar');
  });

  it('carries avatar: null to remove an avatar', () => {
    const claims = jwt.decode(createUserToken({ siteId, siteSecret, userId: 'u', avatarUrl: null }));
    expect(claims).toHaveProperty('avatar', null);
  });

  it('honours expiresIn up to 24 hours', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const claims = jwt.decode(
      createUserToken({ siteId, siteSecret, userId: 'u', expiresIn: MAX_USER_TOKEN_LIFETIME }),
    ) as jwt.JwtPayload;
    expect(claims.iat).toBe(Date.UTC(2030, 0, 1) / 1000);
    expect(claims.exp).toBe(claims.iat! + 86400);
  });

  it('refuses bad options with a clear error', () => {
    expect(() => createUserToken({ siteId: 'nope', siteSecret, userId: 'u' })).toThrow(TypeError);
    expect(() => createUserToken({ siteId, siteSecret: '', userId: 'u' })).toThrow(/siteSecret/);
    expect(() => createUserToken({ siteId, siteSecret, userId: '' })).toThrow(/userId/);
    expect(() => createUserToken({ siteId, siteSecret, userId: 'x'.repeat(129) })).toThrow(/userId/);
    expect(() => createUserToken({ siteId, siteSecret, userId: 'u', name: ' ' })).toThrow(/name/);
    expect(() => createUserToken({ siteId, siteSecret, userId: 'u', expiresIn: 86401 })).toThrow(RangeError);
    expect(() => createUserToken({ siteId, siteSecret, userId: 'u', expiresIn: 0 })).toThrow(RangeError);
    expect(() => createUserToken({ siteId, siteSecret, userId: 'u', expiresIn: 1.5 })).toThrow(RangeError);
  });
});
