/**
 * Bulk seeding of rooms for benchmarks, load tests and demos (`npm run seed:rooms`). Not used by the
 * server itself. Rooms are generated inside PostgreSQL with `INSERT … SELECT generate_series`, in batches,
 * each batch in one transaction that also inserts the owner memberships and moves the site's public room
 * counter, so the data is exactly what the API would have made.
 */
import type { Knex } from 'knex';
import { CODE_ALPHABET, CODE_LENGTH } from '../src/rooms/room-codes.js';

const WORDS = [
  'Alpha', 'Bravo', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Garnet', 'Harbor', 'Indigo', 'Juniper',
  'Kestrel', 'Lumen', 'Maple', 'Nimbus', 'Onyx', 'Pebble', 'Quartz', 'Raven', 'Sierra', 'Tundra',
  'Umber', 'Velvet', 'Willow', 'Zephyr',
]; // prettier-ignore

const CODE_SPACE = BigInt(CODE_ALPHABET.length) ** BigInt(CODE_LENGTH);
// Coprime with 30 (the alphabet size), so n → n·P mod 30^8 is a bijection: codes of one run never collide
// with each other, and look random.
const SCRAMBLE = 1_000_003n;

export interface SeedOptions {
  siteId: string;
  count: number;
  /** Every n-th room is private (0: all public). */
  privateEvery?: number;
  /** Rooms per transaction. */
  batchSize?: number;
  /** Batches inserted at once, each on its own connection (index maintenance is CPU-bound). */
  jobs?: number;
  onProgress?: (inserted: number) => void;
}

/** The user that owns seeded rooms: one per site, a site-verified user named "Seed owner". */
export async function ensureSeedOwner(db: Knex, siteId: string): Promise<string> {
  await db.raw(
    `INSERT INTO users (site_id, kind, external_id, display_name, roles)
     VALUES (?, 'site', 'synctalk-seed-owner', 'Seed owner', '{ROLE_USER}')
     ON CONFLICT (site_id, external_id) WHERE external_id IS NOT NULL DO NOTHING`,
    [siteId],
  );
  const row = await db('users')
    .where({ site_id: siteId, external_id: 'synctalk-seed-owner' })
    .first<{ id: string }>('id');
  return String(row!.id);
}

/** Live rooms of the site, all and public (a COUNT: for tools, not for request paths). */
export async function countRooms(db: Knex, siteId: string): Promise<{ total: number; public: number }> {
  const row = await db('rooms')
    .where({ site_id: siteId })
    .whereNull('deleted_at')
    .first<{ total: string; public: string }>(
      db.raw('count(*) AS total'),
      db.raw(`count(*) FILTER (WHERE visibility = 'public') AS public`),
    );
  return { total: Number(row?.total ?? 0), public: Number(row?.public ?? 0) };
}

/**
 * Whether this connection may turn off trigger-based checks (superusers only), and no trigger other than
 * PostgreSQL's own foreign-key checks exists on the seeded tables (`replica` mode would skip it too).
 */
async function foreignKeyChecksSkippable(db: Knex): Promise<boolean> {
  const result = await db.raw<{ rows: { superuser: boolean; triggers: string }[] }>(
    `SELECT current_setting('is_superuser') = 'on' AS superuser,
            (SELECT count(*) FROM pg_trigger
              WHERE tgrelid IN ('rooms'::regclass, 'room_members'::regclass) AND NOT tgisinternal) AS triggers`,
  );
  const row = result.rows[0]!;
  return row.superuser && Number(row.triggers) === 0;
}

