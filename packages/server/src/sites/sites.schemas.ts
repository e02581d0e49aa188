/**
 * The server's side of the sites API schemas (the wire schemas themselves are `@synctalk/sdk/schemas`): the
 * page cursor of `GET /v1/admin/sites`, which only this server can read, and the list query that decodes it.
 */
import { isId, listSitesQuery as listSitesQueryOf, PUBLIC_ID } from '@synctalk/sdk/schemas';

/** `st_` + letters and digits, as `newPublicId()` makes them (and as `X-SyncTalk-Site` accepts). */
export { PUBLIC_ID };

// Keyset cursor: the last row's id, base64url-wrapped so clients treat it as opaque.
const CURSOR_PREFIX = 'site:';

export function encodeSiteCursor(id: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function decodeSiteCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX)) return undefined;
  const id = decoded.slice(CURSOR_PREFIX.length);
  return isId(id) ? id : undefined;
}

/** `GET /v1/admin/sites`: `cursor` parses to the id of the previous page's last site. */
export const listSitesQuery = listSitesQueryOf({ decodeCursor: decodeSiteCursor });
