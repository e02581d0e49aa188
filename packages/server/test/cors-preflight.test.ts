import { expect, it } from 'vitest';
import { newSite, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'CORS preflight', () => {
  const { t } = useServer({ label: 'cors_preflight', env: { CORS_ORIGINS: 'https://home.example' } });

  const preflight = (origin: string, path = '/v1/rooms', method = 'POST') =>
    fetch(`${t.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': method,
        'access-control-request-headers': 'authorization, content-type, x-synctalk-site',
      },
    });

  it('answers 204 for an origin some site allows, with what browsers need', async () => {
    const res = await preflight('https://home.example', '/v1/admin/sites/st_x', 'PATCH');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://home.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    const methods = res.headers.get('access-control-allow-methods')!.split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']));
    const headers = res.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/);
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-synctalk-site']));
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(res.headers.get('vary')).toMatch(/origin/i);
    expect(await res.text()).toBe('');
  });

  it("answers for any site's origin, since a preflight does not name its site", async () => {
    const { site } = await newSite(t, { origins: ['https://tenant.example'] });
    const res = await preflight('https://tenant.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://tenant.example');
    expect(site.allowedOrigins).toEqual(['https://tenant.example']);
  });

  it('refuses an origin no site allows with 403 origin_not_allowed', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'https://home.example.evil.example',
      'http://home.example',
    ]) {
      const res = await preflight(origin);
      expect(res.status, origin).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('origin_not_allowed');
    }
  });

  it('honours a site created a moment after its origin was refused', async () => {
    const origin = `https://${uniqueName('late')}.example`;
    expect((await preflight(origin)).status).toBe(403);
    await newSite(t, { origins: [origin] });
    const res = await preflight(origin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
  });

  it('leaves OPTIONS that is not a preflight to the routes', async () => {
    const res = await fetch(`${t.url}/v1/site/public`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toContain('GET');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
