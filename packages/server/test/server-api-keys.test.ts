import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(
  ['postgres'],
  'server api: site API keys (created by site admins, shown once, revocable)',
  () => {
    const { t, http } = useServer({ label: 'server_api_keys' });
    let site: Site;
    let admin: TestUser;
    let user: TestUser;
    let otherAdmin: TestUser;

    const bearer = (key: string, s: Site = site) => ({
      authorization: `Bearer ${key}`,
      'x-synctalk-site': s.publicId,
    });

    beforeAll(async () => {
      site = (await newSite(t)).site;
      admin = await newAdmin(t, { site });
      user = await newUser(t, { site });
      otherAdmin = await newAdmin(t, { site: (await newSite(t)).site });
    });

    it('shows the key once, stores only its digest, and lists keys without it', async () => {
      const created = await http.post('/v1/site/api-keys', {
        headers: admin.headers,
        body: { name: 'backend' },
      });
      expect(created.status).toBe(201);
      const { apiKey, key } = created.body;
      expect(key).toMatch(/^stk_[0-9A-Za-z]{43}$/);
      expect(apiKey).toMatchObject({ name: 'backend', lastUsedAt: null });
      expect(key.startsWith(apiKey.prefix)).toBe(true);
      expect(apiKey.prefix.length).toBeLessThan(20);

      const [row] = await t.server.db('site_api_keys').where({ id: apiKey.id });
      expect(JSON.stringify(row)).not.toContain(key);
      expect(row.key_hash).not.toBe(key);

      const list = await http.get('/v1/site/api-keys', { headers: admin.headers });
      expect(list.status).toBe(200);
      const mine = list.body.items.find((k: { id: string }) => k.id === apiKey.id);
      expect(mine).toEqual(apiKey);
      expect(JSON.stringify(list.body)).not.toContain(key);
      for (const item of list.body.items) expect(item).not.toHaveProperty('key');
    });

    it('authenticates the server API with the key and records its use', async () => {
      const { body } = await http.post('/v1/site/api-keys', {
        headers: admin.headers,
        body: { name: 'used' },
      });
      const res = await http.get('/v1/server/users/nobody', { headers: bearer(body.key) });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      // The use is recorded in the background, right after authentication.
      await expect
        .poll(async () => {
          const list = await http.get('/v1/site/api-keys', { headers: admin.headers });
          return list.body.items.find((k: { id: string }) => k.id === body.apiKey.id).lastUsedAt;
        })
        .not.toBeNull();
    });

    it('refuses a revoked key at once with 401, and drops it from the list', async () => {
      const { body } = await http.post('/v1/site/api-keys', {
        headers: admin.headers,
        body: { name: 'old' },
      });
      expect((await http.get('/v1/server/users/x', { headers: bearer(body.key) })).status).toBe(404);
      const revoked = await http.delete(`/v1/site/api-keys/${body.apiKey.id}`, { headers: admin.headers });
      expect(revoked.status).toBe(204);
      const res = await http.get('/v1/server/users/x', { headers: bearer(body.key) });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      const list = await http.get('/v1/site/api-keys', { headers: admin.headers });
      expect(list.body.items.map((k: { id: string }) => k.id)).not.toContain(body.apiKey.id);
      // Revoking it again: there is no such live key.
      expect(
        (await http.delete(`/v1/site/api-keys/${body.apiKey.id}`, { headers: admin.headers })).status,
      ).toBe(404);
    });

    it('refuses made-up and malformed keys with 401', async () => {
      for (const key of [`stk_${'A'.repeat(43)}`, 'stk_short', 'stk_']) {
        const res = await http.get('/v1/server/users/x', { headers: bearer(key) });
        expect(res.status, key).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
      const none = await http.get('/v1/server/users/x', { headers: { 'x-synctalk-site': site.publicId } });
      expect(none.status).toBe(401);
    });

    it('lets only site admins manage keys: a plain user gets 403, no token 401', async () => {
      const create = await http.post('/v1/site/api-keys', { headers: user.headers, body: { name: 'mine' } });
      expect(create.status).toBe(403);
      expect(create.body.error.code).toBe('forbidden');
      expect((await http.get('/v1/site/api-keys', { headers: user.headers })).status).toBe(403);
      const { body } = await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'x' } });
      expect(
        (await http.delete(`/v1/site/api-keys/${body.apiKey.id}`, { headers: user.headers })).status,
      ).toBe(403);
      const anonymous = await http.get('/v1/site/api-keys', {
        headers: { 'x-synctalk-site': site.publicId },
      });
      expect(anonymous.status).toBe(401);
      // The key still works: nothing was revoked.
      expect((await http.get('/v1/server/users/x', { headers: bearer(body.key) })).status).toBe(404);
    });

    it('does not let a key manage keys', async () => {
      const { body } = await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'k' } });
      const res = await http.post('/v1/site/api-keys', { headers: bearer(body.key), body: { name: 'more' } });
      expect(res.status).toBe(401);
    });

    it("keeps another site's admin from seeing or revoking this site's keys (404)", async () => {
      const { body } = await http.post('/v1/site/api-keys', {
        headers: admin.headers,
        body: { name: 'safe' },
      });
      const revoke = await http.delete(`/v1/site/api-keys/${body.apiKey.id}`, {
        headers: otherAdmin.headers,
      });
      expect(revoke.status).toBe(404);
      expect(revoke.body.error.code).toBe('not_found');
      const theirs = await http.get('/v1/site/api-keys', { headers: otherAdmin.headers });
      expect(theirs.body.items.map((k: { id: string }) => k.id)).not.toContain(body.apiKey.id);
      expect((await http.get('/v1/server/users/x', { headers: bearer(body.key) })).status).toBe(404);
    });

    it('validates the name', async () => {
      const res = await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: '' } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    });
  },
);
