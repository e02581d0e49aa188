/**
 * Migrations, in order. They are imported (not read from a folder at run time) so the bundled server
 * carries them. Each file is one change; never edit one that has shipped, add the next.
 */
import type { Knex } from 'knex';
import * as m0001 from './0001-sites-users.js';
import * as m0002 from './0002-rooms.js';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Migration[] = [
  { name: '0001-sites-users', ...m0001 },
  { name: '0002-rooms', ...m0002 },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
