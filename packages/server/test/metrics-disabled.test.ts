import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { request } from './helpers/http.js';
import { useServer } from './helpers/use-server.js';

const TOKEN = 'metrics-token-0123456789abcdefghijklmnop';

describe('METRICS_ENABLED', () => {
  it('defaults to on and takes the usual booleans', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).metrics.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'false' }).metrics.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: '0' }).metrics.enabled).toBe(false);
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_ENABLED: 'maybe' })).toThrow(/METRICS_ENABLED/);
  });

  describe('when off', () => {
    // A port and a token change nothing: nothing is collected, so nothing is served.
    const { t } = useServer({
      services: [],
      env: { METRICS_ENABLED: 'false', METRICS_PORT: '0', METRICS_TOKEN: TOKEN },
    });

    it('serves no /metrics, opens no metrics listener and leaves it out of the document', async () => {
      expect(t.server.metricsUrl).toBeUndefined();
      const res = await request(t.url, 'GET', '/metrics', { token: TOKEN });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      const doc = await request(t.url, 'GET', '/v1/openapi.json');
      expect(doc.body.paths['/metrics']).toBeUndefined();
      expect(doc.body.paths['/healthz']).toBeDefined();
    });
  });
});
