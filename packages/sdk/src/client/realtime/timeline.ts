/**
 * `createTimeline(chat, roomId)`: a live view of one room for rendering. It joins the room, starts from its latest
 * page, keeps every message once and in `seq` order with edits, deletions and reactions applied, shows my
 * sends the server has not stored yet after them, and pages back through the history on demand. The rules of
 * the view are in `TimelineState`; this file connects it to a connection's events and REST history.
 */
import { Emitter } from '../emitter.js';
import { SyncTalkError } from '../errors.js';
import type { Connection } from './connection.js';
import type { ConnectionEvents, JoinedRoom } from './events.js';
import type { FetchHistory } from './room-timeline.js';
import { TimelineState, type TimelineItem, type TimelineOutgoing } from './timeline-state.js';

/**
 * Options of `createTimeline(chat, roomId, options)`.
 *
 * @example
 * ```ts
 * const timeline = createTimeline(chat, '42', { pageSize: 30 });
 * ```
 */
export interface TimelineOptions {
  /** Messages per REST page: the first one, and each `loadOlder()`. 1–100, default 50. */
  pageSize?: number;
}

/**
 * What a timeline listens to on its connection.
 *
 * @example
 * ```ts
 * const onEdit: TimelineSourceEvents['message:updated'] = (e) => console.log(e.messageId, e.text);
 * ```
 */
export type TimelineSourceEvents = Pick<
  ConnectionEvents,
  'message:new' | 'message:updated' | 'message:deleted' | 'reaction:updated' | 'room:joined'
>;

/**
 * What a `Timeline` needs from its connection (`createTimeline` takes it from a `Connection`).
 *
 * @example
 * ```ts
 * const timeline = new Timeline('42', {
 *   on: (event, listener) => chat.on(event, listener),
 *   joinRoom: (roomId) => chat.joinRoom(roomId),
 *   fetchHistory: (roomId, query) => client.messages.history(roomId, query),
 *   userId: () => me.id,
 * });
 * ```
 */
export interface TimelineSource {
  on<E extends keyof TimelineSourceEvents>(event: E, listener: TimelineSourceEvents[E]): () => void;
  joinRoom(roomId: string): Promise<JoinedRoom>;
  /** REST history between two seqs (`client.messages.history`). */
  fetchHistory: FetchHistory;
  /** The signed-in user's id, once known: tells my reactions and my stored sends apart. */
  userId(): string | undefined;
  /** The outbox: the room's queued and failed sends and their changes. Without it, only stored messages show. */
  sends?: {
    outgoing(roomId: string): readonly TimelineOutgoing[];
    onStatus(listener: (outgoing: TimelineOutgoing) => void): () => void;
  };
}

/**
 * A timeline's events: `change` with the new `items` whenever what to render changed (also when `hasOlder`
 * did), `error` when refreshing it after a reconnect failed.
 *
 * @example
 * ```ts
 * const events: Partial<TimelineEvents> = { change: (items) => render(items) };
 * ```
 */
export type TimelineEvents = {
  change: (items: readonly TimelineItem[]) => void;
  error: (error: SyncTalkError) => void;
};

/** The REST page size of the refresh after a reconnect (the server's maximum). */
const REFRESH_PAGE = 100n;

function asError(error: unknown): SyncTalkError {
  return error instanceof SyncTalkError
    ? error
    : new SyncTalkError('internal', error instanceof Error ? error.message : String(error), {
        status: 0,
        cause: error,
      });
}

/**
 * A room's messages, ready to render: sorted by `seq`, each once, in its newest version (edited text,
 * tombstones with empty text and `deletedAt`, current reactions), then my sends not stored yet (`pending`,
 * or `failed` with the server's reason) in the order I sent them. A send becomes its stored message in
 * place of the pending row, never next to it. Made by `createTimeline(chat, roomId)`.
 *
 * The timeline joins the room (`chat.joinRoom`; fine when already joined) and fetches the latest page of
 * history; `ready` resolves when both are done. If either fails, `ready` rejects and the timeline closes.
 * After a reconnect it fetches the messages it shows again, so edits, deletions and reactions made while
 * the connection was down appear too. `close()` stops it; the room stays joined (`chat.leaveRoom` leaves).
 *
 * @example
 * ```ts
 * const timeline = createTimeline(chat, '42');
 * timeline.on('change', (items) => render(items, timeline.hasOlder));
 * await timeline.ready;
 * onScrollTop(() => timeline.loadOlder());
 * // later
 * timeline.close();
 * ```
 */
