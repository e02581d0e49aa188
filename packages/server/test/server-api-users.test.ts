/**
 * The server API's users: upserted by the site's own id (idempotent, the same account site tokens sign in),
 * read back, and given sessions that work on the user API.
 */
import { beforeAll, expect, it } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import { countUsers, newAdmin, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], 'server api: users by external id', () => {
  const { t, http } = useServer({ label: 'server_api_users' });
  let site: Site;
  let secret: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t));
    const admin = await newAdmin(t, { site });
    const { key } = (await http.post('/v1/site/api-keys', { headers: admin.headers, body: { name: 'b' } }))
      .body;
    headers = { authorization: `Bearer ${key}`, 'x-synctalk-site': site.publicId };
  });

  it('creates a user once, then updates only the fields given', async () => {
    const before = await countUsers(t, site);
    const first = await http.put('/v1/server/users/u-1', {
      headers,
      body: { displayName: 'Ann', avatarUrl: 'https://cdn.example.com/ann.png' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      created: true,
      user: {
        externalId: 'u-1',
        displayName: 'Ann',
        avatarUrl: 'https://cdn.example.com/ann.png',
        kind: 'site',
        roles: ['ROLE_USER'],
      },
    });
    const again = await http.put('/v1/server/users/u-1', {
      headers,
      body: { displayName: 'Ann', avatarUrl: 'https://cdn.example.com/ann.png' },
    });
    expect(again.body).toEqual({ ...first.body, created: false });
    const renamed = await http.put('/v1/server/users/u-1', { headers, body: { displayName: 'Ann Lee' } });
    expect(renamed.body.user).toMatchObject({
      id: first.body.user.id,
      displayName: 'Ann Lee',
      avatarUrl: 'https://cdn.example.com/ann.png',
    });
    const cleared = await http.put('/v1/server/users/u-1', { headers, body: { avatarUrl: null } });
    expect(cleared.body.user).toMatchObject({ displayName: 'Ann Lee', avatarUrl: null });
    expect(await countUsers(t, site)).toBe(before + 1);

    const got = await http.get('/v1/server/users/u-1', { headers });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(cleared.body.user);
  });

  it('converges concurrent first upserts on one user', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => http.put('/v1/server/users/racer', { headers, body: {} })),
    );
    expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
    expect(results.filter((r) => r.body.created)).toHaveLength(1);
    // Without a display name, a new user is known by the external id.
    expect(results[0]!.body.user.displayName).toBe('racer');
  });

  it('is the same account a site token signs in', async () => {
    const upserted = await http.put('/v1/server/users/shared-7', { headers, body: { displayName: 'Sam' } });
    const token = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'shared-7' });
    const signIn = await http.post('/v1/auth/site-token', {
      headers: { 'x-synctalk-site': site.publicId },
      body: { token },
    });
    expect(signIn.status).toBe(200);
    expect(signIn.body.user).toMatchObject({ id: upserted.body.user.id, displayName: 'Sam' });
  });

  it('mints a session that works against the user API', async () => {
    const { user } = (await http.put('/v1/server/users/u-tok', { headers, body: { displayName: 'Tok' } }))
      .body;
    const res = await http.post('/v1/server/users/u-tok/token', { headers });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id, kind: 'site' } });
    const me = await http.get('/v1/me', {
      headers: { authorization: `Bearer ${res.body.accessToken}`, 'x-synctalk-site': site.publicId },
    });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, displayName: 'Tok' });
    // The refresh token is a real session's too.
    const refreshed = await http.post('/v1/auth/refresh', {
      headers: { 'x-synctalk-site': site.publicId },
      body: { refreshToken: res.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.id).toBe(user.id);
  });

  it('answers 404 for unknown users and validates input', async () => {
    for (const res of [
      await http.get('/v1/server/users/nobody', { headers }),
      await http.post('/v1/server/users/nobody/token', { headers }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    const long = await http.put(`/v1/server/users/${'x'.repeat(129)}`, { headers, body: {} });
    expect(long.status).toBe(400);
    const badAvatar = await http.put('/v1/server/users/u-2', {
      headers,
      body: { avatarUrl: 'javascript:x' },
    });
    expect(badAvatar.status).toBe(400);
    const extra = await http.put('/v1/server/users/u-2', { headers, body: { roles: ['ROLE_ADMIN'] } });
    expect(extra.status).toBe(400);
    expect((await http.get('/v1/server/users/u-2', { headers })).status).toBe(404);
  });
});
