import { expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { newAdmin, newRoom, newSite, newUser, type TestUser, directoryOrder } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const TITLES = [
  'apple',
  'Apple',
  'APPLE',
  'Äpfel',
  'banana',
  '😀 party',
  'zeta',
  'Zeta',
  '123 go',
  'مرحبا',
  'mango',
];

describeWith(['postgres'], 'rooms: directory keyset pages', () => {
  const { t, http } = useServer({ label: 'rooms_keyset' });

  /** A site with public rooms (plus private and deleted ones that must not be listed). */
  async function populatedSite(publicRooms: number) {
    const { site } = await newSite(t);
    const owner = await newUser(t, { site });
    const viewer = await newUser(t, { site });
    for (let i = 0; i < publicRooms; i += 1) {
      await newRoom(t, owner, { title: `${TITLES[i % TITLES.length]} ${i % 4}` });
      if (i % 5 === 0) await newRoom(t, owner, { title: `hidden ${i}`, visibility: 'private' });
    }
    const doomed = await newRoom(t, owner, { title: 'doomed' });
    await http.delete(`/v1/rooms/${doomed.id}`, { headers: owner.headers });
    return { site, owner, viewer };
  }

  const expectedOrder = (site: Site, sort: 'newest' | 'title') => directoryOrder(t, site, sort);

  async function page(viewer: TestUser, query: string) {
    const res = await http.get(`/v1/rooms?${query}`, { headers: viewer.headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: { id: string; code: string | null }[]; nextCursor: string | null };
  }

  async function walk(
    viewer: TestUser,
    sort: string,
    limit: number,
    between?: (pageNo: number) => Promise<void>,
  ) {
    const ids: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const body = await page(viewer, `sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(limit);
      ids.push(...body.items.map((r) => r.id));
      cursor = body.nextCursor;
      n += 1;
      if (cursor && between) await between(n);
    } while (cursor && n < 200);
    return ids;
  }

  for (const sort of ['newest', 'title'] as const) {
    it(`walks every public room exactly once in ${sort} order`, async () => {
      const { site, viewer } = await populatedSite(40);
      const expected = await expectedOrder(site, sort);
      expect(expected).toHaveLength(40);
      const ids = await walk(viewer, sort, 7);
      expect(ids).toEqual(expected);
    });

    it(`stays stable (${sort}) when rooms are created and deleted between pages`, async () => {
      const { site, owner, viewer } = await populatedSite(30);
      const original = await expectedOrder(site, sort);
      const deleted: string[] = [];
      const ids = await walk(viewer, sort, 6, async (pageNo) => {
        // New rooms on both sides of the cursor, and a not-yet-seen room deleted.
        for (const title of ['aaa first', 'zzz last', `mid ${pageNo}`]) await newRoom(t, owner, { title });
        const victim = original[original.length - pageNo];
        if (victim) {
          await http.delete(`/v1/rooms/${victim}`, { headers: owner.headers });
          deleted.push(victim);
        }
      });
      expect(deleted.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      // Every original room that was not deleted appears, in order.
      const originals = ids.filter((id) => original.includes(id));
      expect(originals).toEqual(original.filter((id) => !deleted.includes(id)));
      if (sort === 'newest') {
        // Rooms created after the walk began are newer than the cursor and never show up mid-walk.
        expect(ids).toEqual(originals);
      }
    });
  }

  it('answers the first page with default limit 20 and sort newest, then ends with nextCursor null', async () => {
    const { site, viewer } = await populatedSite(25);
    const first = await page(viewer, '');
    expect(first.items).toHaveLength(20);
    expect(first.items.map((r) => r.id)).toEqual((await expectedOrder(site, 'newest')).slice(0, 20));
    const second = await page(viewer, `cursor=${first.nextCursor}`);
    expect(second.items).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
    const exact = await page(viewer, 'limit=25');
    expect(exact.nextCursor).toBeNull();
  });

  it('shows codes only of rooms the viewer belongs to, and all codes to site admins', async () => {
    const { site, owner, viewer } = await populatedSite(6);
    const joinedRoom = (await page(viewer, 'limit=1')).items[0]!;
    await http.post(`/v1/rooms/${joinedRoom.id}/join`, { headers: viewer.headers });
    const items = (await page(viewer, 'limit=100')).items;
    for (const r of items) {
      if (r.id === joinedRoom.id) expect(r.code).toMatch(/^[A-Z2-9]{8}$/);
      else expect(r.code).toBeNull();
    }
    expect((await page(owner, 'limit=100')).items.every((r) => r.code !== null)).toBe(true);
    const admin = await newAdmin(t, { site });
    expect((await page(admin, 'limit=100')).items.every((r) => r.code !== null)).toBe(true);
  });

  it('needs a signed-in user', async () => {
    expect((await http.get('/v1/rooms')).status).toBe(401);
  });
});
