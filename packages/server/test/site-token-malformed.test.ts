/**
 * Malformed site tokens: whatever arrives in `{ token }` — garbage, broken base64, a header or payload that is
 * not JSON, the wrong or no algorithm, missing claims, the wrong time or site, a bad signature — is a 401
 * `unauthorized` (a body of the wrong shape is a 400), never a 500, and nothing is logged at error level.
 */
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { nowSeconds, siteTokenClaims } from './helpers/token-claims.js';

const b64 = (text: string) => Buffer.from(text).toString('base64url');
const json = (value: unknown) => b64(JSON.stringify(value));
const HS256 = json({ alg: 'HS256', typ: 'JWT' });

describeWith(['postgres'], 'Site tokens: malformed tokens are 401s, not 500s', () => {
  const { t } = useServer({ label: 'site_token_malformed', logs: true });
  let site: Site;
  let secret: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t));
    headers = { 'x-synctalk-site': site.publicId };
  });

  const now = nowSeconds;
  const claims = (extra: Record<string, unknown> = {}) => siteTokenClaims(site, extra);
  /** `header.payload` (already encoded) with a valid HS256 MAC by the site's secret. */
  const signed = (header: string, payload: string, key = secret) => {
    const input = `${header}.${payload}`;
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
  };

  const errorLines = () => t.logs.lines().filter((line) => line.level >= 50);

  async function expectStatus(body: unknown, status: 400 | 401) {
    const [users, tokens, errors] = [await countUsers(t), await countRefreshTokens(t), errorLines().length];
    const res = await client(t.url).post('/v1/auth/site-token', { headers, body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(status === 401 ? 'unauthorized' : 'validation_failed');
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
    expect(errorLines()).toHaveLength(errors);
    return res;
  }
  const rejected = (token: string) => expectStatus({ token }, 401);

  describe('not a JWT at all', () => {
    it('garbage', () => rejected('garbage'));
    it('three dots of nothing', () => rejected('..'));
    it('characters outside base64url', () => rejected('!!!.@@@.###'));
    it('a header that is not base64 of anything', () => rejected(`%%%%.${json(claims())}.sig`));
    it('a header that is not JSON', () => rejected(signed(b64('{"alg":"HS256"'), json(claims()))));
    it('a header that is JSON null, a number or an array', async () => {
      await rejected(signed(b64('null'), json(claims())));
      await rejected(signed(b64('42'), json(claims())));
      await rejected(signed(b64('["HS256"]'), json(claims())));
    });
  });

  describe('a payload that is not a claims object', () => {
    it('not JSON, under a typ JWT header', () => rejected(signed(HS256, b64('not json at all'))));
    it('truncated JSON, under a typ JWT header', () => rejected(signed(HS256, b64('{"sub":"x"'))));
    it('not JSON, without typ', () => rejected(signed(json({ alg: 'HS256' }), b64('{{{'))));
    it('JSON null, a number, a string or an array', async () => {
      await rejected(signed(HS256, b64('null')));
      await rejected(signed(HS256, b64('7')));
      await rejected(signed(HS256, json('a string')));
      await rejected(signed(HS256, json([claims()])));
    });
    it('bytes that are not UTF-8', () =>
      rejected(signed(HS256, Buffer.from([0xff, 0xfe, 0x7b, 0x00]).toString('base64url'))));
  });

  describe('the wrong algorithm', () => {
    it('alg none, no signature', () => rejected(`${json({ alg: 'none', typ: 'JWT' })}.${json(claims())}.`));
    it('alg none, with a signature', () => rejected(signed(json({ alg: 'none' }), json(claims()))));
    it('HS512', () => rejected(jwt.sign(claims(), secret, { algorithm: 'HS512' })));
    it('alg of the wrong type', () => rejected(signed(json({ alg: { name: 'HS256' } }), json(claims()))));
  });

  describe('claims', () => {
    it('missing sub, jti, iat, exp or site', async () => {
      for (const missing of ['sub', 'jti', 'iat', 'exp', 'site']) {
        await rejected(signed(HS256, json(claims({ [missing]: undefined }))));
      }
    });
    it('claims of the wrong type', async () => {
      await rejected(signed(HS256, json(claims({ exp: 'tomorrow' }))));
      await rejected(signed(HS256, json(claims({ iat: 'now' }))));
      await rejected(signed(HS256, json(claims({ nbf: 'later' }))));
      await rejected(signed(HS256, json(claims({ sub: 42 }))));
      await rejected(signed(HS256, json(claims({ jti: { id: 1 } }))));
      await rejected(signed(HS256, json(claims({ exp: 1e308, iat: 1e308 - 1 }))));
    });
    it('expired', () => rejected(signed(HS256, json(claims({ iat: now() - 7200, exp: now() - 3600 })))));
    it('not valid yet (nbf)', () => rejected(signed(HS256, json(claims({ nbf: now() + 3600 })))));
    it('for another site', () => rejected(signed(HS256, json(claims({ site: 'st_Other' })))));
  });

  describe('the signature', () => {
    it('by another secret', () => rejected(signed(HS256, json(claims()), 'sts_another-secret')));
    it('missing', () => rejected(`${HS256}.${json(claims())}.`));
    it('not base64url', () => rejected(`${HS256}.${json(claims())}.***`));
    it('four segments', () => rejected(`${signed(HS256, json(claims()))}.extra`));
  });

  it('a body of the wrong shape is a 400 validation_failed', async () => {
    await expectStatus({}, 400);
    await expectStatus({ token: '' }, 400);
    await expectStatus({ token: 42 }, 400);
    await expectStatus({ token: ['a.b.c'] }, 400);
    await expectStatus({ token: 'x'.repeat(8193) }, 400);
    await expectStatus({ token: signed(HS256, json(claims())), extra: true }, 400);
  });
});
