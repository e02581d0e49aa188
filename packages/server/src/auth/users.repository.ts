/** All SQL about users. Every lookup is scoped to a site: a user of one site is invisible from another. */
import type { SiteRole, User, UserKind } from '@synctalk/sdk';
import { inTransaction, type Database } from '../platform/database.js';
import { eventSite } from '../webhooks/event-site.js';
import { recordEvents } from '../webhooks/outbox.js';

export interface UserRecord extends User {
  siteId: string;
  passwordHash: string | null;
  kakaoId: string | null;
  externalId: string | null;
  email: string | null;
}

interface UserRow {
  id: string;
  site_id: string;
  kind: UserKind;
  username: string | null;
  username_lower: string | null;
  display_name: string;
  avatar_url: string | null;
  password_hash: string | null;
  kakao_id: string | null;
  external_id: string | null;
  email: string | null;
  roles: SiteRole[];
  created_at: Date;
  updated_at: Date;
}

export function toUserRecord(row: UserRow): UserRecord {
  return {
    id: String(row.id),
    siteId: String(row.site_id),
    kind: row.kind,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    roles: row.roles,
    createdAt: row.created_at.toISOString(),
    passwordHash: row.password_hash,
    kakaoId: row.kakao_id,
    externalId: row.external_id,
    email: row.email,
  };
}

/** The public view of a user: what the API returns. */
export function publicUser(user: UserRecord): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: user.avatarUrl,
    kind: user.kind,
    roles: user.roles,
    createdAt: user.createdAt,
  };
}

/**
 * Inside `trx`, the transaction that inserted `user`: records its `user.created` webhook event, with the
 * site's own id for them (`externalId`) when the site's backend vouched for them. Every insert into `users`
 * calls this (here and in identities.repository.ts).
 */
export async function recordUserCreated(trx: Database, user: UserRecord): Promise<void> {
  const site = await eventSite(trx, user.siteId);
  await recordEvents(trx, [
    { site, type: 'user.created', data: { user: publicUser(user), externalId: user.externalId } },
  ]);
}

const ID = /^\d{1,18}$/;

export function usersRepository(db: Database) {
  return {
    async findById(siteId: string, id: string): Promise<UserRecord | undefined> {
      if (!ID.test(id)) return undefined;
      const row = await db<UserRow>('users').where({ id, site_id: siteId }).first();
      return row && toUserRecord(row);
    },

    async findByUsername(siteId: string, username: string): Promise<UserRecord | undefined> {
      const row = await db<UserRow>('users')
        .where({ site_id: siteId, username_lower: username.toLowerCase() })
        .first();
      return row && toUserRecord(row);
    },

    /**
     * Inserts a password account, with its `user.created` event; undefined when the username is taken on
     * this site.
     */
    async createPasswordUser(input: {
      siteId: string;
      username: string;
      displayName: string;
      passwordHash: string;
      roles?: SiteRole[];
    }): Promise<UserRecord | undefined> {
      return inTransaction(db, async (trx) => {
        const rows = await trx<UserRow>('users')
          .insert({
            site_id: input.siteId,
            kind: 'password',
            username: input.username,
            username_lower: input.username.toLowerCase(),
            display_name: input.displayName,
            password_hash: input.passwordHash,
            roles: input.roles ?? ['ROLE_USER'],
          })
          .onConflict(trx.raw('(site_id, username_lower) WHERE username_lower IS NOT NULL'))
          .ignore()
          .returning('*');
        if (!rows[0]) return undefined;
        const user = toUserRecord(rows[0] as UserRow);
        await recordUserCreated(trx, user);
        return user;
      });
    },

    async updateProfile(
      siteId: string,
      id: string,
      patch: { displayName?: string; avatarUrl?: string | null },
    ): Promise<UserRecord | undefined> {
      const values: Record<string, unknown> = { updated_at: db.fn.now() };
      if (patch.displayName !== undefined) values.display_name = patch.displayName;
      if (patch.avatarUrl !== undefined) values.avatar_url = patch.avatarUrl;
      const [row] = await db<UserRow>('users').where({ id, site_id: siteId }).update(values).returning('*');
      return row && toUserRecord(row as UserRow);
    },

    async setRoles(siteId: string, id: string, roles: SiteRole[]): Promise<UserRecord | undefined> {
      const [row] = await db<UserRow>('users')
        .where({ id, site_id: siteId })
        .update({ roles, updated_at: db.fn.now() })
        .returning('*');
      return row && toUserRecord(row as UserRow);
    },

    /** Adds `roles` to the user's roles, keeping the others; atomic, so concurrent callers cannot lose one. */
    async addRoles(siteId: string, id: string, roles: SiteRole[]): Promise<UserRecord | undefined> {
      const [row] = await db<UserRow>('users')
        .where({ id, site_id: siteId })
        .update({
          // Existing roles keep their order; missing ones are appended.
          roles: db.raw('roles || ARRAY(SELECT r FROM unnest(?::text[]) AS r WHERE r <> ALL(roles))', [
            roles,
          ]),
          updated_at: db.fn.now(),
        })
        .returning('*');
      return row && toUserRecord(row as UserRow);
    },

    /** Replaces a password account's hash (a new password, or the same one at a new bcrypt cost). */
    async setPasswordHash(siteId: string, id: string, passwordHash: string): Promise<boolean> {
      const n = await db('users')
        .where({ id, site_id: siteId, kind: 'password' })
        .update({ password_hash: passwordHash, updated_at: db.fn.now() });
      return n > 0;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
