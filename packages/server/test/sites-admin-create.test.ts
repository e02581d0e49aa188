import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite, newUser, uniqueName, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'POST /v1/admin/sites: platform admins create sites', () => {
  const { t, http, db } = useServer({ label: 'sites_create' });
  let admin: TestUser;

  beforeAll(async () => {
    admin = await newAdmin(t);
  });

  it('creates a site and answers its secret once', async () => {
    const name = uniqueName('Shop ');
    const res = await http.post('/v1/admin/sites', {
      headers: admin.headers,
      body: {
        name: `  ${name}  `,
        allowedOrigins: ['https://shop.example.com', 'http://localhost:5173', 'https://shop.example.com'],
        settings: { guestsEnabled: true },
      },
    });
    expect(res.status).toBe(201);
    const { site, secret } = res.body;
    expect(secret).toMatch(/^sts_[A-Za-z0-9_-]{43}$/);
    expect(site).toEqual({
      publicId: expect.stringMatching(/^st_[A-Za-z0-9]{16}$/),
      name,
      allowedOrigins: ['https://shop.example.com', 'http://localhost:5173'],
      isDefault: false,
      settings: { verifiedOnly: false, guestsEnabled: true, signupEnabled: true },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(Object.keys(site)).not.toContain('id');

    // The new site is live: its public profile answers under its public id.
    const pub = await http.get('/v1/site/public', { headers: { 'x-synctalk-site': site.publicId } });
    expect(pub.status).toBe(200);
    expect(pub.body.name).toBe(name);

    // Reading it back never shows the secret.
    const read = await http.get(`/v1/admin/sites/${site.publicId}`, { headers: admin.headers });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(site);
    expect(JSON.stringify(read.body)).not.toContain(secret);
  });

  it('stores the secret encrypted: a database dump does not contain it', async () => {
    const res = await http.post('/v1/admin/sites', {
      headers: admin.headers,
      body: { name: uniqueName('dump'), allowedOrigins: [] },
    });
    expect(res.status).toBe(201);
    const { secret, site } = res.body;
    const raw = new pg.Client({ connectionString: db.url });
    await raw.connect();
    try {
      const dump = await raw.query('SELECT * FROM sites');
      const text = JSON.stringify(dump.rows);
      expect(text).toContain(site.publicId);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(4)); // nor its random part
      const row = dump.rows.find((r: { public_id: string }) => r.public_id === site.publicId);
      expect(row.secret_enc).toMatch(/^v1\./);
    } finally {
      await raw.end();
    }
    // ...yet the server can still read it back to verify the site's tokens.
    const stored = await t.server.deps.sites.repo.findByPublicId(site.publicId);
    expect(await t.server.deps.sites.secretOf(stored!.id)).toBe(secret);
  });

  it.each([
    ['an origin with a path', { allowedOrigins: ['https://a.example/path'] }, 'allowedOrigins.0'],
    ['an origin with a trailing slash', { allowedOrigins: ['https://a.example/'] }, 'allowedOrigins.0'],
    ['a non-http origin', { allowedOrigins: ['ftp://a.example'] }, 'allowedOrigins.0'],
    ['an upper-case host', { allowedOrigins: ['https://A.example'] }, 'allowedOrigins.0'],
    ['a wildcard', { allowedOrigins: ['*'] }, 'allowedOrigins.0'],
    ['origins that are not a list', { allowedOrigins: 'https://a.example' }, 'allowedOrigins'],
    [
      'too many origins',
      { allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://o${i}.example`) },
      'allowedOrigins',
    ],
    ['an unknown setting', { allowedOrigins: [], settings: { kakaoRedirectUri: 'https://x' } }, 'settings'],
    [
      'a non-boolean setting',
      { allowedOrigins: [], settings: { guestsEnabled: 'yes' } },
      'settings.guestsEnabled',
    ],
    ['an unknown field', { allowedOrigins: [], secret: 'sts_mine' }, ''],
    ['an empty name', { name: '   ', allowedOrigins: [] }, 'name'],
    ['a name over 100 characters', { name: 'x'.repeat(101), allowedOrigins: [] }, 'name'],
    ['a missing origins list', { allowedOrigins: undefined }, 'allowedOrigins'],
  ])('refuses %s with validation_failed', async (_label, patch, path) => {
    const before = (await t.server.deps.sites.repo.list({ limit: 1000 })).length;
    const res = await http.post('/v1/admin/sites', {
      headers: admin.headers,
      body: { name: uniqueName('bad'), ...patch },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await t.server.deps.sites.repo.list({ limit: 1000 })).length).toBe(before);
  });

  it('refuses anyone but a platform admin', async () => {
    const body = { name: uniqueName('nope'), allowedOrigins: [] };
    const anonymous = await http.post('/v1/admin/sites', { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');

    const user = await newUser(t);
    const plain = await http.post('/v1/admin/sites', { headers: user.headers, body });
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe('forbidden');

    // The admin of another site is no platform admin, on their own site or on the default one.
    const { site: other } = await newSite(t);
    const otherAdmin = await newAdmin(t, { site: other });
    const onOwnSite = await http.post('/v1/admin/sites', { headers: otherAdmin.headers, body });
    expect(onOwnSite.status).toBe(403);
    expect(onOwnSite.body.error.code).toBe('forbidden');
    const list = await http.get('/v1/admin/sites', { headers: otherAdmin.headers });
    expect(list.status).toBe(403);
    const onDefault = await http.post('/v1/admin/sites', {
      headers: { authorization: otherAdmin.headers.authorization! },
      body: { ...body },
    });
    // Without the header the token's own site is used: still not the default site.
    expect(onDefault.status).toBe(403);
    const defaultId = (await t.server.deps.sites.repo.findDefault())!.publicId;
    const wrongSite = await http.post('/v1/admin/sites', {
      headers: { ...otherAdmin.headers, 'x-synctalk-site': defaultId },
      body,
    });
    expect(wrongSite.status).toBe(401);

    expect(await t.server.deps.sites.repo.list({ limit: 1000 })).not.toContainEqual(
      expect.objectContaining({ name: body.name }),
    );
  });
});
