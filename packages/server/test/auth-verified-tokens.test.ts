/**
 * A token is verified once per node and remembered (src/auth/verified-tokens.ts): what may change while
 * it lives is still checked on every use. Each test first gets a token accepted, so that it is remembered,
 * then shows the remembered token is refused where a fresh verification would refuse it.
 */
import jwt from 'jsonwebtoken';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ALGORITHM } from '../src/auth/tokens.js';
import { closeChatClients, connectChat, refusedChat } from './helpers/cluster.js';
import { newUser, type TestUser } from './helpers/factories.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { accessClaims, nowSeconds } from './helpers/token-claims.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'auth: a token verified once is still checked on every use', () => {
  const main = useServer({ label: 'auth_verified_tokens' });
  const { t, http: api } = main;
  // The same database, another signing secret: another deployment's tokens are not its own.
  const { http: otherApi } = useServer({
    on: main,
    env: { JWT_SECRET: 'another-secret-0123456789-abcdefghijklmnopqrstuvwxyz' },
  });
  let alice: TestUser;
  beforeAll(async () => {
    alice = await newUser(t);
  });
  afterEach(() => closeChatClients());

  /** A token of Alice's, as the server signs them, expiring at `exp` (seconds). */
  const expiringAt = (exp: number) =>
    jwt.sign(accessClaims(alice, { exp }), TEST_JWT_SECRET, { algorithm: ALGORITHM });

  /** Waits until the JWT clock (whole seconds) has reached `exp`. */
  const until = async (exp: number) => {
    while (nowSeconds() < exp) await new Promise((r) => setTimeout(r, 50));
  };

  it('refuses a remembered token once it expired: HTTP header, cookie and socket handshake', async () => {
    const exp = nowSeconds() + 2;
    const token = expiringAt(exp);
    expect((await api.get('/v1/me', { token })).status).toBe(200);
    const cookie = { headers: { cookie: `synctalk_access=${token}` } };
    expect((await api.get('/v1/me', cookie)).status).toBe(200);
    (await connectChat(t.url, { token })).close();

    await until(exp);
    for (const res of [await api.get('/v1/me', { token }), await api.get('/v1/me', cookie)]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_expired');
    }
    expect((await refusedChat(t.url, { token })).data?.error.code).toBe('token_expired');
  });

  it('remembers a token only for the secret that verified it', async () => {
    expect((await api.get('/v1/me', { token: alice.token })).status).toBe(200);
    const res = await otherApi.get('/v1/me', { token: alice.token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('does not take a token for a remembered one it resembles', async () => {
    expect((await api.get('/v1/me', { token: alice.token })).status).toBe(200);
    const [header, payload] = alice.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const res = await api.get('/v1/me', { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });
});
