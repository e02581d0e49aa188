/**
 * What a connection keeps in the client's `KeyValueStorage`: its outbox (outbox-store.ts) and, with `resume`,
 * the room positions (room-positions.ts), under the keys of the signed-in user (storage-keys.ts). The one door
 * the connection opens onto them, so that a bundle that never passes a storage can leave all of it out.
 */
import type { KeyValueStorage } from '../storage.js';
import type { Tokens } from '../token-store.js';
import { OutboxStore, type StoredSend } from './outbox-store.js';
import { RoomPositions } from './room-positions.js';
import { storageKey, userIdOf } from './storage-keys.js';

export interface PersistenceOptions {
  storage: KeyValueStorage;
  /** The server's (first) base URL. */
  server: string;
  site: string | undefined;
  /** The session's tokens (they name the user). */
  tokens: Tokens | null;
  /** Keep room positions too. */
  resume: boolean;
  /** The outbox's sends now, in queue order. */
  snapshot(): StoredSend[];
  /** A read or write failed. */
  report(error: unknown): void;
}

/**
 * A connection's storage, opened: the outbox store and the sends it held, and the room positions.
 *
 * @example
 * ```ts
 * const opened = await openPersistence({ storage, server, site, tokens, resume: true, snapshot, report });
 * if (opened) outbox.persistTo(opened.store, opened.restored);
 * ```
 */
export interface Persistence {
  store: OutboxStore;
  /** The sends found in storage (left by an earlier connection, or another tab). */
  restored: StoredSend[];
  positions: RoomPositions | undefined;
}

/**
 * Opens the user's outbox and (with `resume`) room positions in `storage`; `undefined` when no user is
 * signed in. A failed read is reported and counts as empty.
 *
 * @example
 * ```ts
 * const opened = await openPersistence({ storage, server: endpoints.urls[0]!, site, tokens, resume, snapshot, report });
 * ```
 */
export async function openPersistence(options: PersistenceOptions): Promise<Persistence | undefined> {
  const { storage, report } = options;
  const userId = userIdOf(options.tokens);
  if (!userId) return undefined;
  const owner = { server: options.server, site: options.site, userId };
  const store = new OutboxStore({
    storage,
    key: storageKey(owner, 'outbox'),
    snapshot: options.snapshot,
    report,
  });
  const positions = options.resume
    ? new RoomPositions({ storage, key: storageKey(owner, 'rooms'), report })
    : undefined;
  const [restored] = await Promise.all([
    store.load().catch((error: unknown) => {
      report(error);
      return [];
    }),
    positions?.load().catch(report),
  ]);
  return { store, restored, positions };
}
