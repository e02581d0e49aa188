/**
 * The integration doors refuse bad input with a 4xx in the one error shape, before writing anything: the
 * server API (users, rooms, members, messages), the API-key and webhook admin routes. Malformed JSON,
 * unknown fields, wrong types, ids that are not ids, control characters in external ids, over-long text,
 * unknown event types and non-http(s) or credential-carrying endpoint URLs.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countUsers, newAdmin, newSite, type TestUser } from './helpers/factories.js';
import type { TestResponse } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** A 4xx in the one error shape, with `code`. */
function refused(res: TestResponse, code: string, status = 400): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
}

describeWith(['postgres'], 'integrations: bad input', () => {
  const { t, http } = useServer({ label: 'integrations_bad_input', env: { WEBHOOKS_ENABLED: 'false' } });
  let site: Site;
  let admin: TestUser;
  let headers: Record<string, string>;

  const count = async (table: string) =>
    Number((await t.server.db(table).count<{ n: string }[]>({ n: '*' }).first())?.n ?? 0);

  beforeAll(async () => {
    site = (await newSite(t)).site;
    admin = await newAdmin(t, { site });
    const { key } = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'b' } }))
      .body;
    headers = { authorization: `Bearer ${key}`, 'x-synctalk-site': site.publicId };
  });

  it('refuses bad users, rooms, members and messages on the server API, writing nothing', async () => {
    const users = await countUsers(t, site);
    const rooms = await count('rooms');
    const messages = await count('messages');

    refused(await http.put('/v1/server/users/a', { headers, rawBody: '{"displayName":' }), 'invalid_json');
    refused(
      await http.put('/v1/server/users/a', { headers, body: { displayName: 'A', role: 'admin' } }),
      'validation_failed',
    );
    refused(
      await http.put('/v1/server/users/a', { headers, body: { displayName: 42 } }),
      'validation_failed',
    );
    refused(
      await http.put('/v1/server/users/a', { headers, body: { avatarUrl: 'javascript:alert(1)' } }),
      'validation_failed',
    );
    refused(
      await http.put(`/v1/server/users/${encodeURIComponent('a\u0000b')}`, { headers, body: {} }),
      'validation_failed',
    );
    refused(
      await http.put(`/v1/server/users/${'x'.repeat(129)}`, { headers, body: {} }),
      'validation_failed',
    );

    refused(
      await http.post('/v1/server/rooms', { headers, body: { title: '', visibility: 'public' } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/server/rooms', { headers, body: { title: 'x', visibility: 'secret' } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/server/rooms', {
        headers,
        body: { title: 'x', visibility: 'public', members: [{ externalId: 'm', role: 'owner' }] },
      }),
      'validation_failed',
    );
    refused(
      await http.patch('/v1/server/rooms/not-an-id', { headers, body: { title: 'x' } }),
      'validation_failed',
    );
    refused(
      await http.put('/v1/server/rooms/1/members/m', { headers, body: { role: 'king' } }),
      'validation_failed',
    );

    refused(
      await http.post('/v1/server/rooms/1/messages', { headers, body: { text: '' } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/server/rooms/1/messages', { headers, body: { text: 'x'.repeat(4001) } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/server/rooms/1/messages', {
        headers,
        body: { text: 'x', clientMsgId: 'bad id\n' },
      }),
      'validation_failed',
    );
    refused(await http.get('/v1/server/rooms/1/messages?limit=0', { headers }), 'validation_failed');
    refused(await http.get('/v1/server/rooms/1/messages?before=abc', { headers }), 'validation_failed');

    expect(await countUsers(t, site)).toBe(users);
    expect(await count('rooms')).toBe(rooms);
    expect(await count('messages')).toBe(messages);
  });

  it('refuses bad API keys and bad key requests', async () => {
    const keys = await count('site_api_keys');
    refused(
      await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 7 } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'k', scopes: ['all'] } }),
      'validation_failed',
    );
    refused(await http.delete('/v1/site/api-keys/abc', { headers: admin.headers }), 'validation_failed');
    expect(await count('site_api_keys')).toBe(keys);
    // A malformed or made-up key is a 401, never a 500.
    for (const key of ['stk_', 'stk_short', `stk_${'A'.repeat(43)}`, `stk_${'é'.repeat(43)}`]) {
      refused(
        await http.get('/v1/server/users/a', { headers: { authorization: `Bearer ${key}` } }),
        'unauthorized',
        401,
      );
    }
  });

  it('refuses bad webhook endpoints, writing nothing', async () => {
    const endpoints = await count('webhook_endpoints');
    for (const url of [
      'ftp://hooks.example.com/x',
      'javascript:alert(1)',
      'https://user:pass@hooks.example.com/x',
      'not a url',
      `https://hooks.example.com/${'x'.repeat(2100)}`,
    ]) {
      refused(await http.post('/v1/site/webhooks', { headers, body: { url } }), 'validation_failed');
    }
    refused(
      await http.post('/v1/site/webhooks', {
        headers,
        body: { url: 'https://hooks.example.com/x', events: ['message.exploded'] },
      }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/site/webhooks', {
        headers,
        body: { url: 'https://hooks.example.com/x', events: [] },
      }),
      'validation_failed',
    );
    refused(await http.patch('/v1/site/webhooks/1', { headers, body: {} }), 'validation_failed');
    refused(
      await http.post('/v1/site/webhooks/1/secret', { headers, body: { overlapSeconds: -1 } }),
      'validation_failed',
    );
    refused(
      await http.post('/v1/site/webhooks/1/replay', { headers, body: { since: 'yesterday' } }),
      'validation_failed',
    );
    refused(await http.get('/v1/site/webhooks/1/deliveries?status=lost', { headers }), 'validation_failed');
    refused(await http.get('/v1/site/webhooks/1/deliveries?limit=1000', { headers }), 'validation_failed');
    expect(await count('webhook_endpoints')).toBe(endpoints);

    // On an endpoint that exists, a time that is not one is still a 400 (never reaching the database).
    const made = await http.post('/v1/site/webhooks', {
      headers,
      body: { url: 'https://hooks.example.com/x' },
    });
    expect(made.status).toBe(201);
    const replay = (since: string) =>
      http.post(`/v1/site/webhooks/${made.body.endpoint.id}/replay`, { headers, body: { since } });
    for (const since of ['yesterday', '2026-13-01T00:00:00Z', '2026-12-01', '']) {
      refused(await replay(since), 'validation_failed');
    }
    const ok = await replay('2026-12-01T00:00:00+09:00');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ queued: 0 });
  });
});
