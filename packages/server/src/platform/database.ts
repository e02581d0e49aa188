/**
 * Knex on PostgreSQL (DATABASE_URL) or on embedded PGlite (the laptop default). This module alone decides;
 * the rest of the server sees a Knex instance and PostgreSQL SQL either way.
 *
 * The embedded database is one process's: opening it first locks the data directory (SYNCTALK_DATA_DIR, the
 * parent of the database directory), so a second server or command on it refuses before writing anything.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import type { Config } from '../config.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import type { Logger } from './logger.js';
import { describeError, retry } from './retry.js';

export type Database = Knex;

export interface DatabaseHandle {
  db: Database;
  /** Human description for logs, e.g. "PostgreSQL 127.0.0.1:5432/synctalk". */
  description: string;
  /** Resolves when `select 1` answers within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  /** Runs `fn` while holding the cluster-wide migration lock (nodes starting together take turns). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// pg_advisory_lock key for migrations: any constant shared by every node ("synctalk" in ASCII).
const MIGRATION_LOCK_KEY = 0x73796e6374616c6bn;

function describePostgres(url: string): string {
  const u = new URL(url);
  return `PostgreSQL ${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

/**
 * Opens the database `config` names (nothing is queried yet). For the embedded database this takes the data
 * directory's lock first and throws `DataDirLockedError` when another process holds it; `close()` frees it.
 */
export function createDatabase(config: Config['database'], logger?: Logger): DatabaseHandle {
  // Knex logs to the console by default; route it through pino.
  const log = {
    warn: (m: unknown) => logger?.warn({ knex: String(m) }, 'database warning'),
    error: (m: unknown) => logger?.error({ knex: String(m) }, 'database error'),
    deprecate: (m: unknown) => logger?.warn({ knex: String(m) }, 'database deprecation'),
    debug: (m: unknown) => logger?.debug({ knex: m }, 'database debug'),
  };
  let db: Knex;
  let description: string;
  let lock: DataDirLock | undefined;
  // PGlite is one process and one connection: no one to race with.
  let withMigrationLock = <T>(fn: () => Promise<T>) => fn();
  if (config.kind === 'postgres') {
    // Knex's own migration lock is taken after it creates its tables, so two nodes starting at once can
    // both try to create them. A session advisory lock on a dedicated connection serialises the whole step.
    withMigrationLock = async <T>(fn: () => Promise<T>) => {
      // Loaded here, not at the top: the embedded default never needs the PostgreSQL driver.
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: config.url });
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
        return await fn();
      } finally {
        await client
          .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()])
          .catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    };
    db = knexFactory({
      client: 'pg',
      connection: { connectionString: config.url },
      pool: { min: 0, max: config.poolMax },
      acquireConnectionTimeout: config.acquireTimeoutMs,
      log,
    });
    description = describePostgres(config.url);
  } else {
    const dataDir = resolve(config.dataDir);
    // Before anything is written there: a refused second process leaves the directory as it was.
    lock = acquireDataDirLock(dirname(config.dataDir));
    try {
      mkdirSync(dataDir, { recursive: true });
      db = knexFactory({
        client: ClientPgLite as unknown as typeof Knex.Client,
        dialect: 'postgres',
        connection: { filename: dataDir } as Knex.StaticConnectionConfig,
        log,
      });
    } catch (error) {
      lock.release();
      throw error;
    }
    description = `embedded PGlite in ${dataDir}`;
  }
  return {
    db,
    description,
    async ping(timeoutMs = 2000) {
      let timer: NodeJS.Timeout | undefined;
      const query = db.raw('select 1').then(() => undefined);
      query.catch(() => undefined); // a late failure after the timeout is not unhandled
      try {
        await Promise.race([
          query,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
    withMigrationLock,
    async close() {
      try {
        await db.destroy();
      } finally {
        lock?.release();
      }
    },
  };
}

/** The schema's migrations, in order (the domains' tables: `src/migrations/`). */
export type Migrations = Knex.MigrationSource<unknown>;

/** Waits for the database with bounded retries, then applies pending `migrations`. */
export async function prepareDatabase(
  handle: DatabaseHandle,
  options: { retries: number; logger: Logger; migrations: Migrations },
): Promise<{ applied: string[] }> {
  const { logger } = options;
  try {
    await retry(() => handle.ping(5000), {
      retries: options.retries,
      onRetry: (error, attempt, delayMs) =>
        logger.warn(
          { attempt, delayMs, reason: describeError(error) },
          `database not reachable yet (${handle.description}); retrying`,
        ),
    });
  } catch (error) {
    throw new Error(
      `Cannot reach the database (${handle.description}) after ${options.retries + 1} attempts: ${describeError(error)}`,
      { cause: error },
    );
  }
  return handle.withMigrationLock(() => migrate(handle.db, options.migrations));
}

/**
 * The names Knex recorded as applied, or undefined before its table exists. One query, where Knex's own
 * check costs a dozen (information_schema look-ups and a locking transaction), most of a restart's SQL.
 */
async function appliedMigrations(db: Database): Promise<string[] | undefined> {
  const { rows } = (await db.raw(
    "select to_regclass(quote_ident(current_schema()) || '.knex_migrations') is not null as present",
  )) as { rows: { present: boolean }[] };
  if (!rows[0]?.present) return undefined;
  const applied = (await db('knex_migrations').select('name')) as { name: string }[];
  return applied.map((row) => row.name);
}

/** Applies pending migrations; safe to run again and from several nodes at once (Knex takes a lock). */
export async function migrate(db: Database, migrations: Migrations): Promise<{ applied: string[] }> {
  // Every migration already applied, and none unknown to this build: nothing for Knex to do. Anything else
  // (a new database, pending migrations, a database newer than this build) goes through Knex as before.
  const done = await appliedMigrations(db);
  if (done) {
    const names = (await migrations.getMigrations([])).map((m) => migrations.getMigrationName(m));
    const applied = new Set(done);
    if (done.length === names.length && names.every((name) => applied.has(name))) return { applied: [] };
  }
  const [, applied] = (await db.migrate.latest({ migrationSource: migrations })) as [number, string[]];
  return { applied };
}

/**
 * Runs `fn` in a transaction: `db` itself when it is one already (a repository built over the caller's
 * transaction writes in it, so the caller can add its own statements, such as webhook events), else a new
 * one.
 */
export function inTransaction<T>(db: Database, fn: (trx: Database) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction(fn);
}
