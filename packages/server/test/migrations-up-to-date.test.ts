/**
 * A start on an up-to-date database checks its migrations with one short look-up instead of Knex's full
 * check; anything else still goes through Knex exactly as before: a pending migration is applied, and a
 * database that records a migration this build does not know is refused. On the real PostgreSQL and on
 * the embedded PGlite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSource } from '../src/migrations/index.js';
import { createDatabase, migrate, type DatabaseHandle } from '../src/platform/database.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { countQueries } from './helpers/query-count.js';
import { describeWith } from './helpers/services.js';

type Source = typeof migrationSource;
type Migration = Awaited<ReturnType<Source['getMigrations']>>[number];

/** This build's migrations plus `extra`, as a later build would ship them. */
function withExtra(extra: Migration): Source {
  return {
    ...migrationSource,
    getMigrations: async (loadExtensions) => [
      ...(await migrationSource.getMigrations(loadExtensions)),
      extra,
    ],
  };
}

const later: Migration = {
  name: '9000-bookmarks',
  up: async (knex: Knex) => {
    await knex.schema.createTable('bookmarks', (t) => {
      t.bigIncrements('id');
      t.text('label').notNullable();
    });
  },
  down: async (knex: Knex) => {
    await knex.schema.dropTable('bookmarks');
  },
};

function upToDateSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>) {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, cleanup } = await open());
    const { applied } = await migrate(handle.db, migrationSource);
    expect(applied.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it('on an up-to-date database applies nothing, in at most two queries', async () => {
    const queries = countQueries(handle.db);
    const { applied } = await migrate(handle.db, migrationSource);
    queries.stop();
    expect(applied).toEqual([]);
    expect(queries.count).toBeLessThanOrEqual(2);
  });

  it('applies a migration the database does not have yet', async () => {
    const { applied } = await migrate(handle.db, withExtra(later));
    expect(applied).toEqual([later.name]);
    expect(await handle.db.schema.hasTable('bookmarks')).toBe(true);
  });

  it('refuses a database that records a migration this build does not know', async () => {
    // The database now holds `later`; this build's own list lacks it (an older build on a newer database).
    await expect(migrate(handle.db, migrationSource)).rejects.toThrow(/corrupt/i);
    const names = await handle.db('knex_migrations').pluck('name');
    expect(names).toContain(later.name);
  });
}

describeWith(['postgres'], 'migrations on an up-to-date PostgreSQL', () => {
  let test: TestDatabase;
  upToDateSuite(async () => {
    test = await createTestDatabase('migrations_up_to_date');
    return {
      handle: createDatabase({ kind: 'postgres', url: test.url, poolMax: 2, acquireTimeoutMs: 10_000 }),
      cleanup: () => test.drop(),
    };
  });
});

describe('migrations on an up-to-date embedded PGlite', () => {
  upToDateSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synctalk-migrations-up-to-date-'));
    return {
      handle: createDatabase({ kind: 'pglite', dataDir: join(dir, 'db') }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});
