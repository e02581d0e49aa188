/**
 * Without METRICS_PORT or METRICS_TOKEN, metrics are collected but not served: `GET /metrics` on the public
 * port is a 404, even with a bearer token, the document does not list it, and one line at start says how to
 * expose them.
 */
import { expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'metrics by default: collected, not served', () => {
  const { t } = useServer({ label: 'metrics_default', logs: true });

  it('answers 404 for /metrics on the public port, however asked', async () => {
    for (const path of ['/metrics', '/metrics/', '/METRICS']) {
      const res = await request(t.url, 'GET', path, { token: 'metrics-token-0123456789abcdefghijklmnop' });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(t.server.metricsUrl).toBeUndefined();
    const doc = await request(t.url, 'GET', '/v1/openapi.json');
    expect(doc.body.paths['/metrics']).toBeUndefined();
  });

  it('still collects them', async () => {
    await request(t.url, 'GET', '/healthz');
    const text = await t.server.metrics!.registry.metrics();
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1$/m,
    );
  });

  it('says once at start how to expose them', () => {
    const lines = t.logs.lines().filter((l) => /^metrics: /.test(l.msg));
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(30);
    expect(lines[0].msg).toContain('METRICS_PORT');
    expect(lines[0].msg).toContain('METRICS_TOKEN');
  });
});
