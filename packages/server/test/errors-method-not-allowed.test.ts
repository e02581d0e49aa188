import { describe, expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { useServer } from './helpers/use-server.js';

describe('405 for a known path with another method', () => {
  const { t } = useServer({
    services: [],
    env: { METRICS_TOKEN: 'metrics-token-0123456789abcdefghijklmnop' },
  });

  it.each([
    ['DELETE', '/v1/openapi.json'],
    ['POST', '/v1/site/public'],
    ['PUT', '/v1/admin/sites'],
    ['DELETE', '/healthz'],
    ['POST', '/readyz'],
    ['DELETE', '/metrics'],
  ])('answers %s %s with JSON and an Allow header', async (method, path) => {
    const res = await request(t.url, method, path);
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: { code: 'method_not_allowed', message: 'Method not allowed' } });
    expect(res.headers.get('allow')).toMatch(/\bGET\b/);
    expect(res.headers.get('allow')).not.toContain(method);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('lists every method of the path in Allow', async () => {
    const res = await request(t.url, 'DELETE', '/v1/admin/sites');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')!.split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'POST']));
  });

  it('answers a method the router does not implement with the same JSON error', async () => {
    const res = await request(t.url, 'PROPFIND', '/v1/openapi.json');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
  });
});
