/**
 * All SQL about refresh tokens. Only SHA-256 digests of tokens are stored, except a rotated row's successor
 * during the refresh grace window: that one is kept encrypted (`successor_sealed`, sealed by the caller) and
 * cleared once the window ends.
 */
import type { Database } from '../platform/database.js';

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
  /** The successor token, encrypted, while a repeat of this rotated token may still get it back. */
  successorSealed: string | null;
  /** End of the grace window of a rotated token (fixed at rotation). */
  graceUntil: Date | null;
}

interface Row {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
  successor_sealed: string | null;
  grace_until: Date | null;
}

const toRecord = (r: Row): RefreshTokenRecord => ({
  id: String(r.id),
  userId: String(r.user_id),
  familyId: r.family_id,
  tokenHash: r.token_hash,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  replacedBy: r.replaced_by === null ? null : String(r.replaced_by),
  successorSealed: r.successor_sealed,
  graceUntil: r.grace_until,
});

/** A token to store: its digest, never the token. */
export type NewToken = { userId: string; familyId: string; tokenHash: string; expiresAt: Date };

/** What a rotation leaves on the old row for the grace window. */
export type GraceWindow = { successorSealed: string; graceUntil: Date };

/** `refreshTokensRepository(db)`, also available inside a transaction. */
export interface RefreshTokensRepository {
  insert(input: NewToken): Promise<RefreshTokenRecord>;
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  findById(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Reads the row and locks it until the transaction ends (`SELECT ... FOR UPDATE`). */
  lockById(id: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks `oldId` rotated into `successorId` (replaced and revoked now) and keeps `grace` on it. */
  markRotated(oldId: string, successorId: string, grace: GraceWindow): Promise<void>;
  /**
   * Runs `fn` in a transaction with a repository bound to it. `fn` must only use that repository: on
   * embedded PGlite there is one connection, held by the transaction.
   */
  transaction<T>(fn: (tx: RefreshTokensRepository) => Promise<T>): Promise<T>;
  /** Revokes every token of the family and forgets any successor kept for a grace window. */
  revokeFamily(familyId: string): Promise<number>;
  revokeAllForUser(userId: string): Promise<number>;
  /** Forgets the successors of grace windows that ended by `now`; returns how many. */
  clearEndedGraceWindows(now: Date): Promise<number>;
}

async function insertToken(db: Database, input: NewToken): Promise<RefreshTokenRecord> {
  const [row] = await db<Row>('refresh_tokens')
    .insert({
      user_id: input.userId,
      family_id: input.familyId,
      token_hash: input.tokenHash,
      expires_at: input.expiresAt,
    })
    .returning('*');
  return toRecord(row as Row);
}

/** Revokes live tokens matching `where` and clears kept successors; one statement. */
function revokeWhere(db: Database, where: Record<string, string>): Promise<number> {
  return db('refresh_tokens')
    .where(where)
    .where((q) => q.whereNull('revoked_at').orWhereNotNull('successor_sealed'))
    .update({
      revoked_at: db.raw('COALESCE(revoked_at, now())'),
      successor_sealed: null,
      grace_until: null,
    });
}

export function refreshTokensRepository(db: Database): RefreshTokensRepository {
  return {
    insert: (input) => insertToken(db, input),

    async findByHash(tokenHash) {
      const row = await db<Row>('refresh_tokens').where({ token_hash: tokenHash }).first();
      return row && toRecord(row);
    },

    async findById(id) {
      const row = await db<Row>('refresh_tokens').where({ id }).first();
      return row && toRecord(row);
    },

    async lockById(id) {
      const row = await db<Row>('refresh_tokens').where({ id }).forUpdate().first();
      return row && toRecord(row);
    },

    async markRotated(oldId, successorId, grace) {
      await db('refresh_tokens').where({ id: oldId }).update({
        replaced_by: successorId,
        revoked_at: db.fn.now(),
        successor_sealed: grace.successorSealed,
        grace_until: grace.graceUntil,
      });
    },

    transaction: (fn) => db.transaction((trx) => fn(refreshTokensRepository(trx))),

    revokeFamily: (familyId) => revokeWhere(db, { family_id: familyId }),

    revokeAllForUser: (userId) => revokeWhere(db, { user_id: userId }),

    async clearEndedGraceWindows(now) {
      // SKIP LOCKED: rows another request holds are left for the next sweep, so sweeps never wait or deadlock.
      const ended = db<Row>('refresh_tokens')
        .select('id')
        .whereNotNull('successor_sealed')
        .where('grace_until', '<=', now)
        .forUpdate()
        .skipLocked();
      return db('refresh_tokens').whereIn('id', ended).update({ successor_sealed: null, grace_until: null });
    },
  };
}
