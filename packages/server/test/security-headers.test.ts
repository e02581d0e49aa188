/**
 * Every answer carries the security headers, errors and 404s included: nosniff, no referrer, a CSP that
 * loads and frames nothing for API answers (HTML pages keep their own, with frame-ancestors), CORP
 * same-origin except for the widget bundle any website loads, and HSTS only over HTTPS. Socket.IO's own
 * HTTP answers get nosniff too.
 */
import { beforeAll, expect, it } from 'vitest';
import { request, type TestResponse } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { widgetVersion } from './helpers/widget-build.js';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

describeWith(['postgres'], 'security headers', () => {
  const f = useWidgetFixture('security_headers');
  let t: TestServer;
  let proxied: TestServer;

  beforeAll(async () => {
    t = await f.start({ DEMO_PAGE: 'true' });
    proxied = await f.start({ TRUST_PROXY: '1' });
  });

  function expectApiHeaders(res: TestResponse | Response, label: string) {
    expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), label).toBe('no-referrer');
    expect(res.headers.get('content-security-policy'), label).toBe(API_CSP);
    expect(res.headers.get('x-frame-options'), label).toBe('DENY');
    expect(res.headers.get('cross-origin-resource-policy'), label).toBe('same-origin');
    // Plain HTTP: no HSTS.
    expect(res.headers.get('strict-transport-security'), label).toBeNull();
  }

  it('puts them on JSON answers, 404s, client errors and 405s', async () => {
    const ok = await request(t.url, 'GET', '/v1/site/public');
    expect(ok.status).toBe(200);
    expectApiHeaders(ok, 'json');
    const notFound = await request(t.url, 'GET', '/no/such/path');
    expect(notFound.status).toBe(404);
    expectApiHeaders(notFound, '404');
    const unauthorized = await request(t.url, 'GET', '/v1/me');
    expect(unauthorized.status).toBe(401);
    expectApiHeaders(unauthorized, '401');
    const badJson = await request(t.url, 'POST', '/v1/auth/login', { rawBody: '{"username":' });
    expect(badJson.status).toBe(400);
    expectApiHeaders(badJson, '400');
    const notAllowed = await request(t.url, 'DELETE', '/healthz');
    expect(notAllowed.status).toBe(405);
    expectApiHeaders(notAllowed, '405');
  });

  it('lets any website load the widget bundle, its map and its versioned URL (CORP cross-origin)', async () => {
    for (const path of [
      '/widget.js',
      '/widget.js.map',
      `/widget/${widgetVersion}/widget.js`,
      `/widget/${widgetVersion}/integrity.json`,
      '/widget/0.0.0-nope/widget.js',
    ]) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status, path).toBe(path.includes('nope') ? 404 : 200);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it("keeps the demo page's own CSP, which forbids framing", async () => {
    const res = await fetch(`${t.url}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'; script-src 'self'; /);
    expect(csp).toMatch(/(^|; )frame-ancestors 'none'$/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('sends HSTS only when the request came over HTTPS, as a trusted proxy tells', async () => {
    const https = await request(proxied.url, 'GET', '/healthz', {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const http = await request(proxied.url, 'GET', '/healthz', { headers: { 'x-forwarded-proto': 'http' } });
    expect(http.headers.get('strict-transport-security')).toBeNull();
    // Without TRUST_PROXY the header is the client's word: ignored.
    const untrusted = await request(t.url, 'GET', '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
    expect(untrusted.headers.get('strict-transport-security')).toBeNull();
  });

  it("puts nosniff on Socket.IO's handshake and polling answers", async () => {
    const handshake = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling`);
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('x-content-type-options')).toBe('nosniff');
    const sid = (JSON.parse((await handshake.text()).slice(1)) as { sid: string }).sid;
    const poll = await fetch(`${t.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: '1',
    });
    expect(poll.status).toBe(200);
    expect(poll.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
