import type { Knex } from 'knex';

/**
 * Webhooks (endpoints, the delivery outbox and its attempts), site API keys for the server API, and the
 * `system` user kind (the sender of a site backend's system messages).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('site_id').notNullable().references('sites.id').onDelete('CASCADE');
    t.text('url').notNullable();
    t.text('description').notNullable().defaultTo('');
    // AES-256-GCM ciphertexts (platform/crypto.ts): the server must read secrets back to sign.
    t.text('secret_enc').notNullable();
    t.text('previous_secret_enc');
    t.timestamp('previous_secret_expires_at', { useTz: true });
    t.specificType('events', 'text[]').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    t.text('disabled_reason');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['site_id'], 'webhook_endpoints_site');
  });

  // The outbox: one row per (event, subscribed endpoint), written in the transaction of the change.
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('CASCADE');
    t.uuid('event_id').notNullable();
    t.text('event_type').notNullable();
    // Deliveries with the same key go out one at a time in id order (a room's events; else the event id).
    t.text('order_key').notNullable();
    // The exact body POSTed on every attempt (its bytes are what is signed).
    t.text('body').notNullable();
    t.text('status').notNullable().defaultTo('pending').checkIn(['pending', 'delivered', 'failed']);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Set while a worker holds the delivery; past it, another worker may take it (a node died mid-POST).
    t.timestamp('lease_until', { useTz: true });
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('failed_at', { useTz: true });
    t.unique(['endpoint_id', 'event_id']);
  });
  await knex.raw(
    `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
  );
  await knex.raw(
    `CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, order_key, id)
      WHERE status = 'pending'`,
  );
  await knex.raw('CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id)');

  await knex.schema.createTable('webhook_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('delivery_id').notNullable().references('webhook_deliveries.id').onDelete('CASCADE');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('ok').notNullable();
    t.integer('response_status');
    t.integer('duration_ms').notNullable();
    t.text('error');
    t.index(['delivery_id', 'id'], 'webhook_attempts_delivery');
  });

  await knex.schema.createTable('site_api_keys', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('site_id').notNullable().references('sites.id').onDelete('CASCADE');
    t.text('name').notNullable().defaultTo('');
    // The first characters, to tell keys apart in a list; the key itself is kept only as a SHA-256 digest.
    t.text('prefix').notNullable();
    t.text('key_hash').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.index(['site_id'], 'site_api_keys_site');
  });

  // A site's system sender: one user of kind `system` per site.
  await knex.raw('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_kind_check');
  await knex.raw(
    `ALTER TABLE users ADD CONSTRAINT users_kind_check
       CHECK (kind IN ('password', 'kakao', 'site', 'guest', 'system'))`,
  );
  await knex.raw(`CREATE UNIQUE INDEX users_site_system ON users (site_id) WHERE kind = 'system'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS users_site_system');
  await knex.raw(`DELETE FROM users WHERE kind = 'system'`);
  await knex.raw('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_kind_check');
  await knex.raw(
    `ALTER TABLE users ADD CONSTRAINT users_kind_check CHECK (kind IN ('password', 'kakao', 'site', 'guest'))`,
  );
  await knex.schema.dropTableIfExists('site_api_keys');
  await knex.schema.dropTableIfExists('webhook_attempts');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhook_endpoints');
}
