/**
 * The `siteAdmin` route authentication (what the site's admin routes, e.g. webhooks, use): a site admin's
 * access token, or the site's API key, and nothing else. Checked on a route declared here for the purpose.
 */
import { beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import type Koa from 'koa';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { currentApiKey } from '../src/server-api/api-key-auth.js';
import { currentSite } from '../src/sites/site-context.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], "server api: the 'siteAdmin' route authentication", () => {
  const { t, http } = useServer({ label: 'server_api_site_admin' });
  let site: Site;
  let other: Site;
  let admin: TestUser;
  let user: TestUser;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    other = (await newSite(t)).site;
    admin = await newAdmin(t, { site });
    user = await newUser(t, { site });
    const otherAdmin = await newAdmin(t, { site: other });
    key = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'k' } })).body.key;
    otherKey = (await http.post('/v1/site/api-keys', { headers: otherAdmin.headers, body: { name: 'o' } }))
      .body.key;
    t.server.api.route({
      method: 'get',
      path: '/v1/test/site-admin',
      summary: 'Who is asking (test only)',
      auth: 'siteAdmin',
      response: z.object({ site: z.string(), by: z.string() }),
      handler: (ctx: Koa.Context) => ({
        site: currentSite(ctx).publicId,
        by: currentApiKey(ctx) ? 'key' : `user:${(ctx.state.user as { id: string }).id}`,
      }),
    });
  });

  it("admits a site admin's token and the site's API key, for that site", async () => {
    const byAdmin = await http.get('/v1/test/site-admin', { headers: admin.headers });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toEqual({ site: site.publicId, by: `user:${admin.user.id}` });
    const byKey = await http.get('/v1/test/site-admin', { headers: { authorization: `Bearer ${key}` } });
    expect(byKey.status).toBe(200);
    expect(byKey.body).toEqual({ site: site.publicId, by: 'key' });
    const keyAndHeader = await http.get('/v1/test/site-admin', {
      headers: { authorization: `Bearer ${otherKey}`, 'x-synctalk-site': other.publicId },
    });
    expect(keyAndHeader.body).toEqual({ site: other.publicId, by: 'key' });
  });

  it('refuses other users (403), no credentials, revoked keys and keys of another site (401)', async () => {
    const plain = await http.get('/v1/test/site-admin', { headers: user.headers });
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe('forbidden');
    const none = await http.get('/v1/test/site-admin', { headers: { 'x-synctalk-site': site.publicId } });
    expect(none.status).toBe(401);
    const mismatch = await http.get('/v1/test/site-admin', {
      headers: { authorization: `Bearer ${otherKey}`, 'x-synctalk-site': site.publicId },
    });
    expect(mismatch.status).toBe(401);
    const made = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'r' } })).body;
    await http.delete(`/v1/site/api-keys/${made.apiKey.id}`, { headers: admin.headers });
    const revoked = await http.get('/v1/test/site-admin', {
      headers: { authorization: `Bearer ${made.key}` },
    });
    expect(revoked.status).toBe(401);
  });
});
