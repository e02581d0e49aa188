import { afterAll, beforeAll, expect, it } from 'vitest';
import { roomsRepository } from '../src/rooms/rooms.repository.js';
import { seedRooms } from '../scripts/rooms-seed.repository.js';
import type { Site } from '../src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { newSite } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Heap Fetches'?: number;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describeWith(['postgres'], 'rooms: the offset subquery is an Index Only Scan on the partial index', () => {
  let db: TestDatabase;
  let t: TestServer;
  let site: Site;

  beforeAll(async () => {
    db = await createTestDatabase('rooms_explain');
    t = await startTestServer({ databaseUrl: db.url });
    site = (await newSite(t)).site;
    const other = (await newSite(t)).site;
    // Another site's rooms and private rooms share the table; the partial index leaves them out.
    await seedRooms(t.server.db, { siteId: other.id, count: 3000, batchSize: 1000 });
    await seedRooms(t.server.db, { siteId: site.id, count: 6000, privateEvery: 4, batchSize: 2500 });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  async function explain(sort: 'newest' | 'title', offset: number): Promise<PlanNode> {
    const query = roomsRepository(t.server.db).directoryOffsetQuery(site.id, { sort, offset, limit: 20 });
    const { sql, bindings } = query.toSQL();
    const result = await t.server.db.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, bindings as never);
    return (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
  }

  it('seeded the site with an exact public room count', async () => {
    const fresh = (await t.server.deps.sites.repo.findById(site.id))!;
    expect(fresh.publicRoomCount).toBe(4500);
  });

  for (const [sort, index] of [
    ['newest', 'rooms_directory_newest'],
    ['title', 'rooms_directory_title'],
  ] as const) {
    it(`${sort}: the OFFSET/LIMIT subquery reads only ${index}, and the join fetches 20 rows by key`, async () => {
      const plan = await explain(sort, 3000);
      const all = nodes(plan);
      // The subquery: Limit over an Index Only Scan of the partial index, no heap visits.
      const limit = all.find((n) => n['Node Type'] === 'Limit');
      expect(limit, JSON.stringify(plan)).toBeDefined();
      const scan = nodes(limit!).find((n) => n['Relation Name'] === 'rooms');
      expect(scan?.['Node Type'], JSON.stringify(plan)).toBe('Index Only Scan');
      expect(scan?.['Index Name']).toBe(index);
      expect(scan?.['Heap Fetches']).toBe(0);
      expect(limit!['Actual Rows']).toBe(20);
      // Nothing scans the table sequentially; the outer side reads rooms by primary key.
      expect(all.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
      const outer = all.filter((n) => n['Relation Name'] === 'rooms' && n !== scan);
      expect(outer.map((n) => n['Index Name'])).toEqual(['rooms_pkey']);
    });
  }

  it('returns the same rows as a plain ORDER BY … OFFSET', async () => {
    const repo = roomsRepository(t.server.db);
    for (const sort of ['newest', 'title'] as const) {
      const page = await repo.directoryOffset(site.id, { sort, offset: 3000, limit: 20 });
      expect(page.total).toBe(4500);
      const q = t.server
        .db('rooms')
        .select('id')
        .where({ site_id: site.id, visibility: 'public' })
        .whereNull('deleted_at')
        .offset(3000)
        .limit(20);
      if (sort === 'newest') q.orderBy('id', 'desc');
      else q.orderBy([{ column: 'title_sort' }, { column: 'id' }]);
      expect(page.rooms.map((r) => r.id)).toEqual((await q).map((r: { id: string }) => String(r.id)));
    }
  });
});
