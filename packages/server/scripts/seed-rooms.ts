/**
 * Fills a site with rooms, fast (INSERT … SELECT generate_series in 100k batches), for benchmarks and demos.
 *
 *   npm run seed:rooms -- --count 1000000 [--database-url URL] [--site st_…] [--private-every N] [--jobs N]
 *
 * The database is --database-url, else DATABASE_URL, else the server's embedded default. Migrations are
 * applied first; the site is --site (a public id) or the default site, created if missing. Rooms are owned
 * by a "Seed owner" user of the site; the site's public room count is kept exact; VACUUM ANALYZE runs last.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { migrationSource } from '../src/migrations/index.js';
import { createDatabase, prepareDatabase } from '../src/platform/database.js';
import type { Deps } from '../src/platform/deps.js';
import { createLogger } from '../src/platform/logger.js';
import { countRooms, seedRooms } from './rooms-seed.repository.js';
import { sitesService } from '../src/sites/sites.service.js';

const USAGE = 'usage: seed-rooms --count N [--database-url URL] [--site st_…] [--private-every N] [--jobs N]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      'database-url': { type: 'string' },
      site: { type: 'string' },
      'private-every': { type: 'string', default: '0' },
      jobs: { type: 'string', default: '2' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const count = Number(values.count);
  const privateEvery = Number(values['private-every']);
  if (!Number.isInteger(count) || count < 1 || count > 100_000_000) {
    throw new Error(`--count must be a whole number from 1 to 100000000\n${USAGE}`);
  }
  if (!Number.isInteger(privateEvery) || privateEvery < 0) {
    throw new Error('--private-every must be 0 or more');
  }
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) throw new Error('--jobs must be from 1 to 16');

  const env: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  if (values['database-url']) env.DATABASE_URL = values['database-url'];
  const config = loadConfig(env);
  const logger = createLogger(config.log.level);
  const database = createDatabase(config.database, logger);
  try {
    await prepareDatabase(database, { retries: config.startup.retries, logger, migrations: migrationSource });
    const sites = sitesService({ config, db: database.db, logger } as Deps);
    const site = values.site
      ? await sites.repo.findByPublicId(values.site)
      : (await sites.ensureDefault()).site;
    if (!site) throw new Error(`no site with public id ${values.site}`);

    console.log(
      `seeding ${count.toLocaleString('en')} rooms into site ${site.publicId} (${database.description})`,
    );
    const started = performance.now();
    const { inserted } = await seedRooms(database.db, {
      siteId: site.id,
      count,
      privateEvery,
      jobs,
      onProgress: (n) => process.stdout.write(`\r  ${n.toLocaleString('en')} rooms`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const totals = await countRooms(database.db, site.id);
    const counter = (await sites.repo.findById(site.id))!.publicRoomCount;
    console.log(
      `\ninserted ${inserted.toLocaleString('en')} rooms in ${seconds} s (VACUUM ANALYZE included); ` +
        `site now has ${totals.total.toLocaleString('en')} rooms, ${counter.toLocaleString('en')} public`,
    );
    if (counter !== totals.public)
      throw new Error(`public_room_count ${counter} != ${totals.public} public rooms`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(`seed-rooms: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
