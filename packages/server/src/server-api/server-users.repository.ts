/**
 * The SQL the server API adds about users: looking a site's user up by the site's own id for them
 * (`external_id`), and the site's one system user (kind `system`, unique per site by index), created on
 * first use by whichever request gets there first.
 */
import type { Database } from '../platform/database.js';
import { toUserRecord, type UserRecord } from '../auth/users.repository.js';

type Row = Parameters<typeof toUserRecord>[0];

export function serverUsersRepository(db: Database) {
  return {
    async findByExternalId(siteId: string, externalId: string): Promise<UserRecord | undefined> {
      const row = await db<Row>('users').where({ site_id: siteId, external_id: externalId }).first();
      return row && toUserRecord(row);
    },

    /** The users of the site with these external ids (those that exist). */
    async findByExternalIds(siteId: string, externalIds: string[]): Promise<UserRecord[]> {
      if (externalIds.length === 0) return [];
      const rows = await db<Row>('users').where({ site_id: siteId }).whereIn('external_id', externalIds);
      return rows.map(toUserRecord);
    },

    /** The site's system user, created with `displayName` if it does not exist yet (race-safe). */
    async ensureSystemUser(siteId: string, displayName: string): Promise<UserRecord> {
      const existing = await db<Row>('users').where({ site_id: siteId, kind: 'system' }).first();
      if (existing) return toUserRecord(existing);
      const [inserted] = await db<Row>('users')
        .insert({ site_id: siteId, kind: 'system', display_name: displayName, roles: [] } as never)
        .onConflict(db.raw(`(site_id) WHERE kind = 'system'`))
        .ignore()
        .returning('*');
      if (inserted) return toUserRecord(inserted as Row);
      // Another request created it meanwhile.
      const row = await db<Row>('users').where({ site_id: siteId, kind: 'system' }).first();
      if (!row) throw new Error(`system user of site ${siteId} vanished`);
      return toUserRecord(row);
    },
  };
}

export type ServerUsersRepository = ReturnType<typeof serverUsersRepository>;
