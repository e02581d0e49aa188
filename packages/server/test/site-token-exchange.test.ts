/**
 * Site tokens, accepted: a site's backend mints a token (with `@synctalk/sdk/server` or any JWT library) and
 * the page exchanges it for a session of a `site` user keyed by the site's own user id.
 */
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { beforeAll, expect, it } from 'vitest';
// The SDK's Node entry, from source (vitest aliases only the package root to source).
import { createUserToken } from '@synctalk/sdk/server';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'Site tokens: exchange', () => {
  const { t } = useServer({ label: 'site_token', services: ['postgres', 'redisCluster'] });
  let site: Site;
  let secret: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t));
    headers = { 'x-synctalk-site': site.publicId };
  });

  const exchange = (token: string, h = headers) =>
    client(t.url).post('/v1/auth/site-token', { headers: h, body: { token } });
  const row = (externalId: string, s = site) =>
    t.server.db('users').where({ site_id: s.id, external_id: externalId }).first();

  it('signs in a user minted with the SDK and creates it on first use', async () => {
    const [users, tokens] = [await countUsers(t, site), await countRefreshTokens(t)];
    const token = createUserToken({
      siteId: site.publicId,
      siteSecret: secret,
      userId: 'customer-1001',
      name: 'Ada Lovelace',
      avatarUrl: 'https://cdn.shop.example/ada.png',
      expiresIn: 300,
    });
    const res = await exchange(token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      user: {
        kind: 'site',
        username: null,
        displayName: 'Ada Lovelace',
        avatarUrl: 'https://cdn.shop.example/ada.png',
        roles: ['ROLE_USER'],
      },
    });
    expect(res.headers.get('authorization')).toBe(`Bearer ${res.body.accessToken}`);
    expect(res.headers.get('set-cookie')).toMatch(/synctalk_access=/);
    expect(await countUsers(t, site)).toBe(users + 1);
    expect(await countRefreshTokens(t)).toBe(tokens + 1);
    expect(String((await row('customer-1001')).id)).toBe(res.body.user.id);

    const me = await client(t.url).get('/v1/me', { token: res.body.accessToken, headers });
    expect(me.status).toBe(200);
    expect(me.body.kind).toBe('site');
  });

  it('signs a returning user into the same account; claims update the profile, absent ones keep it', async () => {
    const mint = (extra: { name?: string; avatarUrl?: string | null }) =>
      createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'customer-2002', ...extra });
    const first = await exchange(mint({ name: 'Grace', avatarUrl: 'https://cdn.shop.example/g.png' }));
    const users = await countUsers(t, site);

    const renamed = await exchange(mint({ name: 'Grace Hopper' }));
    expect(renamed.body.user).toMatchObject({
      id: first.body.user.id,
      displayName: 'Grace Hopper',
      avatarUrl: 'https://cdn.shop.example/g.png',
    });
    const silent = await exchange(mint({}));
    expect(silent.body.user).toMatchObject({ id: first.body.user.id, displayName: 'Grace Hopper' });
    const cleared = await exchange(mint({ avatarUrl: null }));
    expect(cleared.body.user.avatarUrl).toBeNull();
    expect(await countUsers(t, site)).toBe(users);
  });

  it('accepts a token signed without the SDK (jsonwebtoken, as in the README)', async () => {
    const token = jwt.sign({ site: site.publicId, name: 'Linus' }, secret, {
      algorithm: 'HS256',
      subject: 'customer-3003',
      expiresIn: '5m',
      jwtid: randomUUID(),
    });
    const res = await exchange(token);
    expect(res.status).toBe(200);
    expect(res.body.user.displayName).toBe('Linus');
  });

  it("names a user without a name claim after the site's id for them", async () => {
    const res = await exchange(
      createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'u-4004' }),
    );
    expect(res.status).toBe(200);
    expect(res.body.user.displayName).toBe('u-4004');
  });

  it('keeps sites apart: the same user id on two sites is two users', async () => {
    const other = await newSite(t);
    const here = await exchange(
      createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'same-id' }),
    );
    const there = await exchange(
      createUserToken({ siteId: other.site.publicId, siteSecret: other.secret, userId: 'same-id' }),
      { 'x-synctalk-site': other.site.publicId },
    );
    expect(here.status).toBe(200);
    expect(there.status).toBe(200);
    expect(there.body.user.id).not.toBe(here.body.user.id);
    expect((await row('same-id', other.site)).site_id).toBe(other.site.id);
  });

  it('works with the new secret after a rotation', async () => {
    const rotated = await newSite(t);
    const fresh = await t.server.deps.sites.rotateSecret(rotated.site.id);
    const res = await exchange(
      createUserToken({ siteId: rotated.site.publicId, siteSecret: fresh!, userId: 'after-rotation' }),
      { 'x-synctalk-site': rotated.site.publicId },
    );
    expect(res.status).toBe(200);
  });
});
