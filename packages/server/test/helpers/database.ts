/** One throw-away PostgreSQL database per test file, created on the real server and dropped afterwards. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { testEnv } from './env.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(
  fn: (client: pg.Client) => Promise<T>,
  adminUrl = testEnv.adminDatabaseUrl,
): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database on the shared PostgreSQL, or on the instance `adminUrl` points to. */
export async function createTestDatabase(
  label = 'db',
  adminUrl = testEnv.adminDatabaseUrl,
): Promise<TestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `synctalk_t_${safe}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`), adminUrl);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropDatabase(name, adminUrl),
  };
}

/** Drops the database, disconnecting anyone still on it. */
export async function dropDatabase(name: string, adminUrl = testEnv.adminDatabaseUrl): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`), adminUrl);
}
