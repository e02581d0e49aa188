import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { request } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('METRICS_ENABLED', () => {
  it('defaults to on and takes the usual booleans', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).metrics.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'false' }).metrics.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: '0' }).metrics.enabled).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'maybe' })).toThrow(/METRICS_ENABLED/);
  });

  describe('when off', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ env: { METRICS_ENABLED: 'false' } });
    });
    afterAll(() => t?.close());

    it('serves no /metrics and leaves it out of the document', async () => {
      const res = await request(t.url, 'GET', '/metrics');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      const doc = await request(t.url, 'GET', '/v1/openapi.json');
      expect(doc.body.paths['/metrics']).toBeUndefined();
      expect(doc.body.paths['/healthz']).toBeDefined();
    });
  });
});
