import type { Knex } from 'knex';

/**
 * Member lists in join order: keyset pages on (joined_at, user_id) within a room, active members only
 * (bans are listed separately, by user id, from the primary key).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX room_members_room_joined ON room_members (room_id, joined_at, user_id)
     WHERE banned_at IS NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS room_members_room_joined');
}
