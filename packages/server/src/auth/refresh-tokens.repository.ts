/** All SQL about refresh tokens. Only SHA-256 digests are stored. */
import type { Database } from '../platform/database.js';

export interface RefreshTokenRecord {
  id: string;
  userId: string;
  familyId: string;
  expiresAt: Date;
  revokedAt: Date | null;
  replacedBy: string | null;
}

interface Row {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  replaced_by: string | null;
}

const toRecord = (r: Row): RefreshTokenRecord => ({
  id: String(r.id),
  userId: String(r.user_id),
  familyId: r.family_id,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  replacedBy: r.replaced_by === null ? null : String(r.replaced_by),
});

type NewToken = { userId: string; familyId: string; tokenHash: string; expiresAt: Date };

async function insertToken(trx: Database, input: NewToken): Promise<RefreshTokenRecord> {
  const [row] = await trx<Row>('refresh_tokens')
    .insert({
      user_id: input.userId,
      family_id: input.familyId,
      token_hash: input.tokenHash,
      expires_at: input.expiresAt,
    })
    .returning('*');
  return toRecord(row as Row);
}

export function refreshTokensRepository(db: Database) {
  return {
    insert: (input: NewToken) => insertToken(db, input),

    async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
      const row = await db<Row>('refresh_tokens').where({ token_hash: tokenHash }).first();
      return row && toRecord(row);
    },

    /**
     * Rotates atomically: marks `oldId` replaced and inserts the successor, only if `oldId` is still live.
     * Returns undefined when another request rotated or revoked it first.
     */
    async rotate(oldId: string, next: NewToken): Promise<RefreshTokenRecord | undefined> {
      return db.transaction(async (trx) => {
        const locked = await trx<Row>('refresh_tokens')
          .where({ id: oldId })
          .whereNull('revoked_at')
          .whereNull('replaced_by')
          .forUpdate()
          .first();
        if (!locked) return undefined;
        const successor = await insertToken(trx, next);
        await trx('refresh_tokens')
          .where({ id: oldId })
          .update({ replaced_by: successor.id, revoked_at: trx.fn.now() });
        return successor;
      });
    },

    async revokeFamily(familyId: string): Promise<number> {
      return db('refresh_tokens')
        .where({ family_id: familyId })
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() });
    },

    async revokeAllForUser(userId: string): Promise<number> {
      return db('refresh_tokens')
        .where({ user_id: userId })
        .whereNull('revoked_at')
        .update({ revoked_at: db.fn.now() });
    },
  };
}
