/** Starting Kakao Login: the authorization URL, its one-time state, PKCE, scopes/nonce, and "not configured". */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { newSite } from './helpers/factories.js';
import { kakaoBrowser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: start', () => {
  const fake = useFakeKakao();
  // Three servers on one database: plain, with OpenID Connect scopes, and without Kakao configured.
  const main = useServer({ label: 'kakao_start', env: () => fake.env() });
  const { t } = main;
  const oidc = useServer({
    on: main,
    env: () => fake.env({ KAKAO_SCOPES: 'openid profile_nickname,account_email' }),
  }).t;
  const bare = useServer({ on: main }).t;
  const limited = useServer({ on: main, env: () => fake.env({ LOGIN_MAX_PER_IP: '2' }) }).t;
  let site: Site;

  beforeAll(async () => {
    site = (await newSite(t, { origins: ['https://shop.example', 'https://blog.example'] })).site;
  });

  const headers = () => ({ 'x-synctalk-site': site.publicId });

  describe('the authorization URL', () => {
    it('points at Kakao with our key, the configured redirect URI, a fresh state and an S256 challenge', async () => {
      const res = await client(t.url).get('/v1/auth/kakao/start', { headers: headers() });
      expect(res.status).toBe(200);
      // The URL to open is this server's authorize step, next to the callback of KAKAO_REDIRECT_URI ...
      expect(res.body.url).toBe(`https://chat.example.com/v1/auth/kakao/authorize?state=${res.body.state}`);
      expect(res.body.state).toMatch(/^[A-Za-z0-9_-]{43,}$/); // ≥ 256 bits
      expect(res.headers.get('cache-control')).toBeNull();
      // ... which redirects to Kakao.
      const step = await kakaoBrowser(t.url, fake).open(res.body.url);
      expect(step.status).toBe(302);
      expect(step.headers.get('cache-control')).toBe('no-store');
      const url = new URL(step.headers.get('location')!);
      expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/oauth/authorize`);
      const q = url.searchParams;
      expect(q.get('response_type')).toBe('code');
      expect(q.get('client_id')).toBe(fake.restApiKey);
      expect(q.get('redirect_uri')).toBe(fake.redirectUri);
      expect(q.get('state')).toBe(res.body.state);
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get('code_challenge_method')).toBe('S256');
      expect(q.has('scope')).toBe(false);
      expect(q.has('nonce')).toBe(false);
    });

    it('gives every start its own state and challenge', async () => {
      const browser = kakaoBrowser(t.url, fake);
      const [a, b] = await Promise.all([
        browser.start({ headers: headers() }),
        browser.start({ headers: headers() }),
      ]);
      expect(a.state).not.toBe(b.state);
      expect(new URL(a.url).searchParams.get('code_challenge')).not.toBe(
        new URL(b.url).searchParams.get('code_challenge'),
      );
    });

    it('never takes the redirect URI (or anything unknown) from the client', async () => {
      const res = await client(t.url).get(
        `/v1/auth/kakao/start?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
        { headers: headers() },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    });

    it('answers ?redirect=1 with a 302 to the same kind of URL', async () => {
      const res = await fetch(`${t.url}/v1/auth/kakao/start?redirect=1`, {
        headers: headers(),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const url = new URL(res.headers.get('location')!);
      expect(url.pathname).toBe('/v1/auth/kakao/authorize');
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      const kakao = new URL((await kakaoBrowser(t.url, fake).open(url)).headers.get('location')!);
      expect(kakao.pathname).toBe('/oauth/authorize');
      expect(kakao.searchParams.get('redirect_uri')).toBe(fake.redirectUri);
      expect(kakao.searchParams.get('state')).toBe(url.searchParams.get('state'));
    });

    it('asks for the configured scopes and, with openid, a nonce', async () => {
      const res = await kakaoBrowser(oidc.url, fake).start({ headers: headers() });
      const q = new URL(res.url).searchParams;
      expect(q.get('scope')).toBe('openid,profile_nickname,account_email');
      expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    });
  });

  describe('the popup origin', () => {
    it('accepts an allowed origin of the site and refuses any other', async () => {
      const api = client(t.url);
      const ok = await api.get(`/v1/auth/kakao/start?origin=${encodeURIComponent('https://blog.example')}`, {
        headers: headers(),
      });
      expect(ok.status).toBe(200);
      const bad = await api.get(`/v1/auth/kakao/start?origin=${encodeURIComponent('https://evil.example')}`, {
        headers: headers(),
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'validation_failed' });
      expect(bad.body.error.message).toMatch(/not allowed for this site/);
    });
  });

  describe('rate limit', () => {
    it('limits starts per IP like sign-in attempts (LOGIN_MAX_PER_IP), with Retry-After', async () => {
      const api = client(limited.url);
      expect((await api.get('/v1/auth/kakao/start', { headers: headers() })).status).toBe(200);
      expect((await api.get('/v1/auth/kakao/start', { headers: headers() })).status).toBe(200);
      const refused = await api.get('/v1/auth/kakao/start', { headers: headers() });
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('without Kakao configured', () => {
    it('answers every Kakao route with not_found "Kakao login is not configured"', async () => {
      const api = client(bare.url);
      const start = await api.get('/v1/auth/kakao/start');
      expect(start.status).toBe(404);
      expect(start.body.error).toEqual({ code: 'not_found', message: 'Kakao login is not configured' });

      const callback = await api.post('/v1/auth/kakao/callback', {
        body: { code: 'abc', state: 'A'.repeat(43) },
      });
      expect(callback.status).toBe(404);
      expect(callback.body.error.message).toBe('Kakao login is not configured');

      const popup = await fetch(`${bare.url}/v1/auth/kakao/callback?code=abc&state=${'A'.repeat(43)}`);
      expect(popup.status).toBe(404);
      expect(await popup.text()).toContain('Kakao login is not configured');
    });
  });
});