/** Inserts `count` rooms into the site, then VACUUM ANALYZEs (index-only scans need the visibility map). */
export async function seedRooms(db: Knex, options: SeedOptions): Promise<{ inserted: number }> {
  const { siteId, count } = options;
  const privateEvery = options.privateEvery ?? 0;
  const batchSize = options.batchSize ?? 100_000;
  const ownerId = await ensureSeedOwner(db, siteId);
  // A random start in the code space: runs after this one draw from elsewhere in it.
  const base = BigInt(Math.floor(Math.random() * Number(CODE_SPACE)));
  const digits = Array.from(
    { length: CODE_LENGTH },
    (_, k) => `substr(:alphabet, (((s.n / ${30n ** BigInt(k)}) % 30) + 1)::int, 1)`,
  ).join(' || ');

  const skipForeignKeyChecks = await foreignKeyChecksSkippable(db);
  const insertBatch = (from: bigint, to: bigint) =>
    db.transaction(async (trx) => {
      // Every row inserted references only the site, the seed owner and rooms of the same statement; with
      // those two rows locked against deletion, the per-row foreign-key checks (half the insert time) prove
      // nothing, so a superuser skips them.
      await trx.raw('SELECT 1 FROM sites WHERE id = ? FOR KEY SHARE', [siteId]);
      await trx.raw('SELECT 1 FROM users WHERE id = ? FOR KEY SHARE', [ownerId]);
      if (skipForeignKeyChecks) await trx.raw('SET LOCAL session_replication_role = replica');
      const res = await trx.raw<{ rows: { total: string; public: string }[] }>(
        `WITH s AS (
           SELECT g, ((:base + g) * :scramble) % :space AS n
             FROM generate_series(:from::bigint, :to::bigint) AS g
         ),
         ins AS (
           INSERT INTO rooms (site_id, code, title, description, visibility, owner_id, member_count,
                              created_at, updated_at)
           SELECT :siteId, ${digits},
                  (:words::text[])[(1 + s.n % 24)::int] || ' ' || (:words::text[])[(1 + (s.n / 24) % 24)::int]
                    || ' ' || s.g,
                  'Seeded room ' || s.g,
                  CASE WHEN s.g % NULLIF(:privateEvery::int, 0) = 0 THEN 'private' ELSE 'public' END,
                  :ownerId, 1,
                  now() - (:last::bigint - s.g) * interval '1 millisecond',
                  now()
             FROM s
           ON CONFLICT (site_id, code) DO NOTHING
           RETURNING id, visibility
         ),
         members AS (
           INSERT INTO room_members (room_id, user_id, role) SELECT id, :ownerId, 'owner' FROM ins
         )
         SELECT count(*) AS total, count(*) FILTER (WHERE visibility = 'public') AS public FROM ins`,
        {
          base: base.toString(),
          scramble: SCRAMBLE.toString(),
          space: CODE_SPACE.toString(),
          from: from.toString(),
          to: to.toString(),
          last: BigInt(count).toString(),
          siteId,
          ownerId,
          alphabet: CODE_ALPHABET,
          words: WORDS,
          privateEvery,
        },
      );
      const row = res.rows[0]!;
      // The counter moves in the same transaction, last, so concurrent batches hold the site row briefly.
      await trx('sites')
        .where({ id: siteId })
        .update({ public_room_count: trx.raw('public_room_count + ?', [Number(row.public)]) });
      return Number(row.total);
    });

  let inserted = 0;
  let next = 0n;
  while (inserted < count) {
    // A code taken by an earlier room is skipped (ON CONFLICT); the next round makes up for it.
    const batches: [bigint, bigint][] = [];
    for (let left = count - inserted; left > 0; left -= batchSize) {
      const size = BigInt(Math.min(batchSize, left));
      batches.push([next, next + size - 1n]);
      next += size;
    }
    const worker = async () => {
      for (let b = batches.shift(); b; b = batches.shift()) {
        const n = await insertBatch(b[0], b[1]); // not `inserted += await …`: that reads `inserted` early
        inserted += n;
        options.onProgress?.(inserted);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 2) }, worker));
  }
  await db.raw('VACUUM ANALYZE rooms');
  await db.raw('VACUUM ANALYZE room_members');
  return { inserted };
}
