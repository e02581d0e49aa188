/**
 * What `GET /metrics` reports, scraped where it is served: each server's metrics listener (METRICS_PORT).
 */
import { expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { type TestServer } from './helpers/server.js';

/** `name{labels} value` lines of a Prometheus text exposition, as [series, value]. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const count = (method: string, route: string, status: number) =>
  `http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`;

describeWith(['postgres'], 'GET /metrics', () => {
  const main = useServer({ label: 'metrics', env: { DATABASE_POOL_MAX: '7', METRICS_PORT: '0' } });
  const { t } = main;
  const other = useServer({ on: main, env: { METRICS_PORT: '0' } }).t;

  async function scrape(server: TestServer) {
    const res = await fetch(`${server.server.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return samples(await res.text());
  }

  it('counts requests by method, route template and status', async () => {
    await request(t.url, 'GET', '/v1/site/public');
    await request(t.url, 'GET', '/v1/site/public');
    await request(t.url, 'GET', '/v1/admin/sites/st_abcdefgh12345678');
    await request(t.url, 'GET', '/v1/admin/sites/st_zyxwvuts87654321');
    await request(t.url, 'GET', '/healthz');
    await request(t.url, 'GET', '/no/such/path/12345');
    await request(t.url, 'DELETE', '/v1/openapi.json');

    const m = await scrape(t);
    expect(m.get(count('GET', '/v1/site/public', 200))).toBe(2);
    // Two different ids, one series: the template, not the path.
    expect(m.get(count('GET', '/v1/admin/sites/:publicId', 401))).toBe(2);
    expect(m.get(count('GET', '/healthz', 200))).toBe(1);
    expect(m.get(count('GET', 'unmatched', 404))).toBe(1);
    expect(m.get(count('DELETE', 'unmatched', 405))).toBe(1);
    const bucket = [...m.keys()].find(
      (k) => k.startsWith('http_request_duration_seconds_bucket{') && k.includes('route="/v1/site/public"'),
    );
    expect(bucket).toMatch(/le="/);
    const series = [...m.keys()].join('\n');
    expect(series).not.toContain('st_abcdefgh12345678');
    expect(series).not.toContain('/no/such/path');
  });

  it('reports the database pool and socket connections', async () => {
    const m = await scrape(t);
    expect(m.get('synctalk_db_pool_max')).toBe(7);
    for (const state of ['used', 'free', 'pending']) {
      expect(m.get(`synctalk_db_pool_connections{state="${state}"}`)).toBeGreaterThanOrEqual(0);
    }
    // Requests have run, so the pool holds at least one connection.
    const open =
      m.get('synctalk_db_pool_connections{state="used"}')! +
      m.get('synctalk_db_pool_connections{state="free"}')!;
    expect(open).toBeGreaterThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(7);
    expect(m.get('synctalk_socket_connections')).toBe(0);
  });

  it('includes the process default metrics', async () => {
    const m = await scrape(t);
    expect(m.get('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect([...m.keys()].some((k) => k.startsWith('nodejs_eventloop_lag_seconds'))).toBe(true);
  });

  it('keeps each server instance to its own series', async () => {
    await request(t.url, 'GET', '/readyz');
    const mine = await scrape(t);
    const theirs = await scrape(other);
    expect(mine.get(count('GET', '/readyz', 200))).toBeGreaterThanOrEqual(1);
    expect(theirs.get(count('GET', '/readyz', 200))).toBeUndefined();
    expect(theirs.get('synctalk_db_pool_max')).toBe(10);
  });
});