export class Timeline {
  readonly roomId: string;
  /** Resolves once the room is joined and its latest page is in `items`; rejects (and closes) if not. */
  readonly ready: Promise<void>;
  readonly #state: TimelineState;
  readonly #emitter = new Emitter<TimelineEvents>();
  readonly #pageSize: bigint;
  readonly #offs: (() => void)[] = [];
  #emitted: readonly TimelineItem[];
  #older: Promise<boolean> | undefined;
  #seeded = false;
  #reachedStart = false;
  #closed = false;
  #refreshing = false;
  #refreshAgain = false;

  readonly #source: TimelineSource;
  constructor(roomId: string, source: TimelineSource, options: TimelineOptions = {}) {
    this.#source = source;

    const pageSize = options.pageSize ?? 50;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new RangeError(`pageSize must be an integer from 1 to 100, not ${pageSize}`);
    }
    this.roomId = roomId;
    this.#pageSize = BigInt(pageSize);
    this.#state = new TimelineState({ roomId, userId: () => source.userId() });
    this.#emitted = this.#state.items;
    const update = (apply: () => void) => {
      if (this.#closed) return;
      apply();
      this.#changed();
    };
    this.#offs.push(
      source.on('message:new', (message) => update(() => this.#state.addMessages([message]))),
      source.on('message:updated', (event) => update(() => this.#state.applyEdit(event))),
      source.on('message:deleted', (event) => update(() => this.#state.applyDelete(event))),
      source.on('reaction:updated', (event) => update(() => this.#state.applyReaction(event))),
      source.on('room:joined', (joined, { rejoin }) => {
        if (rejoin && joined.room.id === roomId) void this.#refresh();
      }),
    );
    const sends = source.sends;
    if (sends) {
      this.#state.setOutgoing(sends.outgoing(roomId));
      this.#offs.push(
        sends.onStatus((outgoing) =>
          update(() => {
            this.#state.applySend(outgoing);
            // The outbox's list is the truth about what is still queued (discarded sends leave it).
            this.#state.setOutgoing(sends.outgoing(roomId));
          }),
        ),
      );
    }
    this.ready = this.#start();
    // Rejections are for those who wait on `ready`; the `error` event tells the others.
    this.ready.catch(() => undefined);
  }

  /** What to render, oldest first (a new frozen array after every change). */
  get items(): readonly TimelineItem[] {
    return this.#state.items;
  }

  /** Whether older messages than the first shown exist (`false` until `ready`). */
  get hasOlder(): boolean {
    const oldest = this.#state.oldestSeq;
    return this.#seeded && !this.#reachedStart && oldest !== undefined && BigInt(oldest) > 1n;
  }

  /** Whether `loadOlder()` is fetching. */
  get loadingOlder(): boolean {
    return this.#older !== undefined;
  }

  /** Whether `close()` was called (or the start failed). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Listens to `change` (what to render changed) or `error`. Returns a function that stops listening.
   *
   * @example
   * ```ts
   * const off = timeline.on('change', (items) => setRows(items));
   * off();
   * ```
   */
  on<E extends keyof TimelineEvents>(event: E, listener: TimelineEvents[E]): () => void {
    return this.#emitter.on(event, listener);
  }

  /**
   * Fetches the page of messages before the first one shown (REST), adds it to `items`, and resolves with
   * `hasOlder`. Calls while one is fetching share it; with nothing older it resolves `false` at once.
   *
   * @example
   * ```ts
   * list.addEventListener('scroll', () => {
   *   if (list.scrollTop < 200 && timeline.hasOlder && !timeline.loadingOlder) void timeline.loadOlder();
   * });
   * ```
   */
  loadOlder(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#older ??= this.#fetchOlder().finally(() => {
      this.#older = undefined;
    });
    return this.#older;
  }

  /**
   * Stops following the room: no more `change` events, listeners removed. The room stays joined.
   *
   * @example
   * ```ts
   * useEffect(() => {
   *   const timeline = createTimeline(chat, roomId);
   *   timeline.on('change', setItems);
   *   return () => timeline.close();
   * }, [roomId]);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#offs) off();
    this.#offs.length = 0;
    this.#emitter.clear();
  }

  #changed(force = false): void {
    const items = this.#state.items;
    if (!force && items === this.#emitted) return;
    this.#emitted = items;
    this.#emitter.emit('change', items);
  }

  /** Joins, then fetches the latest page (up to the seq the join delivered to; later ones arrive live). */
  async #start(): Promise<void> {
    try {
      const joined = await this.#source.joinRoom(this.roomId);
      if (this.#closed) return;
      const last = BigInt(joined.lastSeq);
      if (last > 0n) await this.#fetchRange(last - this.#pageSize, last + 1n);
      if (this.#closed) return;
      this.#seeded = true;
      this.#changed(true);
    } catch (error) {
      if (this.#closed) return;
      const reason = asError(error);
      this.#emitter.emit('error', reason);
      this.close();
      throw reason;
    }
  }

  async #fetchOlder(): Promise<boolean> {
    await this.ready;
    if (this.#closed || !this.hasOlder) return false;
    const before = BigInt(this.#state.oldestSeq!);
    await this.#fetchRange(before - 1n - this.#pageSize, before);
    if (this.#closed) return false;
    // Seqs have no gaps, so the page always reaches further back; if it did not, there is nothing to fetch.
    if (this.#state.oldestSeq === undefined || BigInt(this.#state.oldestSeq) >= before)
      this.#reachedStart = true;
    this.#changed(true);
    return this.hasOlder;
  }

  /**
   * Adds the messages with `after < seq < before` (seqs have no gaps, so the range is exactly the page),
   * stamped with the time of the request.
   */
  async #fetchRange(after: bigint, before: bigint): Promise<void> {
    const from = after > 0n ? after : 0n;
    const at = this.#state.mark();
    const page = await this.#source.fetchHistory(this.roomId, {
      after: from.toString(),
      before: before.toString(),
      limit: Number(before - from - 1n),
    });
    if (this.#closed) return;
    this.#state.addMessages(page.messages, at);
    this.#changed();
  }

  /** After a rejoin: fetches the shown range again, newest first, for what changed while disconnected. */
  async #refresh(): Promise<void> {
    if (!this.#seeded || this.#closed) return;
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    try {
      do {
        this.#refreshAgain = false;
        const oldest = this.#state.oldestSeq;
        const newest = this.#state.newestSeq;
        if (oldest === undefined || newest === undefined) break;
        const stop = BigInt(oldest) - 1n;
        for (let before = BigInt(newest) + 1n; before - 1n > stop && !this.#closed;) {
          const after = before - 1n - REFRESH_PAGE > stop ? before - 1n - REFRESH_PAGE : stop;
          await this.#fetchRange(after, before);
          before = after + 1n;
        }
      } while (this.#refreshAgain && !this.#closed);
    } catch (error) {
      if (!this.#closed) this.#emitter.emit('error', asError(error));
    } finally {
      this.#refreshing = false;
    }
  }
}

/**
 * A room's messages ready to render: a `Timeline` on a connection. It joins the room (fine when already
 * joined), starts from the latest page, applies edits, deletions and reactions as they happen, shows my sends
 * the server has not stored yet (pending, failed) after the stored messages, and pages back with `loadOlder()`.
 * A function of its own rather than a method of `Connection`, so that apps which render messages their own way
 * do not download it.
 *
 * @example
 * ```ts
 * import { createTimeline } from '@synctalk/sdk';
 *
 * const timeline = createTimeline(chat, '42');
 * timeline.on('change', (items) => render(items));
 * await timeline.ready;
 * if (timeline.hasOlder) await timeline.loadOlder();
 * ```
 */
export function createTimeline(chat: Connection, roomId: string, options?: TimelineOptions): Timeline {
  if (chat.status === 'closed') {
    throw new SyncTalkError('unavailable', 'The connection is closed: connect again for a timeline', {
      status: 0,
    });
  }
  return new Timeline(
    roomId,
    {
      on: (event, listener) => chat.on(event, listener as ConnectionEvents[typeof event]),
      joinRoom: (id) => chat.joinRoom(id),
      fetchHistory: (id, query) => chat.history(id, query),
      userId: () => chat.userId,
      sends: {
        outgoing: (id) => chat.outgoing(id),
        onStatus: (listener) => chat.on('send:status', listener),
      },
    },
    options,
  );
}
