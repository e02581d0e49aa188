/**
 * The keys a connection uses in the client's `KeyValueStorage`. Each names the server, the site and the user,
 * so two accounts, sites or servers sharing one browser's storage never see (or send) each other's data.
 */
import type { Tokens } from '../token-store.js';

/**
 * Who the stored data belongs to.
 *
 * @example
 * ```ts
 * const owner: StorageOwner = { server: 'https://chat.example.com', site: 'st_AbC123', userId: '42' };
 * ```
 */
export interface StorageOwner {
  /** The server's (first) base URL. */
  server: string;
  /** The site's public id; `undefined` for the server's default site. */
  site: string | undefined;
  userId: string;
}

/**
 * The key of one kind of stored data (`outbox`, `rooms`) of `owner`.
 *
 * @example
 * ```ts
 * storageKey(owner, 'outbox'); // 'synctalk.v1|https://chat.example.com|st_AbC123|42|outbox'
 * ```
 */
export function storageKey(owner: StorageOwner, kind: 'outbox' | 'rooms'): string {
  return ['synctalk.v1', owner.server, owner.site ?? 'default', owner.userId, kind].join('|');
}

/** The `sub` claim of a JWT, read without checking it (it only picks the storage keys of the token's user). */
function subjectOf(token: string): string | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in user's id: from the stored tokens (every sign-in records it), else from the access token's
 * subject (tokens handed to `memoryTokenStore` without `userId`).
 *
 * @example
 * ```ts
 * const userId = userIdOf(await session.current()); // '42', or undefined when signed out
 * ```
 */
export function userIdOf(tokens: Tokens | null | undefined): string | undefined {
  if (!tokens) return undefined;
  return tokens.userId ?? subjectOf(tokens.accessToken);
}
