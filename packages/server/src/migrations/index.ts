/**
 * Migrations, in order. They are imported (not read from a folder at run time) so the bundled server
 * carries them. Each file is one change; never edit one that has shipped, add the next.
 */
import type { Knex } from 'knex';
import * as m0001 from './0001-sites-users.js';
import * as m0002 from './0002-rooms.js';
import * as m0003 from './0003-messages.js';
import * as m0004 from './0004-rooms-member-order.js';
import * as m0005 from './0005-refresh-grace.js';
import * as m0006 from './0006-used-site-token-ids.js';
import * as m0007 from './0007-rooms-last-message-at.js';
import * as m0008 from './0008-webhooks-server-api.js';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Migration[] = [
  { name: '0001-sites-users', ...m0001 },
  { name: '0002-rooms', ...m0002 },
  { name: '0003-messages', ...m0003 },
  { name: '0004-rooms-member-order', ...m0004 },
  { name: '0005-refresh-grace', ...m0005 },
  { name: '0006-used-site-token-ids', ...m0006 },
  { name: '0007-rooms-last-message-at', ...m0007 },
  { name: '0008-webhooks-server-api', ...m0008 },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
