import { describe, expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { useServer } from './helpers/use-server.js';

describe('request ids on log lines', () => {
  const { t } = useServer({ services: [], logs: true });

  it("stamps the access log line with the caller's request id", async () => {
    const res = await request(t.url, 'GET', '/v1/site/public', {
      headers: { 'x-request-id': 'trace-abc.123' },
    });
    expect(res.status).toBe(200);
    const lines = t.logs.lines().filter((l) => l.requestId === 'trace-abc.123');
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'request', method: 'GET', path: '/v1/site/public', status: 200 }),
    );
  });

  it('invents an id when there is none and logs that one', async () => {
    const res = await request(t.url, 'GET', '/v1/no-such-thing');
    expect(res.status).toBe(404);
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = t.logs.lines().find((l) => l.requestId === id);
    expect(line).toMatchObject({ msg: 'request', status: 404, path: '/v1/no-such-thing' });
  });

  it('keeps the ids of concurrent requests apart, and start-up lines carry none', async () => {
    const startup = t.logs.lines().filter((l) => /database:|shared state:/.test(l.msg));
    expect(startup.length).toBeGreaterThan(0);
    expect(startup.every((l) => l.requestId === undefined)).toBe(true);
    const ids = ['one-1', 'two-2', 'three-3'];
    await Promise.all(
      ids.map((id) => request(t.url, 'GET', '/healthz', { headers: { 'x-request-id': id } })),
    );
    for (const id of ids) {
      const mine = t.logs.lines().filter((l) => l.requestId === id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ path: '/healthz', status: 200 });
    }
  });
});
