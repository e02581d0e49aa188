import { expect, it } from 'vitest';
import { defaultSite, newAdmin, newSite, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], '/v1/site: a site admin manages their own site', () => {
  const { t, http } = useServer({ label: 'sites_own' });

  it('reads and updates their site', async () => {
    const { site } = await newSite(t, { name: 'Mine', origins: ['https://mine.example'] });
    const admin = await newAdmin(t, { site });

    const read = await http.get('/v1/site', { headers: admin.headers });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      publicId: site.publicId,
      name: 'Mine',
      allowedOrigins: ['https://mine.example'],
      isDefault: false,
    });
    expect(JSON.stringify(read.body)).not.toMatch(/sts_|secret/);

    const updated = await http.patch('/v1/site', {
      headers: admin.headers,
      body: { name: 'Mine, renamed', settings: { guestsEnabled: true } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Mine, renamed');
    expect(updated.body.settings.guestsEnabled).toBe(true);
    expect((await t.server.deps.sites.repo.findById(site.id))!.name).toBe('Mine, renamed');

    const invalid = await http.patch('/v1/site', {
      headers: admin.headers,
      body: { allowedOrigins: ['nope'] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
  });

  it('finds the site from the token when the header is left out', async () => {
    const { site } = await newSite(t, { name: 'By token' });
    const admin = await newAdmin(t, { site });
    const res = await http.get('/v1/site', { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.publicId).toBe(site.publicId);
  });

  it("cannot reach another site's administration", async () => {
    const { site } = await newSite(t);
    const { site: other } = await newSite(t, { name: 'Other' });
    const admin = await newAdmin(t, { site });

    // Their token does not hold on another site.
    const cross = await http.patch('/v1/site', {
      headers: { ...admin.headers, 'x-synctalk-site': other.publicId },
      body: { name: 'taken over' },
    });
    expect(cross.status).toBe(401);
    expect((await t.server.deps.sites.repo.findById(other.id))!.name).toBe('Other');

    // Nor on the platform routes.
    for (const [method, path] of [
      ['GET', '/v1/admin/sites'],
      ['GET', `/v1/admin/sites/${other.publicId}`],
      ['PATCH', `/v1/admin/sites/${other.publicId}`],
      ['POST', `/v1/admin/sites/${site.publicId}/rotate-secret`],
    ] as const) {
      const call = method === 'GET' ? http.get : method === 'PATCH' ? http.patch : http.post;
      const res = await call(path, {
        headers: admin.headers,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('refuses plain users and anonymous callers', async () => {
    const { site } = await newSite(t);
    const user = await newUser(t, { site });
    for (const res of [
      await http.get('/v1/site', { headers: user.headers }),
      await http.patch('/v1/site', { headers: user.headers, body: { name: 'x' } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const anonymous = await http.get('/v1/site', { headers: { 'x-synctalk-site': site.publicId } });
    expect(anonymous.status).toBe(401);
  });

  it('lets the default site admin manage the default site', async () => {
    const admin = await newAdmin(t);
    const res = await http.get('/v1/site', { headers: admin.headers });
    expect(res.status).toBe(200);
    expect(res.body.isDefault).toBe(true);
    expect(res.body.publicId).toBe((await defaultSite(t)).publicId);
  });
});
