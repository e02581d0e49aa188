/**
 * Keyset pagination, the parts every listing shares. Repositories hold the SQL (a range condition on the
 * sort key, `ORDER BY` it, `LIMIT n`); this module holds the rest:
 *
 * - the page: ask the repository for one row more than the page (`fetchLimit`), and the extra row tells
 *   whether another page follows without a second query (`takePage`, `keysetPage`);
 * - the cursor: opaque and tamper-proof, `base64url(JSON payload) + "." + base64url(HMAC-SHA256)`. The MAC key
 *   is derived from the server secret for one purpose, and the MAC also covers a scope (e.g. the site id), so a
 *   cursor is valid only for the listing that issued it. Anything else — garbage, a forged or edited payload,
 *   another listing's cursor — is a `validation_failed` error, never a database query.
 */
import { createHmac } from 'node:crypto';
import { CURSOR_MAX_LENGTH } from '@synctalk/sdk/schemas';
import type { ZodType } from 'zod';
import { deriveKey, safeEqual } from './crypto.js';
import { AppError } from './errors.js';

/** Longest cursor accepted (the wire schemas' bound); real ones are far shorter. */
export const MAX_CURSOR_LENGTH = CURSOR_MAX_LENGTH;

export interface CursorCodec {
  encode(scope: string, payload: unknown): string;
  /** Verifies and parses `cursor`; throws `validation_failed` when it is not one this codec issued. */
  decode<T>(scope: string, cursor: string, schema: ZodType<T>): T;
}

/** A codec for one kind of cursor (`purpose`), keyed from `secretsKey`. */
export function cursorCodec(secretsKey: string, purpose: string): CursorCodec {
  const key = deriveKey(secretsKey, `cursor:${purpose}`);
  // 128 bits of MAC: forging one is out of reach, and cursors stay short.
  const mac = (scope: string, body: string) =>
    createHmac('sha256', key).update(`${scope}\n${body}`).digest().subarray(0, 16).toString('base64url');
  const invalid = () =>
    new AppError('validation_failed', 'Invalid query.cursor: not a cursor from this listing', [
      { path: 'cursor', message: 'not a cursor from this listing', code: 'custom' },
    ]);

  return {
    encode(scope, payload) {
      const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
      return `${body}.${mac(scope, body)}`;
    },

    decode(scope, cursor, schema) {
      if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
      const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{22})$/.exec(cursor);
      if (!match || !safeEqual(match[2]!, mac(scope, match[1]!))) throw invalid();
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(match[1]!, 'base64url').toString('utf8'));
      } catch {
        throw invalid();
      }
      const parsed = schema.safeParse(payload);
      if (!parsed.success) throw invalid();
      return parsed.data;
    },
  };
}

/** How many rows to ask the repository for, for a page of `limit`: one more, to learn whether more follow. */
export function fetchLimit(limit: number): number {
  return limit + 1;
}

/** The first `limit` of `rows` (fetched with `fetchLimit(limit)`), and whether more followed them. */
export function takePage<T>(rows: readonly T[], limit: number): { page: T[]; hasMore: boolean } {
  return { page: rows.slice(0, limit), hasMore: rows.length > limit };
}

/**
 * A keyset page: fetches `fetchLimit(limit)` rows with `fetch`, keeps `limit`, and when more follow builds
 * `nextCursor` from the page's last row with `cursorOf` (null on the last page).
 *
 * @example
 * const { page, nextCursor } = await keysetPage(query.limit, (n) => repo.list({ limit: n, after }), (last) =>
 *   codec.encode(scope, { id: last.id }),
 * );
 */
export async function keysetPage<T>(
  limit: number,
  fetch: (fetchLimit: number) => Promise<readonly T[]>,
  cursorOf: (last: T) => string,
): Promise<{ page: T[]; nextCursor: string | null }> {
  const { page, hasMore } = takePage(await fetch(fetchLimit(limit)), limit);
  const last = page[page.length - 1];
  return { page, nextCursor: hasMore && last !== undefined ? cursorOf(last) : null };
}
