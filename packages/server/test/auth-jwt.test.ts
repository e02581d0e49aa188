import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, expect, it } from 'vitest';
import { newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';
import { accessClaims } from './helpers/token-claims.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describeWith(['postgres'], 'access tokens on a protected route (GET /v1/me)', () => {
  const { t, http: api } = useServer({ label: 'auth-jwt' });
  let alice: TestUser;
  beforeAll(async () => {
    alice = await newUser(t);
  });

  /** The claims the server signs, for forging variants of a valid token. */
  const claims = (overrides: Record<string, unknown> = {}) => accessClaims(alice, overrides);
  const sign = (overrides: Record<string, unknown> = {}, options: jwt.SignOptions = {}) =>
    jwt.sign(claims(overrides), TEST_JWT_SECRET, { algorithm: 'HS256', ...options });

  const me = (token: string) => api.get('/v1/me', { token });
  const meWithCookie = (token: string) =>
    api.get('/v1/me', { headers: { cookie: `synctalk_access=${token}` } });

  const expectRefused = async (token: string, code = 'unauthorized') => {
    for (const res of [await me(token), await meWithCookie(token)]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe(code);
    }
  };

  it('accepts the token from the Authorization header', async () => {
    const res = await me(alice.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: alice.user.id, username: alice.user.username });
  });

  it('accepts the token from the httpOnly cookie', async () => {
    const res = await meWithCookie(alice.token);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(alice.user.id);
  });

  it('accepts a token the test signs the way the server does (the forgeries below differ in one thing)', async () => {
    expect((await me(sign())).status).toBe(200);
  });

  it('requires a token', async () => {
    const res = await api.get('/v1/me');
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'unauthorized', message: 'Authentication required' });
  });

  it('refuses an expired token with token_expired', async () => {
    const expired = sign({
      iat: Math.floor(Date.now() / 1000) - 3600,
      exp: Math.floor(Date.now() / 1000) - 60,
    });
    await expectRefused(expired, 'token_expired');
  });

  it('enforces expiry down to the second (no clock tolerance beyond that)', async () => {
    const justExpired = sign({ exp: Math.floor(Date.now() / 1000) - 1 });
    await expectRefused(justExpired, 'token_expired');
  });

  it('refuses a token with a tampered payload or signature', async () => {
    const [header, payload, signature] = alice.token.split('.');
    const forgedPayload = b64({ ...(jwt.decode(alice.token) as object), roles: ['ROLE_USER', 'ROLE_ADMIN'] });
    await expectRefused(`${header}.${forgedPayload}.${signature}`);
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    await expectRefused(`${header}.${payload}.${flipped}`);
    await expectRefused(`${header}.${payload}.`);
  });

  it('refuses alg: none', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    await expectRefused(unsigned);
    await expectRefused(`${b64({ alg: 'None', typ: 'JWT' })}.${b64(claims())}.`);
  });

  it('refuses other algorithms, even with the right secret', async () => {
    await expectRefused(sign({}, { algorithm: 'HS512' }));
    await expectRefused(sign({}, { algorithm: 'HS384' }));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRefused(jwt.sign(claims(), privateKey, { algorithm: 'RS256' }));
  });

  it('refuses a token signed with another secret', async () => {
    await expectRefused(
      jwt.sign(claims(), 'another-secret-0123456789-abcdefghijklmnop', { algorithm: 'HS256' }),
    );
  });

  it('refuses a wrong or missing issuer', async () => {
    await expectRefused(sign({ iss: 'someone-else' }));
    const { iss: _iss, ...noIssuer } = claims();
    await expectRefused(jwt.sign(noIssuer, TEST_JWT_SECRET, { algorithm: 'HS256' }));
  });

  it('refuses tokens that are not access tokens', async () => {
    await expectRefused(sign({ typ: 'refresh' }));
    const { typ: _typ, ...noType } = claims();
    await expectRefused(jwt.sign(noType, TEST_JWT_SECRET, { algorithm: 'HS256' }));
    // A refresh token is an opaque random string, not a JWT.
    await expectRefused(alice.auth.refreshToken);
  });

  it('refuses garbage', async () => {
    for (const garbage of ['garbage', 'a.b.c', '...', 'eyJhbGciOiJIUzI1NiJ9', '%00%00', 'x'.repeat(4000)]) {
      await expectRefused(garbage);
    }
    const malformed = await api.get('/v1/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(malformed.status).toBe(401);
  });

  it("refuses a token of site B used with site A's X-SyncTalk-Site header", async () => {
    const { site: siteB } = await newSite(t);
    const { site: siteA } = await newSite(t);
    const bob = await newUser(t, { site: siteB });
    expect((await api.get('/v1/me', { headers: bob.headers })).status).toBe(200);
    const res = await api.get('/v1/me', { token: bob.token, headers: { 'x-synctalk-site': siteA.publicId } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    // Nor on the default site.
    const onDefault = await api.get('/v1/me', {
      token: alice.token,
      headers: { 'x-synctalk-site': siteB.publicId },
    });
    expect(onDefault.status).toBe(401);
  });

  it('refuses a valid token whose user no longer exists', async () => {
    const gone = await newUser(t);
    await t.server.db('users').where({ id: gone.user.id }).delete();
    const res = await me(gone.token);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('This account no longer exists');
  });
});
