import { beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, newSite, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'GET /v1/admin/sites: keyset pages of every site', () => {
  const { t, http } = useServer({ label: 'sites_list' });
  let admin: TestUser;
  const created: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    admin = await newAdmin(t);
    for (let i = 0; i < 5; i++) {
      const { site, secret } = await newSite(t);
      created.push(site.publicId);
      secrets.push(secret);
    }
  });

  it('walks every site once, oldest first, and ends with a null cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const res = await http.get(`/v1/admin/sites${query}`, { headers: admin.headers });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      for (const site of res.body.items) {
        expect(Object.keys(site).sort()).toEqual(
          ['allowedOrigins', 'createdAt', 'isDefault', 'name', 'publicId', 'settings', 'updatedAt'].sort(),
        );
        seen.push(site.publicId);
      }
      cursor = res.body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(10);
    } while (cursor);
    const defaultId = (await defaultSite(t)).publicId;
    expect(seen).toEqual([defaultId, ...created]);
    expect(pages).toBe(3);
  });

  it('uses a default page size and never shows a secret', async () => {
    const res = await http.get('/v1/admin/sites', { headers: admin.headers });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(6);
    expect(res.body.nextCursor).toBeNull();
    const text = JSON.stringify(res.body);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/sts_/);
  });

  it('continues after the cursor even when sites are added meanwhile', async () => {
    const first = await http.get('/v1/admin/sites?limit=3', { headers: admin.headers });
    const { site: late } = await newSite(t);
    const rest = await http.get(`/v1/admin/sites?limit=100&cursor=${first.body.nextCursor}`, {
      headers: admin.headers,
    });
    const ids = [...first.body.items, ...rest.body.items].map((s: { publicId: string }) => s.publicId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(-1)).toEqual([late.publicId]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=not-a-cursor!', 'cursor'],
    [`cursor=${Buffer.from('room:12').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('site:0').toString('base64url')}`, 'cursor'],
    // A cursor made up by the client (here the row id of the first site) is refused: cursors are signed.
    [`cursor=${Buffer.from('site:1').toString('base64url')}`, 'cursor'],
    [
      `cursor=${Buffer.from(JSON.stringify({ id: '1' })).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
      'cursor',
    ],
    ['cursor=', 'cursor'],
  ])('refuses ?%s with validation_failed', async (query, path) => {
    const res = await http.get(`/v1/admin/sites?${query}`, { headers: admin.headers });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details[0].path).toBe(path);
  });
});
