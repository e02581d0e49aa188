/**
 * Whatever arrives as an access token (Authorization header or access cookie), a client's bad token is a 401
 * `unauthorized` with the usual error body: never a 500, never an error-level log line. The same for the
 * site token of `POST /v1/auth/site-token` and the `/chat` handshake.
 */
import jwt from 'jsonwebtoken';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { closeChatClients, refusedChat } from './helpers/cluster.js';
import { defaultSite, newSite, newUser, type TestUser } from './helpers/factories.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { accessClaims } from './helpers/token-claims.js';

const b64 = (value: string) => Buffer.from(value).toString('base64url');
const json = (value: unknown) => b64(JSON.stringify(value));

describeWith(['postgres'], 'malformed access and site tokens', () => {
  const { t, http: api } = useServer({ label: 'auth-malformed-tokens', logs: true });
  let alice: TestUser;
  let otherSite: Site;
  beforeAll(async () => {
    alice = await newUser(t);
    otherSite = (await newSite(t)).site;
  });
  // Each test looks only at what was logged while it ran.
  let logged = 0;
  beforeEach(() => {
    logged = t.logs.lines().length;
  });
  afterEach(() => closeChatClients());

  const claims = (overrides: Record<string, unknown> = {}) => accessClaims(alice, overrides);
  const hs256 = json({ alg: 'HS256', typ: 'JWT' });

  /** Tokens no request may get past authentication with, nor turn into a 500. */
  const malformed: [string, () => string][] = [
    ['garbage', () => 'garbage'],
    ['three empty parts', () => '..'],
    ['not base64url', () => '!!!.@@@.###'],
    ['a broken percent escape', () => '%E0%A4%A'],
    ['a header that is not JSON', () => `${b64('not json')}.${json(claims())}.sig`],
    ['a payload that is not JSON (typ JWT)', () => `${hs256}.${b64('notjson')}.sig`],
    ['a payload that is not JSON (no typ)', () => `${json({ alg: 'HS256' })}.${b64('{"site":')}.sig`],
    ['a payload that is JSON null', () => `${hs256}.${b64('null')}.sig`],
    ['a payload that is a JSON array', () => `${hs256}.${b64('[1,2]')}.sig`],
    ['alg none', () => `${json({ alg: 'none', typ: 'JWT' })}.${json(claims())}.`],
    ['a wrong alg, right secret', () => jwt.sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS512' })],
    ['a non-string alg', () => `${json({ alg: ['HS256'] })}.${json(claims())}.sig`],
    ['a site claim that is an object', () => `${hs256}.${json(claims({ site: { id: 1 } }))}.sig`],
    ['a site claim naming no site', () => `${hs256}.${json(claims({ site: '999999999999999999' }))}.sig`],
    ['a forged signature', () => `${hs256}.${json(claims())}.${b64('x'.repeat(32))}`],
  ];

  const errorLines = () =>
    t.logs
      .lines()
      .slice(logged)
      .filter((line) => line.level >= 50);

  const expectUnauthorized = (res: { status: number; body: unknown }, label: string) => {
    expect(res.status, label).toBe(401);
    expect(res.body, label).toEqual({
      error: { code: 'unauthorized', message: expect.any(String) },
    });
  };

  it('answers 401 unauthorized on protected routes, from the header and from the cookie', async () => {
    const routes = [
      (o: { headers: Record<string, string> }) => api.get('/v1/me', o),
      (o: { headers: Record<string, string> }) => api.patch('/v1/me', { ...o, body: { displayName: 'x' } }),
      (o: { headers: Record<string, string> }) => api.get('/v1/me/rooms', o),
      (o: { headers: Record<string, string> }) =>
        api.post('/v1/rooms', { ...o, body: { title: 'x', visibility: 'public' } }),
    ];
    for (const [label, make] of malformed) {
      const token = make();
      for (const [i, route] of routes.entries()) {
        expectUnauthorized(
          await route({ headers: { authorization: `Bearer ${token}` } }),
          `${label}, header, #${i}`,
        );
        expectUnauthorized(
          await route({ headers: { cookie: `synctalk_access=${token}` } }),
          `${label}, cookie, #${i}`,
        );
      }
    }
    expect(errorLines()).toEqual([]);
  });

  it('answers 401 to a Bearer header with no token or with two', async () => {
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer a b', 'bearer']) {
      expectUnauthorized(await api.get('/v1/me', { headers: { authorization } }), authorization);
    }
    expect(errorLines()).toEqual([]);
  });

  it('lets anonymous routes ignore a malformed token instead of failing', async () => {
    for (const [label, make] of malformed) {
      const token = make();
      const sent: Record<string, string>[] = [
        { authorization: `Bearer ${token}` },
        { cookie: `synctalk_access=${token}` },
      ];
      for (const headers of sent) {
        const login = await api.post('/v1/auth/login', {
          headers,
          body: { username: alice.user.username, password: alice.password },
        });
        expect(login.status, label).toBe(200);
        const unknown = await api.get('/v1/no-such-route', { headers });
        expect(unknown.status, label).toBe(404);
      }
    }
    expect(errorLines()).toEqual([]);
  });

  it("answers 401 to another site's token sent to this site", async () => {
    const bob = await newUser(t, { site: otherSite });
    const siteA = { 'x-synctalk-site': (await defaultSite(t)).publicId };
    expectUnauthorized(await api.get('/v1/me', { token: bob.token, headers: siteA }), 'header');
    const cookie = { ...siteA, cookie: `synctalk_access=${bob.token}` };
    expectUnauthorized(await api.get('/v1/me', { headers: cookie }), 'cookie');
    expect(errorLines()).toEqual([]);
  });

  it('refuses a malformed site token on POST /v1/auth/site-token with 401, a wrong body with 400', async () => {
    const siteTokens = [
      'garbage',
      '!!!.@@@.###',
      `${hs256}.${b64('notjson')}.sig`,
      `${json({ alg: 'HS256' })}.${b64('notjson')}.sig`,
      `${hs256}.${b64('null')}.sig`,
      `${json({ alg: 'none', typ: 'JWT' })}.${json({ sub: 'u1', jti: 'j1' })}.`,
    ];
    for (const token of siteTokens) {
      const res = await api.post('/v1/auth/site-token', { body: { token } });
      expectUnauthorized(res, token);
      // A malformed access token next to it changes nothing.
      const withHeader = await api.post('/v1/auth/site-token', {
        body: { token },
        headers: { authorization: `Bearer ${b64('x')}.${b64('notjson')}.x` },
      });
      expectUnauthorized(withHeader, `${token} with a bad bearer`);
    }
    for (const body of [{ token: 42 }, { token: '' }, {}, { token: 'a', extra: 1 }]) {
      const res = await api.post('/v1/auth/site-token', { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(errorLines()).toEqual([]);
  });

  it('refuses a malformed token in the /chat handshake with connect_error unauthorized', async () => {
    for (const [label, make] of malformed) {
      const refusal = await refusedChat(t.url, { token: make() });
      expect(refusal.data?.error.code, label).toBe('unauthorized');
    }
    expect(errorLines()).toEqual([]);
  });
});
