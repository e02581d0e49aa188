/**
 * The popup flow: KAKAO_REDIRECT_URI points at `GET /v1/auth/kakao/callback`, which answers with a page that
 * posts the outcome to `window.opener` at exactly the origin recorded when the flow started — never '*' —
 * under a nonce-only CSP, uncached.
 */
import { expect, it } from 'vitest';
import { countUsers, newSite } from './helpers/factories.js';
import { kakaoBrowser, type FakeKakaoUser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

const SHOP = 'https://shop.example';
/** The embedding page in these tests: not the site's first origin, so its Origin header must be what counts. */
const BLOG = 'https://blog.example';

describeWith(['postgres'], 'Kakao login: popup callback page', () => {
  const fake = useFakeKakao();
  const { t } = useServer({ label: 'kakao_popup', env: () => fake.env() });
  const { site, headers } = useSite(t, { origins: [SHOP, BLOG] });

  /**
   * Opens the popup from `BLOG`: start (with the page's Origin), the authorize step, Kakao, then the redirect
   * to our page.
   */
  async function popup(
    as: { user?: FakeKakaoUser; deny?: boolean },
    startHeaders = { ...headers, origin: BLOG },
  ) {
    const browser = kakaoBrowser(t.url, fake);
    const flow = await browser.start({ headers: startHeaders });
    const back = await fake.authorize(flow.url, as);
    expect(`${back.location.origin}${back.location.pathname}`).toBe(fake.redirectUri);
    // The browser follows Kakao's redirect: a top-level GET with no site header and no Origin.
    const res = await browser.callbackPage(back.location);
    return { res, page: await res.text(), state: flow.state };
  }

  function parsePage(page: string) {
    const message = /var message = (.*);\n/.exec(page)?.[1];
    const target = /var targetOrigin = (.*);\n/.exec(page)?.[1];
    return {
      message: message === undefined ? undefined : JSON.parse(message),
      target: target === undefined ? undefined : JSON.parse(target),
    };
  }

  it('signs in and posts the AuthResponse to the opener at the page origin only', async () => {
    const before = await countUsers(t, site);
    const { res, page, state } = await popup({ user: fake.addUser({ nickname: 'Frodo' }) });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(page).toContain(`<script nonce="${nonce}">`);
    expect(res.headers.get('set-cookie')).toMatch(/synctalk_access=/);

    const { message, target } = parsePage(page);
    expect(target).toBe(BLOG);
    expect(page).toContain('window.opener.postMessage(message, targetOrigin)');
    expect(page).not.toMatch(/['"]\*['"]/);
    expect(message).toMatchObject({
      source: 'synctalk',
      type: 'kakao:login',
      ok: true,
      state,
      auth: { tokenType: 'Bearer', user: { kind: 'kakao', displayName: 'Frodo' } },
    });
    expect(await countUsers(t, site)).toBe(before + 1);

    // The posted tokens are real.
    const me = await client(t.url).get('/v1/me', { token: message.auth.accessToken, headers });
    expect(me.status).toBe(200);
  });

  it('posts to the origin asked for at start, else to the first site origin', async () => {
    const browser = kakaoBrowser(t.url, fake);
    const asked = await browser.start({ headers, query: `?origin=${encodeURIComponent(BLOG)}` });
    const back = await fake.authorize(asked.url, { user: fake.addUser() });
    const page = await (await browser.callbackPage(back.location)).text();
    expect(parsePage(page).target).toBe(BLOG);

    const unsaid = await browser.start({ headers });
    const back2 = await fake.authorize(unsaid.url, { user: fake.addUser() });
    const page2 = await (await browser.callbackPage(back2.location)).text();
    expect(parsePage(page2).target).toBe(SHOP);
  });

  it('starts from a plain navigation (window.open) naming the site in the query', async () => {
    const browser = kakaoBrowser(t.url, fake);
    const start = `${t.url}/v1/auth/kakao/start?redirect=1&site=${site.publicId}&origin=${encodeURIComponent(BLOG)}`;
    const nav = await browser.open(start);
    expect(nav.status).toBe(302);
    // To the authorize step, which sets the flow cookie and goes on to Kakao.
    const authorize = await browser.open(nav.headers.get('location')!);
    expect(authorize.status).toBe(302);
    const back = await fake.authorize(authorize.headers.get('location')!, {
      user: fake.addUser({ nickname: 'Pippin' }),
    });
    const res = await browser.callbackPage(back.location);
    const { message, target } = parsePage(await res.text());
    expect(target).toBe(BLOG);
    expect(message.auth.user.displayName).toBe('Pippin');
    const row = await t.server.db('users').where({ id: message.auth.user.id }).first();
    expect(String(row.site_id)).toBe(site.id);

    const clash = await client(t.url).get(`/v1/auth/kakao/start?site=${site.publicId}`, {
      headers: { 'x-synctalk-site': (await newSite(t)).site.publicId },
    });
    expect(clash.status).toBe(400);
    const unknown = await client(t.url).get('/v1/auth/kakao/start?site=st_nope');
    expect(unknown.status).toBe(404);
  });

  it('escapes what Kakao sends: a nickname cannot break out of the script', async () => {
    const { page } = await popup({ user: fake.addUser({ nickname: '</script><script>alert(1)</script>' }) });
    expect(page).not.toContain('<script>alert(1)');
    expect(page.match(/<\/script>/g)).toHaveLength(1);
    expect(parsePage(page).message.auth.user.displayName).toBe('</script><script>alert(1)</script>');
  });

  it('tells the opener when the user cancels at Kakao, and the state is used up', async () => {
    const before = await countUsers(t);
    const { res, page, state } = await popup({ deny: true });
    expect(res.status).toBe(401);
    const { message, target } = parsePage(page);
    expect(target).toBe(BLOG);
    expect(message).toMatchObject({
      type: 'kakao:login',
      ok: false,
      state,
      error: { code: 'unauthorized', message: 'Kakao sign-in was cancelled' },
    });
    // No session; only the spent flow cookie is cleared.
    expect(res.headers.get('set-cookie')).not.toMatch(/synctalk_access=/);
    expect(await countUsers(t)).toBe(before);

    const retry = await client(t.url).post('/v1/auth/kakao/callback', {
      headers,
      body: { code: fake.mintCode({ user: fake.addUser() }), state },
    });
    expect(retry.status).toBe(401);
    expect(retry.body.error.message).toMatch(/unknown, expired or already used/);
  });

  it('shows an unknown state a page that posts nothing anywhere', async () => {
    const res = await fetch(`${t.url}/v1/auth/kakao/callback?code=abc&state=${'Q'.repeat(43)}`);
    expect(res.status).toBe(401);
    const page = await res.text();
    expect(page).toContain('unknown, expired or already used');
    expect(page).not.toContain('<script');
  });

  it('refuses a callback that names another site', async () => {
    const other = (await newSite(t)).site;
    const browser = kakaoBrowser(t.url, fake);
    const flow = await browser.start({ headers: { ...headers, origin: BLOG } });
    const back = await fake.authorize(flow.url, { user: fake.addUser() });
    const before = await countUsers(t);
    const res = await browser.callbackPage(back.location, { 'x-synctalk-site': other.publicId });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('started for another site');
    expect(await countUsers(t)).toBe(before);
  });

  it('signs in without posting anything when the site has no allowed origin to post to', async () => {
    const closed = (await newSite(t, { origins: [] })).site;
    const browser = kakaoBrowser(t.url, fake);
    const flow = await browser.start({ headers: { 'x-synctalk-site': closed.publicId } });
    const back = await fake.authorize(flow.url, { user: fake.addUser() });
    const res = await browser.callbackPage(back.location);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Signed in with Kakao');
    expect(page).not.toContain('<script');
  });
});
