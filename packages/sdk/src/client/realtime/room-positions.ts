/**
 * Remembered room positions (`connect({ resume: true })`): the seq of the last message delivered in each room,
 * kept in the client's `KeyValueStorage` so that `joinRoom(roomId)` after a reload delivers only what came
 * after. Deliveries move the positions in memory; storage is written at most once per `writeDelayMs` (a join
 * delivering 200 messages is one write), and at once by `flush()` (the connection closing). Each write merges
 * with what is stored, keeping the further position of each room, so tabs sharing the storage only move
 * positions forward.
 */
import type { KeyValueStorage } from '../storage.js';
import { withStorageLock } from './storage-lock.js';

export interface RoomPositionsDeps {
  storage: KeyValueStorage;
  key: string;
  /** A read or write failed. */
  report(error: unknown): void;
  /** The longest a delivered position waits before it is written (default 500 ms). */
  writeDelayMs?: number;
}

const SEQ = /^\d{1,20}$/;

/** Whether seq `a` is after seq `b` (decimal strings without leading zeros, as the server writes them). */
export function seqAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/**
 * The positions stored under a key (an unreadable value counts as none).
 *
 * @example
 * ```ts
 * parseRoomPositions('{"rooms":{"42":"1870"}}'); // Map { '42' => '1870' }
 * ```
 */
export function parseRoomPositions(raw: string | null): Map<string, string> {
  const positions = new Map<string, string>();
  if (raw === null) return positions;
  try {
    const rooms = (JSON.parse(raw) as { rooms?: unknown } | null)?.rooms;
    if (typeof rooms !== 'object' || rooms === null) return positions;
    for (const [roomId, seq] of Object.entries(rooms)) {
      if (typeof seq === 'string' && SEQ.test(seq)) positions.set(roomId, seq);
    }
  } catch {
    // Unreadable: start over.
  }
  return positions;
}

/**
 * Each room's last delivered seq, in memory and (soon after) in storage.
 *
 * @example
 * ```ts
 * const positions = new RoomPositions({ storage, key, report });
 * await positions.load();
 * chat.joinRoom(roomId, { lastSeq: positions.get(roomId) });
 * positions.record(message.roomId, message.seq); // on every delivery
 * await positions.flush();                        // closing
 * ```
 */
export class RoomPositions {
  readonly #positions = new Map<string, string>();
  /** Positions moved since the last write. */
  readonly #moved = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> | undefined;

  readonly #deps: RoomPositionsDeps;
  constructor(deps: RoomPositionsDeps) {
    this.#deps = deps;
  }

  /** Reads the stored positions (ones already recorded here that are further stay). */
  async load(): Promise<void> {
    const { storage, key } = this.#deps;
    const stored = parseRoomPositions(await withStorageLock(storage, key, () => storage.get(key)));
    for (const [roomId, seq] of stored) {
      const mine = this.#positions.get(roomId);
      if (mine === undefined || seqAfter(seq, mine)) this.#positions.set(roomId, seq);
    }
  }

  /** The room's position, if one is known. */
  get(roomId: string): string | undefined {
    return this.#positions.get(roomId);
  }

  /** A message of the room was delivered (or a join reported where the room stands). */
  record(roomId: string, seq: string): void {
    const current = this.#positions.get(roomId);
    if (!SEQ.test(seq) || (current !== undefined && !seqAfter(seq, current))) return;
    this.#positions.set(roomId, seq);
    this.#moved.add(roomId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, this.#deps.writeDelayMs ?? 500);
  }

  /** Writes the moved positions now; resolves once they are written (or the write failed). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#write();
  }

  async #write(): Promise<void> {
    // One write at a time; positions moved meanwhile go in the next.
    while (this.#writing) await this.#writing;
    if (this.#moved.size === 0) return;
    this.#writing = (async () => {
      try {
        const { storage, key } = this.#deps;
        const written = await withStorageLock(storage, key, async () => {
          const stored = parseRoomPositions(await storage.get(key));
          const moved = new Map([...this.#moved].map((roomId) => [roomId, this.#positions.get(roomId)!]));
          for (const [roomId, seq] of moved) {
            const there = stored.get(roomId);
            if (there === undefined || seqAfter(seq, there)) stored.set(roomId, seq);
          }
          await storage.set(key, JSON.stringify({ rooms: Object.fromEntries(stored) }));
          return moved;
        });
        // A room that moved again during the write stays for the next one.
        for (const [roomId, seq] of written)
          if (this.#positions.get(roomId) === seq) this.#moved.delete(roomId);
      } catch (error) {
        this.#deps.report(error);
      } finally {
        this.#writing = undefined;
      }
    })();
    await this.#writing;
  }
}
