/**
 * Where the client keeps what must outlive the page or the process: the outbox of sends not yet stored by
 * the server, and (with `connect({ resume: true })`) each room's position. Any async key-value store will do;
 * three ship with the SDK: memory, `localStorage`, and IndexedDB (indexeddb-storage.ts). The client
 * namespaces its keys by server, site and user, so one storage can serve several accounts and servers.
 */

/**
 * An async key-value store of strings (the client stores JSON). `createClient({ storage })` uses it to keep
 * pending sends across reloads and crashes, and room positions for `connect({ resume: true })`.
 *
 * Writes should be durable once `set` resolves. Several tabs (or processes) may share one storage: the
 * client merges what it writes with what is there, so none of them drops another's sends.
 *
 * @example
 * ```ts
 * // A file in Node (one JSON object of every key):
 * import { readFile, rename, writeFile } from 'node:fs/promises';
 *
 * function fileStorage(path: string): KeyValueStorage {
 *   const load = async (): Promise<Record<string, string>> =>
 *     JSON.parse(await readFile(path, 'utf8').catch(() => '{}'));
 *   const save = async (all: Record<string, string>) => {
 *     await writeFile(`${path}.tmp`, JSON.stringify(all));
 *     await rename(`${path}.tmp`, path);
 *   };
 *   return {
 *     get: async (key) => (await load())[key] ?? null,
 *     set: async (key, value) => save({ ...(await load()), [key]: value }),
 *     delete: async (key) => {
 *       const { [key]: _, ...rest } = await load();
 *       await save(rest);
 *     },
 *   };
 * }
 * const client = createClient({ baseUrl, storage: fileStorage('./synctalk-state.json') });
 * ```
 */
export interface KeyValueStorage {
  /** The value stored under `key`, or `null`. */
  get(key: string): Promise<string | null>;
  /** Stores `value` under `key` (replacing any). */
  set(key: string, value: string): Promise<void>;
  /** Removes `key` (nothing happens when it is absent). */
  delete(key: string): Promise<void>;
}

/**
 * A `KeyValueStorage` in memory: it lives as long as the object (share one between clients of a process, or
 * use it in tests). Nothing survives a reload.
 *
 * @example
 * ```ts
 * import { createClient, memoryStorage } from '@synctalk/sdk';
 *
 * const storage = memoryStorage();
 * const client = createClient({ baseUrl: 'https://chat.example.com', storage });
 * ```
 */
export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>();
  return {
    get: (key) => Promise.resolve(values.get(key) ?? null),
    set: (key, value) => {
      values.set(key, value);
      return Promise.resolve();
    },
    delete: (key) => {
      values.delete(key);
      return Promise.resolve();
    },
  };
}

/**
 * The part of the Web Storage API (`localStorage`, `sessionStorage`) the adapter uses (typed here so that
 * builds without the DOM library can use the SDK's types).
 *
 * @example
 * ```ts
 * const storage: WebStorage = window.sessionStorage;
 * ```
 */
export interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Options of `localStorageAdapter`.
 *
 * @example
 * ```ts
 * const options: LocalStorageAdapterOptions = { prefix: 'my-app:chat:', storage: window.sessionStorage };
 * ```
 */
export interface LocalStorageAdapterOptions {
  /** Put before every key (default `synctalk:`), to keep the client's keys apart from the page's own. */
  prefix?: string;
  /** The Web Storage to use (default `globalThis.localStorage`). */
  storage?: WebStorage;
}

/**
 * A `KeyValueStorage` over `localStorage` (browsers): shared by the tabs of one origin, kept across reloads
 * and restarts of the browser. Its quota is small (about 5 MB per origin); a write over it rejects, and the
 * client reports that as an `error` event. For large outboxes prefer `indexedDbStorage()`.
 *
 * @example
 * ```ts
 * import { createClient, localStorageAdapter } from '@synctalk/sdk';
 *
 * const client = createClient({ baseUrl: 'https://chat.example.com', storage: localStorageAdapter() });
 * const chat = await client.connect({ resume: true });
 * ```
 */
export function localStorageAdapter(options: LocalStorageAdapterOptions = {}): KeyValueStorage {
  const prefix = options.prefix ?? 'synctalk:';
  const storage = options.storage ?? (globalThis as { localStorage?: WebStorage }).localStorage;
  if (!storage) throw new TypeError('No localStorage on this platform: pass options.storage');
  // Web Storage is synchronous and may throw (quota exceeded, storage disabled): each call becomes a promise
  // that rejects with what it threw.
  const call = <T>(run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    get: (key) => call(() => storage.getItem(prefix + key)),
    set: (key, value) => call(() => storage.setItem(prefix + key, value)),
    delete: (key) => call(() => storage.removeItem(prefix + key)),
  };
}
