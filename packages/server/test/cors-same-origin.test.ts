/**
 * REST from the server's own origin (a page it served, like the demo page) passes the per-site origin check
 * for every site, whatever host and port it runs on: the origin as the request reached the server (Host, or
 * X-Forwarded-Proto/Host with TRUST_PROXY) or PUBLIC_URL's. Every other origin is treated as before.
 */
import { request as httpRequest } from 'node:http';
import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

/** A GET with a Host header of our choosing (fetch always sends the URL's host). */
function getWithHost(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; allowOrigin: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          allowOrigin: res.headers['access-control-allow-origin'] as string | undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describeWith(['postgres'], 'CORS: the server’s own origin is allowed for every site', () => {
  const env = { CORS_ORIGINS: 'https://home.example' };
  const main = useServer({ label: 'cors_same_origin', env });
  const { t } = main;
  const proxied = useServer({ on: main, env: { ...env, TRUST_PROXY: 'true' } }).t;
  const published = useServer({
    on: main,
    env: { ...env, PUBLIC_URL: 'https://chat.public.example/base/' },
  }).t;
  let shop: Site;

  beforeAll(async () => {
    shop = (await newSite(t, { origins: ['https://shop.example'] })).site;
  });

  const onSite = (site: Site | undefined, origin: string) => ({
    headers: { origin, ...(site ? { 'x-synctalk-site': site.publicId } : {}) },
  });

  it('answers requests from its own origin on the default site and on any other site', async () => {
    for (const site of [undefined, shop]) {
      const res = await client(t.url).get('/v1/site/public', onSite(site, t.url));
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(t.url);
    }
    // Writes too: a site admin renames their site from a page this server served.
    const admin = await newAdmin(t, { site: shop });
    const renamed = await client(t.url).patch('/v1/site', {
      headers: { ...admin.headers, origin: t.url },
      body: { name: 'Renamed from the demo page' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed from the demo page');
  });

  it('answers a preflight from its own origin', async () => {
    const res = await fetch(`${t.url}/v1/rooms`, {
      method: 'OPTIONS',
      headers: { origin: t.url, 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(t.url);
  });

  it('treats any other scheme, host or port as before: refused unless the site allows it', async () => {
    const { port } = new URL(t.url);
    const others = [
      `http://127.0.0.1:${Number(port) + 1}`,
      `https://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      'null',
      published.url, // another server's own origin is not this one's
    ];
    for (const origin of others) {
      const res = await client(t.url).get('/v1/site/public', onSite(shop, origin));
      expect(res.status, origin).toBe(403);
      expect(res.body.error.code).toBe('origin_not_allowed');
      const preflight = await fetch(`${t.url}/v1/rooms`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status, origin).toBe(403);
    }
    expect((await client(t.url).get('/v1/site/public', onSite(shop, 'https://shop.example'))).status).toBe(
      200,
    );
    expect(
      (await client(t.url).get('/v1/site/public', onSite(undefined, 'https://home.example'))).status,
    ).toBe(200);
  });

  it('follows the Host the request was sent to', async () => {
    const { port } = new URL(t.url);
    const asLocalhost = { host: `localhost:${port}`, 'x-synctalk-site': shop.publicId };
    const ok = await getWithHost(`${t.url}/v1/site/public`, {
      ...asLocalhost,
      origin: `http://localhost:${port}`,
    });
    expect(ok).toEqual({ status: 200, allowOrigin: `http://localhost:${port}` });
    const mismatch = await getWithHost(`${t.url}/v1/site/public`, { ...asLocalhost, origin: t.url });
    expect(mismatch.status).toBe(403);
  });

  it('uses X-Forwarded-Proto and X-Forwarded-Host only with TRUST_PROXY', async () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example.com' };
    const trusted = await client(proxied.url).get('/v1/site/public', {
      headers: { ...forwarded, origin: 'https://chat.example.com', 'x-synctalk-site': shop.publicId },
    });
    expect(trusted.status).toBe(200);
    expect(trusted.headers.get('access-control-allow-origin')).toBe('https://chat.example.com');
    const untrusted = await client(t.url).get('/v1/site/public', {
      headers: { ...forwarded, origin: 'https://chat.example.com', 'x-synctalk-site': shop.publicId },
    });
    expect(untrusted.status).toBe(403);
  });

  it("accepts PUBLIC_URL's origin, whatever Host the proxy passed on", async () => {
    const res = await client(published.url).get(
      '/v1/site/public',
      onSite(shop, 'https://chat.public.example'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://chat.public.example');
    // With PUBLIC_URL set, the address the Host header names is not an own origin (DNS rebinding).
    const direct = await client(published.url).get('/v1/site/public', onSite(shop, published.url));
    expect(direct.status).toBe(403);
    expect((direct.body as { error: { code: string } }).error.code).toBe('origin_not_allowed');
  });
});
