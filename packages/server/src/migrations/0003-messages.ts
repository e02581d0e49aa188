import type { Knex } from 'knex';

/** Messages (gap-free per-room sequence, idempotent sends) and reactions. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('messages', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('room_id').notNullable().references('rooms.id').onDelete('CASCADE');
    // Taken from rooms.last_seq in the insert's transaction: 1, 2, 3, … per room, no gaps.
    t.bigInteger('seq').notNullable();
    t.bigInteger('author_id').notNullable().references('users.id');
    // The sender's idempotency key; a retry with the same key finds the stored message.
    t.text('client_msg_id').notNullable();
    t.text('text').notNullable();
    // Same room only (checked in the send transaction); a hard-deleted target leaves the reply standing.
    t.bigInteger('reply_to').references('messages.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('edited_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.unique(['room_id', 'client_msg_id'], { indexName: 'messages_room_client_msg_id' });
  });
  await knex.raw(
    `ALTER TABLE messages ADD CONSTRAINT messages_client_msg_id_length
     CHECK (char_length(client_msg_id) BETWEEN 1 AND 64)`,
  );
  // The history index. Keyset pages read (room_id, seq) ranges; INCLUDE carries the immutable columns a page
  // needs to find its rows (id) so the keyset step is an Index Only Scan. The text stays out: b-tree entries
  // are capped at ~2.7 kB and a message may be longer; mutable columns stay out so edits remain HOT updates.
  await knex.raw(
    'ALTER TABLE messages ADD CONSTRAINT messages_room_seq UNIQUE (room_id, seq) INCLUDE (id, author_id, created_at)',
  );
  // Deleting a message row (a room deleted with its history) nulls replies to it: find them by index.
  await knex.raw('CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL');

  await knex.schema.createTable('reactions', (t) => {
    t.bigInteger('message_id').notNullable().references('messages.id').onDelete('CASCADE');
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('emoji').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['message_id', 'user_id', 'emoji']);
  });
  // A user's reactions (user deletion cascades through this index).
  await knex.raw('CREATE INDEX reactions_user ON reactions (user_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reactions');
  await knex.schema.dropTable('messages');
}
