/**
 * All SQL about users who come from outside: Kakao accounts, users vouched for by a site's backend (site
 * tokens) and guests. Identities are keyed by (site, provider id) — never by email — and every upsert is one
 * statement against the partial unique indexes of migration 0001, so concurrent first sign-ins of the same
 * person converge on one row. A user inserted here gets its `user.created` webhook event in the same
 * transaction.
 */
import { inTransaction, type Database } from '../platform/database.js';
import { recordUserCreated, toUserRecord, type UserRecord } from './users.repository.js';

type Row = Parameters<typeof toUserRecord>[0];

/** Outcome of linking a Kakao identity to an existing account. */
export type LinkOutcome =
  | { status: 'linked'; user: UserRecord }
  /** This account already carries that Kakao id: nothing to do. */
  | { status: 'unchanged'; user: UserRecord }
  /** Another account of the site signs in with that Kakao id. */
  | { status: 'taken' }
  /** This account is linked to a different Kakao id. */
  | { status: 'has_other' }
  | { status: 'not_found' };

const POSTGRES_UNIQUE_VIOLATION = '23505';

export function identitiesRepository(db: Database) {
  return {
    async findByKakaoId(siteId: string, kakaoId: string): Promise<UserRecord | undefined> {
      const row = await db<Row>('users').where({ site_id: siteId, kakao_id: kakaoId }).first();
      return row && toUserRecord(row);
    },

    /**
     * Creates or refreshes the user signing in with `kakaoId` on `siteId`. A Kakao account's profile (name,
     * avatar, verified email) follows Kakao on every sign-in; an account that only *linked* Kakao (a password
     * or site user) keeps its own profile.
     */
    async upsertKakaoUser(input: {
      siteId: string;
      kakaoId: string;
      displayName: string;
      avatarUrl: string | null;
      email: string | null;
    }): Promise<{ user: UserRecord; created: boolean }> {
      return inTransaction(db, async (trx) => {
        const follow = (column: string) =>
          trx.raw(`CASE WHEN users.kind = 'kakao' THEN excluded.?? ELSE users.?? END`, [column, column]);
        const rows = await trx<Row>('users')
          .insert({
            site_id: input.siteId,
            kind: 'kakao',
            kakao_id: input.kakaoId,
            display_name: input.displayName,
            avatar_url: input.avatarUrl,
            email: input.email,
            roles: ['ROLE_USER'],
          })
          .onConflict(trx.raw('(site_id, kakao_id) WHERE kakao_id IS NOT NULL'))
          .merge({
            display_name: follow('display_name'),
            avatar_url: follow('avatar_url'),
            email: follow('email'),
            updated_at: trx.fn.now(),
          } as never)
          // xmax is 0 only for a freshly inserted row version: tells an insert from an update in one trip.
          .returning(['*', trx.raw('(xmax = 0) AS inserted')] as never);
        const row = rows[0] as unknown as Row & { inserted: boolean };
        const user = toUserRecord(row);
        if (row.inserted) await recordUserCreated(trx, user);
        return { user, created: row.inserted };
      });
    },

    /**
     * Sets `kakaoId` on an existing account of the site. The partial unique index on (site_id, kakao_id) is
     * the final arbiter when two accounts race to link the same Kakao id.
     */
    async linkKakao(siteId: string, userId: string, kakaoId: string): Promise<LinkOutcome> {
      return db.transaction(async (trx) => {
        const user = await trx<Row>('users').where({ id: userId, site_id: siteId }).forUpdate().first();
        if (!user) return { status: 'not_found' };
        if (user.kakao_id === kakaoId) return { status: 'unchanged', user: toUserRecord(user) };
        if (user.kakao_id !== null) return { status: 'has_other' };
        const holder = await trx<Row>('users').where({ site_id: siteId, kakao_id: kakaoId }).first('id');
        if (holder) return { status: 'taken' };
        try {
          const [row] = await trx<Row>('users')
            .where({ id: userId, site_id: siteId })
            .update({ kakao_id: kakaoId, updated_at: trx.fn.now() } as never)
            .returning('*');
          return { status: 'linked', user: toUserRecord(row as Row) };
        } catch (error) {
          if ((error as { code?: string }).code === POSTGRES_UNIQUE_VIOLATION) return { status: 'taken' };
          throw error;
        }
      });
    },

    /** Removes the Kakao link of an account; false when there was none. */
    async unlinkKakao(siteId: string, userId: string): Promise<UserRecord | undefined> {
      const [row] = await db<Row>('users')
        .where({ id: userId, site_id: siteId })
        .whereNotNull('kakao_id')
        .update({ kakao_id: null, updated_at: db.fn.now() } as never)
        .returning('*');
      return row && toUserRecord(row as Row);
    },

    /**
     * Creates or refreshes the user a site's backend vouches for. `displayName` / `avatarUrl` left undefined
     * keep the stored values (a new user is called `fallbackName`); `avatarUrl: null` clears the avatar.
     */
    async upsertSiteUser(input: {
      siteId: string;
      externalId: string;
      fallbackName: string;
      displayName?: string;
      avatarUrl?: string | null;
    }): Promise<{ user: UserRecord; created: boolean }> {
      return inTransaction(db, async (trx) => {
        const merge: Record<string, unknown> = { updated_at: trx.fn.now() };
        if (input.displayName !== undefined) merge.display_name = trx.raw('excluded.display_name');
        if (input.avatarUrl !== undefined) merge.avatar_url = trx.raw('excluded.avatar_url');
        const rows = await trx<Row>('users')
          .insert({
            site_id: input.siteId,
            kind: 'site',
            external_id: input.externalId,
            display_name: input.displayName ?? input.fallbackName,
            avatar_url: input.avatarUrl ?? null,
            roles: ['ROLE_USER'],
          })
          .onConflict(trx.raw('(site_id, external_id) WHERE external_id IS NOT NULL'))
          .merge(merge as never)
          .returning(['*', trx.raw('(xmax = 0) AS inserted')] as never);
        const row = rows[0] as unknown as Row & { inserted: boolean };
        const user = toUserRecord(row);
        if (row.inserted) await recordUserCreated(trx, user);
        return { user, created: row.inserted };
      });
    },

    /** A new guest: no username, no credentials, no site-wide role. */
    async createGuest(input: { siteId: string; displayName: string }): Promise<UserRecord> {
      return inTransaction(db, async (trx) => {
        const [row] = await trx<Row>('users')
          .insert({ site_id: input.siteId, kind: 'guest', display_name: input.displayName, roles: [] })
          .returning('*');
        const user = toUserRecord(row as Row);
        await recordUserCreated(trx, user);
        return user;
      });
    },
  };
}

export type IdentitiesRepository = ReturnType<typeof identitiesRepository>;
