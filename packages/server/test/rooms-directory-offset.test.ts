import { expect, it } from 'vitest';
import { newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: directory offset pages (deferred join) with total', () => {
  const { t, http } = useServer({ label: 'rooms_offset' });

  async function get(viewer: TestUser, query: string) {
    const res = await http.get(`/v1/rooms?${query}`, { headers: viewer.headers });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { items: { id: string; title: string }[]; total: number; nextCursor?: unknown };
  }

  async function keysetAll(viewer: TestUser, sort: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await http.get(`/v1/rooms?sort=${sort}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: viewer.headers,
      });
      ids.push(...res.body.items.map((r: { id: string }) => r.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    return ids;
  }

  it('pages by offset in both sorts, in the same order as keyset pages, with an exact total', async () => {
    const { site } = await newSite(t);
    const owner = await newUser(t, { site });
    for (let i = 0; i < 27; i += 1) {
      await newRoom(t, owner, { title: `${String.fromCharCode(122 - (i % 26))}-room ${i}` });
      if (i % 4 === 0) await newRoom(t, owner, { visibility: 'private' });
    }
    for (const sort of ['newest', 'title']) {
      const order = await keysetAll(owner, sort);
      expect(order).toHaveLength(27);
      const pages: string[] = [];
      for (let offset = 0; offset < 27; offset += 10) {
        const body = await get(owner, `sort=${sort}&offset=${offset}&limit=10`);
        expect(body.total).toBe(27);
        expect(body.nextCursor).toBeUndefined();
        pages.push(...body.items.map((r) => r.id));
      }
      expect(pages).toEqual(order);
      const past = await get(owner, `sort=${sort}&offset=500&limit=10`);
      expect(past).toEqual({ items: [], total: 27 });
    }
  });

  it('keeps total equal to the public rooms as rooms are created, hidden, shown and deleted', async () => {
    const { site } = await newSite(t);
    const owner = await newUser(t, { site });
    const total = async () => (await get(owner, 'offset=0&limit=1')).total;
    expect(await total()).toBe(0);
    const a = await newRoom(t, owner);
    const b = await newRoom(t, owner);
    await newRoom(t, owner, { visibility: 'private' });
    expect(await total()).toBe(2);
    await http.patch(`/v1/rooms/${a.id}`, { headers: owner.headers, body: { visibility: 'private' } });
    expect(await total()).toBe(1);
    await http.delete(`/v1/rooms/${b.id}`, { headers: owner.headers });
    expect(await total()).toBe(0);
    await http.patch(`/v1/rooms/${a.id}`, { headers: owner.headers, body: { visibility: 'public' } });
    expect(await total()).toBe(1);
    // Many concurrent creations: the counter is maintained in each creation's transaction.
    await Promise.all(Array.from({ length: 15 }, () => newRoom(t, owner)));
    expect(await total()).toBe(16);
    const counted = await t.server
      .db('rooms')
      .where({ site_id: site.id, visibility: 'public' })
      .whereNull('deleted_at')
      .count<{ count: string }[]>({ count: '*' });
    expect(Number(counted[0]!.count)).toBe(16);
  });

  it('caps limit at 100 and refuses negative, huge or mixed paging parameters with 400', async () => {
    const owner = await newUser(t);
    for (const query of [
      'offset=-1',
      'offset=10000001',
      'offset=99999999999999999999',
      'offset=1e3',
      'offset=abc',
      'offset=',
      'offset=1&offset=2',
      'limit=101',
      'limit=0',
      'limit=-5',
      'offset=0&limit=1000',
      'offset=0&cursor=abc.def',
      'sort=oldest',
      'page=2',
    ]) {
      const res = await http.get(`/v1/rooms?${query}`, { headers: owner.headers });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
    }
    const max = await http.get('/v1/rooms?offset=10000000&limit=100', { headers: owner.headers });
    expect(max.status).toBe(200);
  });
});
