/**
 * Site tokens, refused: each way a token can be wrong is a 401 whose message names it, and no user or
 * session comes out of it.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { nowSeconds, siteTokenClaims } from './helpers/token-claims.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT with any header and payload, signed HMAC-SHA256 over whatever the header claims. */
function handMade(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describeWith(['postgres', 'redisCluster'], 'Site tokens: rejections', () => {
  const { t } = useServer({ label: 'site_token_rej', services: ['postgres', 'redisCluster'] });
  let site: Site;
  let secret: string;
  let other: { site: Site; secret: string };
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t));
    other = await newSite(t);
    headers = { 'x-synctalk-site': site.publicId };
  });

  const now = nowSeconds;
  const claims = (extra: Record<string, unknown> = {}) => siteTokenClaims(site, extra);
  // Exactly these claims (a JWT library would add iat), HS256.
  const sign = (payload: Record<string, unknown>, key = secret) =>
    handMade({ alg: 'HS256', typ: 'JWT' }, payload, key);

  async function expectRejected(token: string, reason: RegExp, h = headers) {
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    const res = await client(t.url).post('/v1/auth/site-token', { headers: h, body: { token } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toMatch(/^Site token rejected: /);
    expect(res.body.error.message).toMatch(reason);
    expect(res.headers.get('authorization')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
  }

  describe('time', () => {
    it('expired', () => expectRejected(sign(claims({ iat: now() - 7200, exp: now() - 3600 })), /expired/));
    it('issued in the future beyond 60 s of skew', () =>
      expectRejected(sign(claims({ iat: now() + 600, exp: now() + 1200 })), /issued in the future/));
    it('a lifetime over 24 hours', () =>
      expectRejected(sign(claims({ exp: now() + 86400 + 1 })), /longer than 24 hours/));
    it('without exp', () => expectRejected(sign(claims({ exp: undefined })), /"exp"/));
    it('without iat', () => expectRejected(sign(claims({ iat: undefined })), /"iat"/));
  });

  describe('site', () => {
    it('a token naming another site, even signed with this secret', () =>
      expectRejected(sign(claims({ site: other.site.publicId })), /issued for another site/));
    it("another site's genuine token presented here", () =>
      expectRejected(
        createUserToken({ siteId: other.site.publicId, siteSecret: other.secret, userId: 'u' }),
        /issued for another site/,
      ));
    it('without the site claim', () => expectRejected(sign(claims({ site: undefined })), /"site"/));
  });

  describe('signature and algorithm', () => {
    it('tampered payload', async () => {
      const [h, , s] = sign(claims({ sub: 'customer-1' })).split('.');
      const forged = `${h}.${b64(claims({ sub: 'admin' }))}.${s}`;
      await expectRejected(forged, /signature does not match/);
    });
    it('signed with another secret', () =>
      expectRejected(sign(claims(), 'sts_not-this-sites-secret'), /signature/));
    it('HS512', () =>
      expectRejected(jwt.sign(claims(), secret, { algorithm: 'HS512' }), /must be signed with HS256/));
    it('alg none', () =>
      expectRejected(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /must be signed with HS256/));
    it('RS256, even with a real key', () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      return expectRejected(
        jwt.sign(claims(), privateKey, { algorithm: 'RS256' }),
        /must be signed with HS256/,
      );
    });
    it('a header lying about HS256 over another MAC', () => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
      const mac = createHmac('sha512', secret).update(input).digest('base64url');
      return expectRejected(`${input}.${mac}`, /signature/);
    });
    it('not a JWT', () => expectRejected('hello.world', /not a well-formed JWT/));
  });

  describe('claims', () => {
    it('without sub', () => expectRejected(sign(claims({ sub: undefined })), /"sub" is required/));
    it('sub over 128 characters', () =>
      expectRejected(sign(claims({ sub: 'x'.repeat(129) })), /"sub" must be at most 128/));
    it('without jti', () => expectRejected(sign(claims({ jti: undefined })), /"jti" is required/));
    it('a name with control characters', () =>
      expectRejected(sign(claims({ name: 'Bad\u0007Name' })), /claim "name"/));
    it('an avatar that is not an http(s) URL', () =>
      expectRejected(sign(claims({ avatar: 'javascript:alert(1)' })), /claim "avatar"/));
  });

  it('a replayed token (same jti) works once only', async () => {
    const token = handMade({ alg: 'HS256', typ: 'JWT' }, claims(), secret);
    const first = await client(t.url).post('/v1/auth/site-token', { headers, body: { token } });
    expect(first.status).toBe(200);
    await expectRejected(token, /already used/);
    // Another token reusing the jti is the same replay.
    const { jti } = jwt.decode(token) as { jti: string };
    await expectRejected(sign(claims({ jti, sub: 'someone-else' })), /already used/);
  });

  it("a token signed with the site's old secret after a rotation", async () => {
    const token = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'rotating' });
    const fresh = await t.server.deps.sites.rotateSecret(site.id);
    try {
      await expectRejected(token, /signature does not match/);
    } finally {
      secret = fresh!;
    }
    const ok = await client(t.url).post('/v1/auth/site-token', {
      headers,
      body: { token: createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'rotating' }) },
    });
    expect(ok.status).toBe(200);
  });

  it('an empty or missing token is a 400', async () => {
    const api = client(t.url);
    expect((await api.post('/v1/auth/site-token', { headers, body: { token: '' } })).status).toBe(400);
    expect((await api.post('/v1/auth/site-token', { headers, body: {} })).status).toBe(400);
    expect(
      (await api.post('/v1/auth/site-token', { headers, body: { token: 'a.b.c', sub: 'x' } })).status,
    ).toBe(400);
  });
});
