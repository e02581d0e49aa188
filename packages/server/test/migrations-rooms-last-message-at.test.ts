/**
 * Migration 0007 on a database that already has rooms and messages (schema 0006): `rooms.last_message_at`
 * is backfilled with the created_at of each room's latest message (by seq, a deleted one included: the room
 * was active then), to the microsecond; a room without messages stays null. `down` drops the column and the
 * migration can then run again. On the real PostgreSQL and on the embedded PGlite, the two databases the
 * server runs on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSource } from '../src/migrations/index.js';
import { createDatabase, type DatabaseHandle } from '../src/platform/database.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { describeWith } from './helpers/services.js';

const MIGRATION = '0007-rooms-last-message-at';

/** The migrations before 0007: a database as the previous release left it. */
const before0007: typeof migrationSource = {
  ...migrationSource,
  getMigrations: async (loadExtensions) =>
    (await migrationSource.getMigrations(loadExtensions)).filter((m) => m.name < MIGRATION),
};
/** Up to 0007 itself: later migrations are not this test's business. */
const through0007: typeof migrationSource = {
  ...migrationSource,
  getMigrations: async (loadExtensions) =>
    (await migrationSource.getMigrations(loadExtensions)).filter((m) => m.name <= MIGRATION),
};

/** Rooms as a 0006 server would have written them; returns their ids. */
async function seed(db: Knex) {
  const [site] = await db('sites')
    .insert({ public_id: 'st_harbourview', name: 'Harbourview Rowing Club', secret_enc: 'sealed' })
    .returning('id');
  const [user] = await db('users')
    .insert({ site_id: site.id, kind: 'password', display_name: 'Ingrid Nilsson' })
    .returning('id');
  const room = async (code: string, title: string, times: string[], deletedLast = false) => {
    const [row] = await db('rooms')
      .insert({
        site_id: site.id,
        code,
        title,
        visibility: 'public',
        owner_id: user.id,
        member_count: 1,
        last_seq: times.length,
      })
      .returning('id');
    for (const [i, createdAt] of times.entries()) {
      await db('messages').insert({
        room_id: row.id,
        seq: i + 1,
        author_id: user.id,
        client_msg_id: `${code}-${i + 1}`,
        text: deletedLast && i === times.length - 1 ? '' : `message ${i + 1}`,
        created_at: db.raw('?::timestamptz', [createdAt]),
        deleted_at: deletedLast && i === times.length - 1 ? db.raw('now()') : null,
      });
    }
    return String(row.id);
  };
  return {
    // The latest message is the last seq. Before 0007 a message's time was its transaction's start, so
    // one that waited for the room's lock could be stamped a little earlier than the seq before it.
    regatta: await room('REGATTA1', 'Regatta crews', [
      '2024-05-01 07:30:00.100001+00',
      '2024-05-03 18:45:12.654321+00',
      '2024-05-03 18:45:12.651234+00',
    ]),
    // Its latest message was deleted (a tombstone): still when the room was last active.
    boathouse: await room('BOATHSE2', 'Boathouse repairs', ['2024-04-10 12:00:00.000007+00'], true),
    quiet: await room('QUIETRM3', 'Winter training', []),
  };
}

async function lastMessageAt(db: Knex, roomId: string): Promise<string | null> {
  const result = await db.raw<{ rows: { at: string | null }[] }>(
    `SELECT to_char(last_message_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM rooms WHERE id = ?`,
    [roomId],
  );
  return result.rows[0]!.at;
}

async function hasColumn(db: Knex): Promise<boolean> {
  return db.schema.hasColumn('rooms', 'last_message_at');
}

function backfillSuite(open: () => Promise<{ handle: DatabaseHandle; cleanup: () => Promise<void> }>) {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, cleanup } = await open());
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it('backfills the latest message time of each room, and down drops the column', async () => {
    const db = handle.db;
    await db.migrate.latest({ migrationSource: before0007 });
    expect(await hasColumn(db)).toBe(false);
    const rooms = await seed(db);

    const [, applied] = (await db.migrate.latest({ migrationSource: through0007 })) as [number, string[]];
    expect(applied).toEqual([MIGRATION]);
    const expected = {
      regatta: '2024-05-03 18:45:12.651234',
      boathouse: '2024-04-10 12:00:00.000007',
      quiet: null,
    };
    for (const [name, id] of Object.entries(rooms)) {
      expect([name, await lastMessageAt(db, id)]).toEqual([name, expected[name as keyof typeof expected]]);
    }

    await db.migrate.down({ migrationSource: through0007 });
    expect(await hasColumn(db)).toBe(false);
    await db.migrate.latest({ migrationSource: through0007 });
    expect(await lastMessageAt(db, rooms.regatta)).toBe(expected.regatta);
  }, 60_000);
}

describeWith(['postgres'], 'migration 0007 (rooms.last_message_at) on the real PostgreSQL', () => {
  let test: TestDatabase;
  backfillSuite(async () => {
    test = await createTestDatabase('migration_0007');
    return {
      handle: createDatabase({ kind: 'postgres', url: test.url, poolMax: 2, acquireTimeoutMs: 10_000 }),
      cleanup: () => test.drop(),
    };
  });
});

describe('migration 0007 (rooms.last_message_at) on the embedded PGlite', () => {
  backfillSuite(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synctalk-migration-0007-'));
    return {
      handle: createDatabase({ kind: 'pglite', dataDir: join(dir, 'db') }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});
