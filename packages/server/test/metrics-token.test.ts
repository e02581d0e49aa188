/**
 * METRICS_TOKEN: `GET /metrics` on the public port, only with `Authorization: Bearer <token>`; anything else
 * is a 401 in the usual JSON shape. The API document lists the route with its security scheme.
 */
import { expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnop';

describeWith(['postgres'], 'METRICS_TOKEN: /metrics on the public port behind a bearer token', () => {
  const { t } = useServer({ label: 'metrics_token', env: { METRICS_TOKEN: TOKEN } });

  it('answers 401 without the token, with a wrong one, or in another scheme', async () => {
    for (const authorization of [
      undefined,
      'Bearer ',
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${'x'.repeat(TOKEN.length)}`,
      `Basic ${Buffer.from(`metrics:${TOKEN}`).toString('base64')}`,
      TOKEN,
    ]) {
      const res = await request(t.url, 'GET', '/metrics', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.status, authorization).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(String(res.body)).not.toContain('synctalk_');
    }
  });

  it('serves the metrics with the token', async () => {
    const res = await request(t.url, 'GET', '/metrics', { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toContain('http_request_duration_seconds');
    expect(t.server.metricsUrl).toBeUndefined();
  });

  it('answers other methods with 405 JSON', async () => {
    const res = await request(t.url, 'DELETE', '/metrics', { token: TOKEN });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
  });

  it('lists /metrics in the document, with its token', async () => {
    const doc = (await request(t.url, 'GET', '/v1/openapi.json')).body;
    expect(doc.paths['/metrics'].get.security).toEqual([{ metricsToken: [] }]);
    expect(doc.paths['/metrics'].get.responses['401']).toBeDefined();
    expect(doc.components.securitySchemes.metricsToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
