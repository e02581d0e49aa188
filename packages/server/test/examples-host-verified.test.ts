/**
 * examples/host-verified end to end, as its README runs it: the host site's backend (a child process) signs
 * a visitor in with its own session, mints a chat token for them, and that token signs them in to SyncTalk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { startExample, type RunningExample } from './helpers/example.js';
import { newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

// No services needed: the embedded defaults, as `npm start` runs them.
describe('examples/host-verified', () => {
  let t: TestServer;
  let site: Site;
  let secret: string;
  let host: RunningExample;

  beforeAll(async () => {
    t = await startTestServer();
    ({ site, secret } = await newSite(t, { origins: ['http://127.0.0.1:4000'] }));
    host = await startExample('host-verified/server.mjs', {
      SYNCTALK_URL: t.url,
      SYNCTALK_SITE_ID: site.publicId,
      SYNCTALK_SITE_SECRET: secret,
    });
  });
  afterAll(async () => {
    await host?.stop();
    await t?.close();
  });

  const signIn = async (name: string) => {
    const res = await fetch(`${host.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Lax/);
    return cookie.split(';')[0]!;
  };
  const chatToken = (cookie?: string) =>
    fetch(`${host.url}/chat-token`, { headers: cookie ? { cookie } : {} });
  const exchange = (token: string) =>
    client(t.url).post('/v1/auth/site-token', {
      headers: { 'x-synctalk-site': site.publicId },
      body: { token },
    });

  it('serves a page that loads the widget for its site, with no inline script and a strict CSP', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(
      `script-src 'self' ${t.url}; object-src 'none'; base-uri 'none'`,
    );
    const html = await res.text();
    expect(html).toContain(`<script async src="${t.url}/widget.js" data-site="${site.publicId}"></script>`);
    expect(html).toContain('<script src="/app.js"></script>');
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    const app = await (await fetch(`${host.url}/app.js`)).text();
    expect(app).toContain("SyncTalk('identify', { token })");
    expect(app).toContain("SyncTalk('logout')");
    expect(html + app).not.toContain(secret);
  });

  it('mints no token for a visitor who is not signed in, or whose session cookie was altered', async () => {
    expect((await chatToken()).status).toBe(401);
    const cookie = await signIn('Mallory');
    const [name, mac] = cookie.split('=')[1]!.split('.');
    const forged = `host_session=${Buffer.from('Ada Lovelace').toString('base64url')}.${mac}`;
    expect(name).toBe(Buffer.from('Mallory').toString('base64url'));
    expect((await chatToken(forged)).status).toBe(401);
  });

  it('signs the visitor in to SyncTalk as a site user, the same user on every visit, and not after sign-out', async () => {
    const cookie = await signIn('Ada Lovelace');
    const minted = await chatToken(cookie);
    expect(minted.status).toBe(200);
    expect(minted.headers.get('cache-control')).toBe('no-store');
    const { token, user } = (await minted.json()) as { token: string; user: { id: string; name: string } };
    expect(user).toEqual({ id: expect.stringMatching(/^host-[\w-]{22}$/), name: 'Ada Lovelace' });

    const first = await exchange(token);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({
      kind: 'site',
      displayName: 'Ada Lovelace',
      roles: ['ROLE_USER'],
    });
    const row = await t.server.db('users').where({ site_id: site.id, external_id: user.id }).first();
    expect(String(row.id)).toBe(first.body.user.id);
    const me = await client(t.url).get('/v1/me', {
      token: first.body.accessToken,
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(me.body).toMatchObject({ id: first.body.user.id, kind: 'site' });

    // Each token works once; the next page load mints a new one for the same user.
    expect((await exchange(token)).status).toBe(401);
    const again = await exchange(((await (await chatToken(cookie)).json()) as { token: string }).token);
    expect(again.body.user.id).toBe(first.body.user.id);

    const out = await fetch(`${host.url}/logout`, { method: 'POST', headers: { cookie } });
    expect(out.headers.get('set-cookie')).toMatch(/^host_session=;.*Max-Age=0/);
    expect((await chatToken(out.headers.get('set-cookie')!.split(';')[0])).status).toBe(401);
  });

  it('gives every name its own chat user, whatever its script, and the same one in any case', async () => {
    const idOf = async (name: string) => {
      const res = await chatToken(await signIn(name));
      return ((await res.json()) as { user: { id: string } }).user.id;
    };
    const ids = await Promise.all(['김민지', '이서준', 'Ada', 'ADA'].map(idOf));
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe(ids[3]);
  });

  it('refuses a sign-in that is not JSON (a cross-site form cannot sign a visitor in)', async () => {
    const res = await fetch(`${host.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Eve',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
