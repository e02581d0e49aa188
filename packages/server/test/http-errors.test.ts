import { describe, expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { useServer } from './helpers/use-server.js';

describe('HTTP error shape (embedded default)', () => {
  const { t } = useServer({ services: [] });

  it('answers unknown routes with a JSON not_found', async () => {
    const res = await request(t.url, 'GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
  });

  it('rejects malformed JSON with invalid_json', async () => {
    const res = await request(t.url, 'POST', '/healthz', { rawBody: '{"a":' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('rejects non-JSON bodies with unsupported_media_type', async () => {
    const res = await request(t.url, 'POST', '/healthz', {
      rawBody: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('rejects bodies over the limit with payload_too_large', async () => {
    const res = await request(t.url, 'POST', '/healthz', { body: { text: 'x'.repeat(200 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('echoes a well-formed request id and invents one otherwise', async () => {
    const mine = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(mine.headers.get('x-request-id')).toBe('abc-123');
    const forged = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
