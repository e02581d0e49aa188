/**
 * Login CSRF: a Kakao sign-in finishes only in the browser that opened it. The URL `start` hands out is this
 * server's authorize step, which sets an HttpOnly, SameSite=Lax flow cookie scoped to the callback path and
 * redirects to Kakao; both callbacks refuse a request without that cookie, leaving the state to its browser.
 * An attacker who sends their own callback URL (code and state) to a victim therefore signs nobody in.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite, newUser } from './helpers/factories.js';
import { kakaoBrowser, type KakaoBrowser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer } from './helpers/use-server.js';

const PAGE = 'https://shop.example';
const COOKIE = 'synctalk_kakao_flow';

describeWith(['postgres'], 'Kakao login: the flow is bound to the browser that started it', () => {
  const fake = useFakeKakao();
  const { t } = useServer({ label: 'kakao_state_cookie', env: () => fake.env() });
  let site: Site;
  let headers: Record<string, string>;

  beforeAll(async () => {
    site = (await newSite(t, { origins: [PAGE] })).site;
    headers = { 'x-synctalk-site': site.publicId };
  });
  afterEach(() => fake.reset());

  const tokenCalls = () => fake.requests.filter((r) => r.path === '/oauth/token').length;
  const pageMessage = (page: string) => {
    const json = /var message = (.*);\n/.exec(page)?.[1];
    return json === undefined ? undefined : JSON.parse(json);
  };

  /** The attacker's side: a flow started and authorized at Kakao in their own browser. */
  async function attackerFlow() {
    const attacker = kakaoBrowser(t.url, fake);
    const kakaoUser = fake.addUser({ nickname: 'Mallory' });
    const flow = await attacker.start({ headers: { ...headers, origin: PAGE } });
    const back = await fake.authorize(flow.url, { user: kakaoUser });
    return { attacker, back, flow };
  }

  /** A victim's browser that has a flow cookie of its own (from a flow it started and never finished). */
  async function victimWithOwnFlow(): Promise<KakaoBrowser> {
    const victim = kakaoBrowser(t.url, fake);
    await victim.start({ headers });
    expect(victim.jar.get(COOKIE)).toBeTruthy();
    return victim;
  }

  describe('the popup callback page', () => {
    it("refuses the attacker's callback URL in the victim's browser, then signs in the attacker's", async () => {
      const { attacker, back, flow } = await attackerFlow();
      const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];

      for (const victim of [kakaoBrowser(t.url, fake), await victimWithOwnFlow()]) {
        const res = await victim.callbackPage(back.location);
        const page = await res.text();
        expect(res.status).toBe(401);
        expect(page).toContain('not started in this browser');
        expect(pageMessage(page)).toMatchObject({ ok: false, state: flow.state });
        expect(page).not.toContain('accessToken');
        expect(res.headers.get('set-cookie') ?? '').not.toMatch(/synctalk_access=/);
        expect(victim.jar.has('synctalk_access')).toBe(false);
      }
      expect(tokenCalls()).toBe(0);
      expect(await countUsers(t)).toBe(users);
      expect(await countRefreshTokens(t)).toBe(tokens);

      // The state was left for its own browser: the attacker's browser, with its cookie, finishes.
      const own = await attacker.callbackPage(back.location);
      const page = await own.text();
      expect(own.status).toBe(200);
      expect(pageMessage(page)).toMatchObject({
        ok: true,
        state: flow.state,
        auth: { user: { kind: 'kakao', displayName: 'Mallory' } },
      });
      expect(own.headers.get('set-cookie')).toMatch(/synctalk_access=/);
      // ... and the spent flow cookie is cleared, on its own path.
      const cleared = own.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
      expect(cleared).toMatch(/^synctalk_kakao_flow=;/);
      expect(cleared).toMatch(/expires=Thu, 01 Jan 1970/i);
      expect(cleared).toMatch(/path=\/v1\/auth\/kakao\/callback/i);
      expect(attacker.jar.has(COOKIE)).toBe(false);
    });

    it('refuses a cancel from another browser too, and replays of a finished flow', async () => {
      const owner = kakaoBrowser(t.url, fake);
      const flow = await owner.start({ headers: { ...headers, origin: PAGE } });
      const cancelled = await fake.authorize(flow.url, { deny: true });
      const foreign = await kakaoBrowser(t.url, fake).callbackPage(cancelled.location);
      expect(foreign.status).toBe(401);
      expect(await foreign.text()).toContain('not started in this browser');

      // The owner's flow was untouched; it cancels, and then the state is gone for everyone.
      const own = await owner.callbackPage(cancelled.location);
      expect(await own.text()).toContain('Kakao sign-in was cancelled');
      const replay = await owner.callbackPage(cancelled.location);
      expect(replay.status).toBe(401);
      expect(await replay.text()).toContain('unknown, expired or already used');
    });

    it('works once: the same callback URL is refused after it signed in, in any browser', async () => {
      const owner = kakaoBrowser(t.url, fake);
      const flow = await owner.start({ headers });
      const back = await fake.authorize(flow.url, { user: fake.addUser() });
      const cookie = owner.jar.get(COOKIE)!;
      expect((await owner.callbackPage(back.location)).status).toBe(200);

      // Even with the flow cookie put back, the state is spent.
      owner.jar.set(COOKIE, cookie);
      for (const browser of [owner, kakaoBrowser(t.url, fake)]) {
        const replay = await browser.callbackPage(back.location);
        expect(replay.status).toBe(401);
        expect(await replay.text()).toContain('unknown, expired or already used');
      }
    });
  });

  describe('the JSON callback', () => {
    it("refuses the attacker's code and state without the attacker's cookie", async () => {
      const { attacker, back } = await attackerFlow();
      const body = { code: back.code, state: back.state };
      const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];

      for (const victim of [kakaoBrowser(t.url, fake), await victimWithOwnFlow()]) {
        const res = await victim.post('/v1/auth/kakao/callback', { headers, body });
        expect(res.status).toBe(401);
        expect(res.body.error).toMatchObject({ code: 'unauthorized' });
        expect(res.body.error.message).toMatch(/not started in this browser/);
        expect(res.headers.get('set-cookie')).toBeNull();
        expect(res.headers.get('authorization')).toBeNull();
      }
      // A forged cookie is no better than none.
      const forged = kakaoBrowser(t.url, fake);
      forged.jar.set(COOKIE, 'A'.repeat(43));
      expect((await forged.post('/v1/auth/kakao/callback', { headers, body })).status).toBe(401);
      expect(tokenCalls()).toBe(0);
      expect(await countUsers(t)).toBe(users);
      expect(await countRefreshTokens(t)).toBe(tokens);

      const own = await attacker.post('/v1/auth/kakao/callback', { headers, body });
      expect(own.status).toBe(200);
      expect(own.body.user.displayName).toBe('Mallory');
      expect(attacker.jar.has(COOKIE)).toBe(false);
      const replay = await attacker.post('/v1/auth/kakao/callback', { headers, body });
      expect(replay.status).toBe(401);
      expect(replay.body.error.message).toMatch(/unknown, expired or already used/);
    });
  });

  describe('the authorize step', () => {
    it('sets an HttpOnly, SameSite=Lax, Secure cookie on the callback path and redirects to Kakao', async () => {
      const start = await client(t.url).get('/v1/auth/kakao/start', { headers });
      const res = await kakaoBrowser(t.url, fake).open(start.body.url);
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).origin).toBe(fake.url);
      const [cookie, ...others] = res.headers.getSetCookie();
      expect(others).toHaveLength(0);
      const [pair, ...attributes] = cookie!.split(/;\s*/);
      const value = pair!.slice(`${COOKIE}=`.length);
      expect(pair!.startsWith(`${COOKIE}=`)).toBe(true);
      expect(value).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(value).not.toContain(start.body.state);
      const attrs = attributes.map((a) => a.toLowerCase());
      expect(attrs).toEqual(
        expect.arrayContaining([
          'path=/v1/auth/kakao/callback',
          'samesite=lax',
          'httponly',
          // KAKAO_REDIRECT_URI is https: the browser is on https even though this test server is not.
          'secure',
        ]),
      );
      const expires = attrs.find((a) => a.startsWith('expires='))!;
      const lifetime = new Date(expires.slice('expires='.length)).getTime() - Date.now();
      expect(lifetime).toBeGreaterThan(9 * 60_000);
      expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
    });

    it('opens once: a second browser opening the same link gets no cookie and cannot finish', async () => {
      const first = kakaoBrowser(t.url, fake);
      const flow = await first.start({ headers: { ...headers, origin: PAGE } });
      const second = kakaoBrowser(t.url, fake);
      const again = await second.open(flow.authorizeUrl);
      expect(again.status).toBe(401);
      expect(again.headers.get('set-cookie')).toBeNull();
      const page = await again.text();
      expect(page).toContain('already opened');
      // The opener hears of it.
      expect(pageMessage(page)).toMatchObject({ ok: false, state: flow.state });

      const back = await fake.authorize(flow.url, { user: fake.addUser() });
      expect((await second.callbackPage(back.location)).status).toBe(401);
      expect((await first.callbackPage(back.location)).status).toBe(200);
    });

    it('refuses unknown states and link states', async () => {
      const browser = kakaoBrowser(t.url, fake);
      const unknown = await browser.open(`${t.url}/v1/auth/kakao/authorize?state=${'Q'.repeat(43)}`);
      expect(unknown.status).toBe(401);
      expect(await unknown.text()).toContain('unknown, expired or already used');
      const malformed = await browser.open(`${t.url}/v1/auth/kakao/authorize?state=%3Cscript%3E`);
      expect(malformed.status).toBe(400);

      const member = await newUser(t, { site });
      const link = await client(t.url).post('/v1/me/kakao/link/start', { headers: member.headers, body: {} });
      expect(link.status).toBe(200);
      const linkStep = await browser.open(`${t.url}/v1/auth/kakao/authorize?state=${link.body.state}`);
      expect(linkStep.status).toBe(401);
      expect(browser.jar.has(COOKIE)).toBe(false);
    });
  });
});

