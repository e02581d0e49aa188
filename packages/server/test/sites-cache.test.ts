/**
 * Site lookups are cached per node (SITE_CACHE_TTL, here far longer than the test): a site is read from
 * PostgreSQL once, and a change made on one node is seen on every node at once, not after the TTL.
 */
import type { Knex } from 'knex';
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { eventually } from './helpers/cluster.js';
import { newSite, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import type { TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** Counts the statements that read the sites table. */
function siteReads(db: Knex) {
  let count = 0;
  const listener = (q: { sql: string }) => {
    if (/from "sites"|FROM sites/.test(q.sql)) count += 1;
  };
  db.on('query', listener);
  return {
    get count() {
      return count;
    },
    stop: () => db.off('query', listener),
  };
}

describeWith(['postgres', 'redisCluster'], 'sites: lookups cached per node, changes seen at once', () => {
  const env = { SITE_CACHE_TTL: '10m' };
  const main = useServer({ label: 'sites_cache', services: ['postgres', 'redisCluster'], env });
  const a = main.t;
  const b = useServer({ on: main, services: ['postgres', 'redisCluster'], env }).t;
  let site: Site;

  beforeAll(async () => {
    site = (await newSite(a)).site;
  });

  const guest = (t: TestServer) =>
    client(t.url).post('/v1/auth/guest', {
      headers: { 'x-synctalk-site': site.publicId },
      body: { displayName: 'G' },
    });

  it('reads a site from the database once, however many requests name it', async () => {
    const user = await newUser(a, { site });
    const reads = siteReads(a.server.db);
    try {
      for (let i = 0; i < 5; i += 1) {
        const me = await client(a.url).get('/v1/me', { headers: user.headers });
        expect(me.status).toBe(200);
      }
      expect(reads.count).toBeLessThanOrEqual(1);
    } finally {
      reads.stop();
    }
  });

  it('a change on one node is seen on the other at once, not after the TTL', async () => {
    // Both nodes have the site cached with guests off.
    expect((await guest(a)).status).toBe(403);
    expect((await guest(b)).status).toBe(403);
    await a.server.deps.sites.update(site, { settings: { guestsEnabled: true } }, 'test');
    expect((await guest(a)).status).toBe(201);
    await eventually(async () => (await guest(b)).status === 201, 5000);

    // A change through the repository itself counts too.
    await b.server.deps.sites.repo.update(site.id, { settings: { guestsEnabled: false } });
    expect((await guest(b)).status).toBe(403);
    await eventually(async () => (await guest(a)).status === 403, 5000);
  });

  it('does not remember unknown sites', async () => {
    const reads = siteReads(a.server.db);
    try {
      for (let i = 0; i < 3; i += 1) {
        const res = await client(a.url).get('/v1/rooms', {
          headers: { 'x-synctalk-site': 'st_AAAAAAAAAAAAAAAA' },
        });
        expect(res.status).toBe(404);
      }
      expect(reads.count).toBe(3);
    } finally {
      reads.stop();
    }
  });
});
