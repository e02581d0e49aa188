import { migrationSource } from '../src/migrations/index.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createDatabase, prepareDatabase } from '../src/platform/database.js';
import { createLogger } from '../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { describeWith } from './helpers/services.js';
import { startTestServer } from './helpers/server.js';

describeWith(['postgres'], 'migrations on the real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('migrations');
  });
  afterAll(() => db?.drop());

  it('are applied at start and are a no-op on the second start', async () => {
    const first = await startTestServer({ databaseUrl: db.url });
    const tables = await first.server.db('pg_tables').where({ schemaname: 'public' }).pluck('tablename');
    expect(tables).toEqual(expect.arrayContaining(['sites', 'users', 'refresh_tokens', 'knex_migrations']));
    const version = await first.server.db.raw<{ rows: { server_version_num: string }[] }>(
      'show server_version_num',
    );
    expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(150000); // a real PostgreSQL, not PGlite's 17
    const applied = await first.server.db('knex_migrations').count<{ n: string }[]>({ n: '*' });
    await first.close();

    const second = await startTestServer({ databaseUrl: db.url });
    const again = await second.server.db('knex_migrations').count<{ n: string }[]>({ n: '*' });
    expect(again[0]!.n).toBe(applied[0]!.n);
    await second.close();
  });

  it('tolerates several nodes migrating at once', async () => {
    const fresh = await createTestDatabase('migrate_race');
    const logger = createLogger('silent');
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: fresh.url });
    const handles = [0, 1, 2].map(() => createDatabase(config.database, logger));
    try {
      const results = await Promise.all(
        handles.map((h) => prepareDatabase(h, { retries: 0, logger, migrations: migrationSource })),
      );
      const total = results.reduce((n, r) => n + r.applied.length, 0);
      const count = await handles[0]!.db('knex_migrations').count<{ n: string }[]>({ n: '*' });
      expect(total).toBe(Number(count[0]!.n));
    } finally {
      await Promise.all(handles.map((h) => h.close()));
      await fresh.drop();
    }
  });
});
