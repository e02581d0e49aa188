import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import type { Site } from '../src/sites/sites.repository.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], "CORS on real requests: the Origin must be allowed by the request's site", () => {
  const { t, http } = useServer({ label: 'cors_site', env: { CORS_ORIGINS: 'https://home.example' } });
  let a: Site;
  let b: Site;

  beforeAll(async () => {
    a = (await newSite(t, { origins: ['https://a.example', 'http://localhost:5173'] })).site;
    b = (await newSite(t, { origins: ['https://b.example'] })).site;
  });

  it('echoes an allowed origin with credentials and the exposed headers', async () => {
    const res = await http.get('/v1/site/public', {
      headers: { origin: 'http://localhost:5173', 'x-synctalk-site': a.publicId },
    });
    expect(res.status).toBe(200);
    expect(res.body.publicId).toBe(a.publicId);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/);
    expect(res.headers.get('vary')).toMatch(/origin/i);
  });

  it('refuses an origin allowed by site A on a request for site B', async () => {
    const res = await http.get('/v1/site/public', {
      headers: { origin: 'https://a.example', 'x-synctalk-site': b.publicId },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    // ...and on the default site, whose origins are CORS_ORIGINS.
    const onDefault = await http.get('/v1/site/public', { headers: { origin: 'https://a.example' } });
    expect(onDefault.status).toBe(403);
    const home = await http.get('/v1/site/public', { headers: { origin: 'https://home.example' } });
    expect(home.status).toBe(200);
  });

  it('refuses before anything runs: a write from a refused origin changes nothing', async () => {
    const admin = await newAdmin(t, { site: b });
    const res = await http.patch('/v1/site', {
      headers: { ...admin.headers, origin: 'https://a.example' },
      body: { name: 'renamed from a.example' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('origin_not_allowed');
    expect((await t.server.deps.sites.repo.findById(b.id))!.name).toBe(b.name);
    const allowed = await http.patch('/v1/site', {
      headers: { ...admin.headers, origin: 'https://b.example' },
      body: { name: 'renamed from b.example' },
    });
    expect(allowed.status).toBe(200);
  });

  it('lets requests without an Origin through (server to server)', async () => {
    const res = await http.get('/v1/site/public', { headers: { 'x-synctalk-site': b.publicId } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the CORS headers on error answers, so the page can read them', async () => {
    const res = await http.get('/v1/admin/sites', {
      headers: { origin: 'https://a.example', 'x-synctalk-site': a.publicId },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://a.example');
    const missing = await http.get('/v1/no-such-route', {
      headers: { origin: 'https://a.example', 'x-synctalk-site': a.publicId },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('https://a.example');
  });
});
