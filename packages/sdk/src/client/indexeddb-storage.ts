/**
 * `indexedDbStorage()`: a `KeyValueStorage` over IndexedDB (browsers, web workers), with no dependency. One
 * database holding one object store of string values; the database is opened on first use and kept open,
 * and closed when another page upgrades it (it is opened again on the next call).
 */
import type { KeyValueStorage } from './storage.js';

/*
 * The part of IndexedDB used here, typed locally: the DOM lib is not in every consumer's build (the server
 * compiles the SDK without it).
 */
interface IdbRequest<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  put(value: string, key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
}
interface IdbTransaction {
  readonly error: unknown;
  objectStore(name: string): IdbObjectStore;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}
interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransaction;
  close(): void;
  onversionchange: (() => void) | null;
  onclose: (() => void) | null;
}
interface IdbFactory {
  open(name: string, version: number): IdbOpenRequest;
}

/** A failure IndexedDB reported (a `DOMException`, or nothing), as an `Error`. */
function asError(error: unknown, fallback: string): Error {
  return error instanceof Error ? error : new Error(fallback);
}

/** The object store's name (one per database). */
const STORE = 'kv';
const VERSION = 1;

/**
 * Options of `indexedDbStorage`.
 *
 * @example
 * ```ts
 * const options: IndexedDbStorageOptions = { name: 'my-app-chat' };
 * ```
 */
export interface IndexedDbStorageOptions {
  /** The database's name (default `synctalk`). */
  name?: string;
}

/** The request's result, once its transaction committed (a write counts only then). */
function settle<T>(request: IdbRequest<T>, transaction: IdbTransaction): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    transaction.oncomplete = () => resolve(request.result);
    transaction.onerror = () => reject(asError(transaction.error ?? request.error, 'IndexedDB failed'));
    transaction.onabort = () => reject(asError(transaction.error, 'IndexedDB transaction aborted'));
  });
}

/**
 * A `KeyValueStorage` over IndexedDB (browsers): shared by the tabs of one origin, kept across reloads, with a
 * far larger quota than `localStorage`. A write resolves once its transaction committed.
 *
 * @example
 * ```ts
 * import { createClient, indexedDbStorage } from '@synctalk/sdk';
 *
 * const client = createClient({ baseUrl: 'https://chat.example.com', storage: indexedDbStorage() });
 * ```
 */
export function indexedDbStorage(options: IndexedDbStorageOptions = {}): KeyValueStorage {
  const name = options.name ?? 'synctalk';
  let opening: Promise<IdbDatabase> | undefined;

  const open = (): Promise<IdbDatabase> => {
    if (opening) return opening;
    const attempt = new Promise<IdbDatabase>((resolve, reject) => {
      const factory = (globalThis as { indexedDB?: IdbFactory }).indexedDB;
      if (!factory) throw new TypeError('No IndexedDB on this platform');
      const request = factory.open(name, VERSION);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
      };
      request.onsuccess = () => {
        const db = request.result;
        const forget = () => {
          if (opening === attempt) opening = undefined;
        };
        // Another page wants a newer version (or the browser closed it): step aside, open again next call.
        db.onversionchange = () => {
          db.close();
          forget();
        };
        db.onclose = forget;
        resolve(db);
      };
      request.onerror = () => reject(asError(request.error, `Could not open IndexedDB "${name}"`));
    });
    opening = attempt;
    // A failed open is tried again on the next call.
    attempt.catch(() => {
      if (opening === attempt) opening = undefined;
    });
    return attempt;
  };

  const run = async <T>(mode: 'readonly' | 'readwrite', use: (store: IdbObjectStore) => IdbRequest<T>) => {
    const db = await open();
    const transaction = db.transaction(STORE, mode);
    return settle(use(transaction.objectStore(STORE)), transaction);
  };

  return {
    async get(key) {
      const value: unknown = await run('readonly', (store) => store.get(key));
      return typeof value === 'string' ? value : null;
    },
    async set(key, value) {
      await run('readwrite', (store) => store.put(value, key));
    },
    async delete(key) {
      await run('readwrite', (store) => store.delete(key));
    },
  };
}
