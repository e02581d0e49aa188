import type { Knex } from 'knex';

/**
 * The refresh grace window: a rotated token presented again until `grace_until` gets the same successor back
 * (parallel refreshes from several tabs, or a retry) instead of revoking the family. For that window the
 * rotated row keeps its successor token, AES-256-GCM encrypted (`successor_sealed`); it is cleared once the
 * window ends, and the partial index finds those rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.text('successor_sealed');
    t.timestamp('grace_until', { useTz: true });
  });
  await knex.raw(
    `CREATE INDEX refresh_tokens_grace_until ON refresh_tokens (grace_until)
     WHERE successor_sealed IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS refresh_tokens_grace_until');
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.dropColumn('successor_sealed');
    t.dropColumn('grace_until');
  });
}
