/**
 * Read-merge-write of one storage key, one at a time: among the connections of this page or process (a
 * queue per storage and key), and among the tabs of a browser through the Web Locks API where there is one
 * (`navigator.locks`: every current browser). Without it (Node), processes sharing a storage are not
 * coordinated; the merge and the server's de-duplication by `clientMsgId` keep that harmless.
 */
import type { KeyValueStorage } from '../storage.js';

/** The part of the Web Locks API used here (typed locally: the DOM lib is not in every consumer's build). */
interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

const queues = new WeakMap<KeyValueStorage, Map<string, Promise<unknown>>>();

/**
 * Runs `update` once no other update of `key` in `storage` runs.
 *
 * @example
 * ```ts
 * await withStorageLock(storage, key, async () => storage.set(key, merge(await storage.get(key))));
 * ```
 */
export function withStorageLock<T>(
  storage: KeyValueStorage,
  key: string,
  update: () => Promise<T>,
): Promise<T> {
  let byKey = queues.get(storage);
  if (!byKey) {
    byKey = new Map();
    queues.set(storage, byKey);
  }
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  const exclusive = () => (locks ? locks.request(`synctalk|${key}`, update) : update());
  const result = (byKey.get(key) ?? Promise.resolve()).then(exclusive);
  const tail = result.catch(() => undefined);
  byKey.set(key, tail);
  void tail.then(() => {
    if (byKey.get(key) === tail) byKey.delete(key);
  });
  return result;
}
