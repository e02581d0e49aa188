import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'GET / PATCH /v1/admin/sites/:publicId', () => {
  const { t, http } = useServer({ label: 'sites_update' });
  let admin: TestUser;

  beforeAll(async () => {
    admin = await newAdmin(t);
  });

  it('reads any site; unknown ids are 404 and malformed ones 400', async () => {
    const { site } = await newSite(t, { name: 'Readable' });
    const res = await http.get(`/v1/admin/sites/${site.publicId}`, { headers: admin.headers });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ publicId: site.publicId, name: 'Readable', isDefault: false });

    const unknown = await http.get('/v1/admin/sites/st_doesNotExist00', { headers: admin.headers });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const malformed = await http.get('/v1/admin/sites/12', { headers: admin.headers });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
  });

  it('renames, replaces origins and merges settings', async () => {
    const { site } = await newSite(t, { origins: ['https://old.example'] });
    const path = `/v1/admin/sites/${site.publicId}`;

    const renamed = await http.patch(path, { headers: admin.headers, body: { name: 'New name' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('New name');
    expect(renamed.body.allowedOrigins).toEqual(['https://old.example']);
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(site.updatedAt.getTime());

    const guests = await http.patch(path, {
      headers: admin.headers,
      body: { settings: { guestsEnabled: true } },
    });
    expect(guests.body.settings).toEqual({ verifiedOnly: false, guestsEnabled: true, signupEnabled: true });
    // Switches not named keep their value.
    const verified = await http.patch(path, {
      headers: admin.headers,
      body: { settings: { verifiedOnly: true, signupEnabled: false } },
    });
    expect(verified.body.settings).toEqual({ verifiedOnly: true, guestsEnabled: true, signupEnabled: false });

    const origins = await http.patch(path, {
      headers: admin.headers,
      body: { allowedOrigins: ['https://new.example', 'http://localhost:8080'] },
    });
    expect(origins.body.allowedOrigins).toEqual(['https://new.example', 'http://localhost:8080']);

    const read = await http.get(path, { headers: admin.headers });
    expect(read.body).toEqual(origins.body);
    expect(read.body.name).toBe('New name');
  });

  it('applies new origins to CORS at once', async () => {
    const { site } = await newSite(t, { origins: ['https://before.example'] });
    const site_ = { 'x-synctalk-site': site.publicId };
    const before = await http.get('/v1/site/public', {
      headers: { ...site_, origin: 'https://after.example' },
    });
    expect(before.status).toBe(403);
    await http.patch(`/v1/admin/sites/${site.publicId}`, {
      headers: admin.headers,
      body: { allowedOrigins: ['https://after.example'] },
    });
    const after = await http.get('/v1/site/public', {
      headers: { ...site_, origin: 'https://after.example' },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('access-control-allow-origin')).toBe('https://after.example');
    const old = await http.get('/v1/site/public', {
      headers: { ...site_, origin: 'https://before.example' },
    });
    expect(old.status).toBe(403);
    expect(old.body.error.code).toBe('origin_not_allowed');
  });

  it('refuses an empty or invalid patch and leaves the site alone', async () => {
    const { site } = await newSite(t, { name: 'Untouched' });
    const path = `/v1/admin/sites/${site.publicId}`;
    for (const body of [
      {},
      { name: '' },
      { allowedOrigins: ['https://x.example/app'] },
      { settings: { unknown: true } },
      { isDefault: true },
    ]) {
      const res = await http.patch(path, { headers: admin.headers, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const read = await http.get(path, { headers: admin.headers });
    expect(read.body.name).toBe('Untouched');
    expect(read.body.isDefault).toBe(false);
  });

  it('answers 404 for an unknown site and 403 for non-admins', async () => {
    const missing = await http.patch('/v1/admin/sites/st_missing000000000', {
      headers: admin.headers,
      body: { name: 'x' },
    });
    expect(missing.status).toBe(404);
    const { site } = await newSite(t);
    const user = await newUser(t);
    const res = await http.patch(`/v1/admin/sites/${site.publicId}`, {
      headers: user.headers,
      body: { name: 'hijacked' },
    });
    expect(res.status).toBe(403);
    expect((await t.server.deps.sites.repo.findById(site.id))!.name).toBe(site.name);
  });
});
