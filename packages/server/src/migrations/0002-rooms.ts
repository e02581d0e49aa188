import type { Knex } from 'knex';

/** Rooms, memberships, and the indexes behind room listings. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rooms', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('site_id').notNullable().references('sites.id').onDelete('CASCADE');
    // Short join code, unique per site, from an unambiguous alphabet.
    t.text('code').notNullable();
    t.text('title').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.text('visibility').notNullable().checkIn(['public', 'private']);
    t.bigInteger('owner_id').notNullable().references('users.id');
    t.integer('member_count').notNullable().defaultTo(0);
    // Last message sequence number in this room; bumped in the message insert's transaction.
    t.bigInteger('last_seq').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
    t.unique(['site_id', 'code']);
  });
  // Title sort key as a real column: an expression index (lower(title)) cannot serve an index-only scan.
  await knex.raw('ALTER TABLE rooms ADD COLUMN title_sort text GENERATED ALWAYS AS (lower(title)) STORED');

  // Listing newest-first: the deferred join's subquery reads only (site_id, id) from this index
  // (an Index Only Scan), so OFFSET skips index entries, not heap rows. Partial: live public rooms only,
  // exactly the rows the directory lists.
  await knex.raw(
    `CREATE INDEX rooms_directory_newest ON rooms (site_id, id DESC)
     WHERE deleted_at IS NULL AND visibility = 'public'`,
  );
  // Listing by title (id breaks ties): keyset cursors (title_sort, id) and the offset subquery both stay
  // inside this index.
  await knex.raw(
    `CREATE INDEX rooms_directory_title ON rooms (site_id, title_sort, id)
     WHERE deleted_at IS NULL AND visibility = 'public'`,
  );

  await knex.schema.createTable('room_members', (t) => {
    t.bigInteger('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('role').notNullable().checkIn(['owner', 'moderator', 'member']);
    t.bigInteger('last_read_seq').notNullable().defaultTo(0);
    t.timestamp('muted_until', { useTz: true });
    // A banned member keeps the row (so they cannot rejoin) but is not a member.
    t.timestamp('banned_at', { useTz: true });
    t.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['room_id', 'user_id']);
  });
  // "My rooms": from a user to their rooms, newest membership first.
  await knex.raw(
    'CREATE INDEX room_members_user ON room_members (user_id, room_id DESC) INCLUDE (role, last_read_seq)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('room_members');
  await knex.schema.dropTable('rooms');
}
