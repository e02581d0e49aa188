/**
 * METRICS_PORT: `GET /metrics` on a listener of its own (on METRICS_HOST, 127.0.0.1 by default), started by
 * `listen()` and closed by `close()`; the public port does not serve it and the API document does not list it.
 */
import { beforeAll, expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'METRICS_PORT: a metrics listener of its own', () => {
  const { t, db } = useServer({ label: 'metrics_port', env: { METRICS_PORT: '0' } });
  let metricsUrl: string;

  beforeAll(async () => {
    metricsUrl = t.server.metricsUrl!;
  });

  it('listens on another port of METRICS_HOST and serves the Prometheus text there', async () => {
    const url = new URL(metricsUrl);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).not.toBe(String(t.port));
    const res = await fetch(`${metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('synctalk_db_pool_max');
  });

  it('serves nothing else there, with the usual JSON errors', async () => {
    const other = await request(metricsUrl, 'GET', '/v1/site/public');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    const wrongMethod = await request(metricsUrl, 'DELETE', '/metrics');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe('method_not_allowed');
  });

  it('keeps /metrics off the public port and out of the document', async () => {
    const res = await request(t.url, 'GET', '/metrics');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const doc = await request(t.url, 'GET', '/v1/openapi.json');
    expect(doc.body.paths['/metrics']).toBeUndefined();
  });

  it('closes the listener with the server', async () => {
    const second = await startTestServer({ databaseUrl: db.url, env: { METRICS_PORT: '0' } });
    const url = `${second.server.metricsUrl}/metrics`;
    expect((await fetch(url)).status).toBe(200);
    await second.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});
