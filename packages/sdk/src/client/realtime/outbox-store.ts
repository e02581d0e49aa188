/**
 * The outbox in the client's `KeyValueStorage`: one key per server, site and user holding every send not yet
 * stored by the server (pending, or failed and kept for a retry), in queue order. Writes are coalesced (a
 * burst of sends is one write) and one at a time (storage-lock.ts), and each merges with what the storage
 * holds, so tabs or processes sharing the storage keep each other's sends: a write replaces only the sends
 * this outbox knows, drops only those it removed, and keeps the rest.
 */
import type { KeyValueStorage } from '../storage.js';
import { withStorageLock } from './storage-lock.js';

/**
 * A send as stored.
 *
 * @example
 * ```ts
 * const send: StoredSend = { roomId: '42', clientMsgId, text: 'hi', createdAt: new Date().toISOString(), status: 'pending' };
 * ```
 */
export interface StoredSend {
  roomId: string;
  clientMsgId: string;
  text: string;
  replyTo?: string;
  /** ISO time it was queued. */
  createdAt: string;
  status: 'pending' | 'failed';
  /** Why it failed. */
  /** The refusal's code (checked against `errorCodes` when restored) and message. */
  error?: { code: string; message: string; details?: unknown };
}

export interface OutboxStoreDeps {
  storage: KeyValueStorage;
  key: string;
  /** The sends this outbox holds now, in queue order. */
  snapshot(): StoredSend[];
  /** A read or write failed (the next change writes again). */
  report(error: unknown): void;
}

const isString = (v: unknown): v is string => typeof v === 'string';

function parseSend(value: unknown): StoredSend | undefined {
  const s = value as Partial<StoredSend> | null;
  if (typeof s !== 'object' || s === null) return undefined;
  if (!isString(s.roomId) || !isString(s.clientMsgId) || !isString(s.text) || !isString(s.createdAt)) {
    return undefined;
  }
  if (s.status !== 'pending' && s.status !== 'failed') return undefined;
  const send: StoredSend = {
    roomId: s.roomId,
    clientMsgId: s.clientMsgId,
    text: s.text,
    createdAt: s.createdAt,
    status: s.status,
  };
  if (isString(s.replyTo)) send.replyTo = s.replyTo;
  if (s.status === 'failed') {
    const e = s.error;
    send.error =
      e && isString(e.code) && isString(e.message)
        ? { code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) }
        : { code: 'internal', message: 'The send failed' };
  }
  return send;
}

/**
 * The sends stored under a key (an unreadable value counts as none; malformed entries are skipped).
 *
 * @example
 * ```ts
 * const sends = parseStoredSends(await storage.get(key));
 * ```
 */
export function parseStoredSends(raw: string | null): StoredSend[] {
  if (raw === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  const list = (parsed as { sends?: unknown } | null)?.sends;
  if (!Array.isArray(list)) return [];
  return list.map(parseSend).filter((s): s is StoredSend => s !== undefined);
}

/**
 * One outbox's persistence.
 *
 * @example
 * ```ts
 * const store = new OutboxStore({ storage, key, snapshot: () => outbox.stored(), report });
 * const restored = await store.load();
 * store.changed();          // after every change; writes soon, merged with what is stored
 * store.removed(clientMsgId); // a send left the outbox (stored, discarded)
 * await store.idle();
 * ```
 */
export class OutboxStore {
  /** Sends removed since the last write that succeeded: the next write drops them from storage. */
  readonly #gone = new Set<string>();
  #final: StoredSend[] | undefined;
  #dirty = false;
  #writing: Promise<void> | undefined;

  readonly #deps: OutboxStoreDeps;
  constructor(deps: OutboxStoreDeps) {
    this.#deps = deps;
  }

  /** The stored sends (of every tab sharing the storage). */
  async load(): Promise<StoredSend[]> {
    const { storage, key } = this.#deps;
    return parseStoredSends(await withStorageLock(storage, key, () => storage.get(key)));
  }

  /** The outbox changed: writes it soon (once for a burst of changes). */
  changed(): void {
    this.#dirty = true;
    this.#writing ??= this.#writeAll();
  }

  /** A send left the outbox: the next write removes it from storage. */
  removed(clientMsgId: string): void {
    this.#gone.add(clientMsgId);
    this.changed();
  }

  /** The outbox is closing: its last state (`sends`) is what gets written, now and from then on. */
  close(sends: StoredSend[]): void {
    this.#final = sends;
    this.changed();
  }

  /** Resolves once every change so far is written (or its write failed). */
  async idle(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  async #writeAll(): Promise<void> {
    // Queued for the storage lock at once (a load queued after it sees it); the changes made until the lock
    // is ours and the storage has answered go into the same write.
    try {
      while (this.#dirty) {
        this.#dirty = false;
        await this.#writeOnce();
      }
    } catch (error) {
      this.#deps.report(error);
    } finally {
      this.#writing = undefined;
    }
  }

  #writeOnce(): Promise<void> {
    const { storage, key } = this.#deps;
    return withStorageLock(storage, key, () => this.#merge());
  }

  async #merge(): Promise<void> {
    const { storage, key } = this.#deps;
    const stored = parseStoredSends(await storage.get(key));
    // Read after the storage answered, so the write carries the latest state.
    const mine = new Map((this.#final ?? this.#deps.snapshot()).map((s) => [s.clientMsgId, s]));
    const gone = [...this.#gone].filter((id) => !mine.has(id));
    const merged: StoredSend[] = [];
    for (const send of stored) {
      if (this.#gone.has(send.clientMsgId) && !mine.has(send.clientMsgId)) continue;
      merged.push(mine.get(send.clientMsgId) ?? send);
      mine.delete(send.clientMsgId);
    }
    merged.push(...mine.values());
    if (merged.length === 0) await storage.delete(key);
    else await storage.set(key, JSON.stringify({ sends: merged }));
    for (const id of gone) this.#gone.delete(id);
  }
}
