/**
 * The room directory the HTTP benchmarks read: a PostgreSQL database whose default site holds `rooms`
 * public rooms (seeded once and kept, since seeding a million rooms takes a while), a reader with a session,
 * and keyset cursors found at given depths.
 */
import pg from 'pg';
import { usersRepository } from '../src/auth/users.repository.js';
import type { SyncTalkServer } from '../src/server.js';
import type { Site } from '../src/sites/sites.repository.js';
import { seedRooms } from '../scripts/rooms-seed.repository.js';

/** Where the directory lives unless --database-url or DATABASE_URL say otherwise. */
export const DIRECTORY_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/synctalk_bench';

/** Creates the database of `url` if it does not exist. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

/** Seeds the default site up to `rooms` public rooms and settles the table; returns the site. */
export async function seedDirectory(server: SyncTalkServer, rooms: number): Promise<Site> {
  const site = (await server.deps.sites.repo.findDefault())!;
  const have = site.publicRoomCount;
  if (have < rooms) {
    console.log(
      `seeding ${(rooms - have).toLocaleString('en')} rooms (the site has ${have.toLocaleString('en')})`,
    );
    const started = performance.now();
    await seedRooms(server.db, {
      siteId: site.id,
      count: rooms - have,
      onProgress: (n) => process.stdout.write(`\r  ${n.toLocaleString('en')}`),
    });
    console.log(`\n  seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  // Measure a settled table: fresh statistics and a set visibility map (index-only scans depend on it).
  await server.db.raw('VACUUM ANALYZE rooms');
  return (await server.deps.sites.repo.findDefault())!;
}

/** A reader of `site` (no password: the benchmark issues its session) and the headers of its requests. */
export async function directoryReader(server: SyncTalkServer, site: Site) {
  const users = usersRepository(server.db);
  const username = 'bench-reader';
  const user =
    (await users.findByUsername(site.id, username)) ??
    (await users.createPasswordUser({
      siteId: site.id,
      username,
      displayName: 'Bench reader',
      passwordHash: '!', // cannot sign in with a password; the benchmark issues its own session
    }))!;
  const auth = await server.deps.sessions.issue(user);
  return {
    user,
    headers: { authorization: `Bearer ${auth.accessToken}`, 'x-synctalk-site': site.publicId },
  };
}

/** Walks the directory with keyset pages of 100 and returns the cursor found at each of `depths`. */
export async function cursorsAt(
  url: string,
  headers: Record<string, string>,
  depths: number[],
): Promise<Map<number, string>> {
  const cursors = new Map<number, string>();
  let cursor: string | null = null;
  let walked = 0;
  const deepest = Math.max(...depths);
  while (walked < deepest) {
    const res = await fetch(`${url}/v1/rooms?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    const body = (await res.json()) as { items: unknown[]; nextCursor: string | null };
    if (res.status !== 200 || !body.nextCursor)
      throw new Error(`walk stopped at ${walked}: HTTP ${res.status}`);
    walked += body.items.length;
    cursor = body.nextCursor;
    if (depths.includes(walked)) cursors.set(walked, cursor);
  }
  return cursors;
}