describeWith(['postgres'], 'Kakao login: the flow cookie with a redirect URI on a page of the site', () => {
  const APP_PAGE = 'https://shop.example/kakao-callback';
  const fake = useFakeKakao({ redirectUri: APP_PAGE });
  const main = useServer({ label: 'kakao_cookie_app_page', env: () => fake.env() });
  const { t } = main;
  const prefixed = useServer({ on: main, env: () => fake.env({ PUBLIC_URL: 'https://example.com/chat' }) }).t;
  const bare = useServer({ on: main }).t;
  let headers: Record<string, string>;

  beforeAll(async () => {
    headers = { 'x-synctalk-site': (await newSite(t, { origins: [PAGE] })).site.publicId };
  });

  it("binds the flow on this server's own address; the page's POST with credentials finishes it", async () => {
    const browser = kakaoBrowser(t.url, fake);
    const flow = await browser.start({ headers });
    expect(flow.authorizeUrl).toBe(`${t.url}/v1/auth/kakao/authorize?state=${flow.state}`);
    const cookie = flow.authorize.headers.getSetCookie()[0]!.toLowerCase();
    expect(cookie).toContain('path=/v1/auth/kakao/callback');
    // Plain http end to end: no Secure flag (a browser would drop the cookie).
    expect(cookie).not.toContain('secure');

    const back = await fake.authorize(flow.url, { user: fake.addUser() });
    expect(`${back.location.origin}${back.location.pathname}`).toBe(APP_PAGE);
    const body = { code: back.code, state: back.state };
    const stranger = await kakaoBrowser(t.url, fake).post('/v1/auth/kakao/callback', { headers, body });
    expect(stranger.status).toBe(401);
    const res = await browser.post('/v1/auth/kakao/callback', { headers, body });
    expect(res.status).toBe(200);
  });

  it('puts the authorize step and the cookie path under the PUBLIC_URL path', async () => {
    const start = await client(prefixed.url).get('/v1/auth/kakao/start', { headers });
    expect(start.body.url).toBe(`https://example.com/chat/v1/auth/kakao/authorize?state=${start.body.state}`);
  });

  it('answers the authorize step like every Kakao route when Kakao is not configured', async () => {
    const res = await fetch(`${bare.url}/v1/auth/kakao/authorize?state=${'A'.repeat(43)}`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('Kakao login is not configured');
  });
});
