import type { Knex } from 'knex';

/**
 * The `jti`s of site tokens already exchanged, when no Redis holds them: a row per (site, SHA-256 of the jti)
 * until the token could no longer pass its expiry check, so a replay is refused across restarts.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('used_site_token_ids', (t) => {
    t.bigInteger('site_id').notNullable().references('sites.id').onDelete('CASCADE');
    t.text('jti_hash').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['site_id', 'jti_hash']);
    // The purge deletes by expiry.
    t.index(['expires_at'], 'used_site_token_ids_expires_at');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('used_site_token_ids');
}
