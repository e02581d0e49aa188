import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newUser, uniqueName, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'site secret rotation', () => {
  const { t, http } = useServer({ label: 'sites_rotate', logs: true });
  let platformAdmin: TestUser;
  const shown: string[] = [];

  beforeAll(async () => {
    platformAdmin = await newAdmin(t);
  });

  async function createSite() {
    const res = await http.post('/v1/admin/sites', {
      headers: platformAdmin.headers,
      body: { name: uniqueName('rot'), allowedOrigins: ['https://rot.example'] },
    });
    expect(res.status).toBe(201);
    shown.push(res.body.secret);
    const site = (await t.server.deps.sites.repo.findByPublicId(res.body.site.publicId))!;
    return { site, secret: res.body.secret as string };
  }

  it('platform admins rotate any site: the old secret stops working', async () => {
    const { site, secret } = await createSite();
    const res = await http.post(`/v1/admin/sites/${site.publicId}/rotate-secret`, {
      headers: platformAdmin.headers,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['secret']);
    expect(res.body.secret).toMatch(/^sts_[A-Za-z0-9_-]{43}$/);
    expect(res.body.secret).not.toBe(secret);
    shown.push(res.body.secret);
    const current = await t.server.deps.sites.secretOf(site.id);
    expect(current).toBe(res.body.secret);
    expect(current).not.toBe(secret);

    const unknown = await http.post('/v1/admin/sites/st_nope0000000000/rotate-secret', {
      headers: platformAdmin.headers,
    });
    expect(unknown.status).toBe(404);
  });

  it("a site's admin rotates their own site only", async () => {
    const { site, secret } = await createSite();
    const { site: other, secret: otherSecret } = await createSite();
    const admin = await newAdmin(t, { site });

    const res = await http.post('/v1/site/rotate-secret', { headers: admin.headers });
    expect(res.status).toBe(200);
    shown.push(res.body.secret);
    expect(await t.server.deps.sites.secretOf(site.id)).toBe(res.body.secret);
    expect(res.body.secret).not.toBe(secret);
    expect(await t.server.deps.sites.secretOf(other.id)).toBe(otherSecret);

    // Not another site's, and not through the platform routes.
    const viaAdmin = await http.post(`/v1/admin/sites/${other.publicId}/rotate-secret`, {
      headers: admin.headers,
    });
    expect(viaAdmin.status).toBe(403);
    const asOther = await http.post('/v1/site/rotate-secret', {
      headers: { ...admin.headers, 'x-synctalk-site': other.publicId },
    });
    expect(asOther.status).toBe(401);
    expect(await t.server.deps.sites.secretOf(other.id)).toBe(otherSecret);

    const user = await newUser(t, { site });
    const plain = await http.post('/v1/site/rotate-secret', { headers: user.headers });
    expect(plain.status).toBe(403);
    expect(plain.body.error.code).toBe('forbidden');
  });

  it('never shows a secret in a read or writes one to the logs', async () => {
    const { site } = await createSite();
    const admin = await newAdmin(t, { site });
    const reads = await Promise.all([
      http.get('/v1/admin/sites?limit=100', { headers: platformAdmin.headers }),
      http.get(`/v1/admin/sites/${site.publicId}`, { headers: platformAdmin.headers }),
      http.get('/v1/site', { headers: admin.headers }),
      http.get('/v1/site/public', { headers: { 'x-synctalk-site': site.publicId } }),
      http.patch('/v1/site', { headers: admin.headers, body: { name: 'renamed' } }),
    ]);
    for (const res of reads) {
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/sts_/);
      for (const secret of shown) expect(text).not.toContain(secret);
    }
    expect(shown.length).toBeGreaterThanOrEqual(6);
    const logs = t.logs.text();
    // The lines about sites were written (so the capture works) but without any secret.
    expect(logs).toContain('site secret rotated');
    expect(logs).toContain('site created');
    for (const secret of shown) {
      expect(logs).not.toContain(secret);
      expect(logs).not.toContain(secret.slice(4));
    }
  });
});
