import type { Knex } from 'knex';

/**
 * When each room's latest message was sent (`rooms.last_message_at`, null before the first), for room lists
 * that show "5m ago": the send transaction sets it together with `last_seq`, to the stored message's
 * `created_at`. Edits and deletions leave it alone.
 *
 * Backfill: sequence numbers are gap-free and messages are never removed one by one (a deletion keeps a
 * tombstone), so the room's latest message is the one whose seq is `last_seq`; the unique index
 * `messages_room_seq (room_id, seq) INCLUDE (… created_at)` finds it per room without reading the messages.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rooms', (t) => {
    t.timestamp('last_message_at', { useTz: true });
  });
  await knex.raw(
    `UPDATE rooms r SET last_message_at = m.created_at
       FROM messages m
      WHERE m.room_id = r.id AND m.seq = r.last_seq AND r.last_seq > 0`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('rooms', (t) => {
    t.dropColumn('last_message_at');
  });
}
