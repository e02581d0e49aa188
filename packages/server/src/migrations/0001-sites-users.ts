import type { Knex } from 'knex';

/** Tenants, their users and rotating refresh tokens. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sites', (t) => {
    t.bigIncrements('id').primary();
    // The id embedding pages and SDK clients use; never the numeric id.
    t.text('public_id').notNullable().unique();
    t.text('name').notNullable();
    // AES-256-GCM ciphertext of the site's token-signing secret: a database dump alone cannot sign tokens.
    t.text('secret_enc').notNullable();
    t.specificType('allowed_origins', 'text[]').notNullable().defaultTo('{}');
    t.boolean('is_default').notNullable().defaultTo(false);
    t.jsonb('settings').notNullable().defaultTo('{}');
    // Maintained in the same transaction as every room insert / delete / visibility change, so the
    // offset listing's `total` is exact without COUNT(*) over the rooms table.
    t.bigInteger('public_room_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // At most one default site.
  await knex.raw('CREATE UNIQUE INDEX sites_one_default ON sites (is_default) WHERE is_default');

  await knex.schema.createTable('users', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('site_id').notNullable().references('sites.id').onDelete('CASCADE');
    t.text('kind').notNullable().checkIn(['password', 'kakao', 'site', 'guest']);
    t.text('username');
    t.text('username_lower');
    t.text('display_name').notNullable();
    t.text('avatar_url');
    t.text('password_hash');
    t.text('kakao_id');
    t.text('external_id');
    t.text('email');
    t.specificType('roles', 'text[]').notNullable().defaultTo('{ROLE_USER}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Usernames are unique per site, case-insensitively; identities from providers likewise.
  await knex.raw(
    'CREATE UNIQUE INDEX users_site_username ON users (site_id, username_lower) WHERE username_lower IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX users_site_kakao ON users (site_id, kakao_id) WHERE kakao_id IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX users_site_external ON users (site_id, external_id) WHERE external_id IS NOT NULL',
  );

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    // All tokens descending from one login share a family; reuse of a rotated token revokes the family.
    t.uuid('family_id').notNullable().index();
    // SHA-256 of the token: the database never holds a usable refresh token.
    t.text('token_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.bigInteger('replaced_by');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('sites');
}
