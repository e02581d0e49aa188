/**
 * One joined room's timeline on a connection: feeds every source of messages through the room's
 * `MessageSequencer`, delivers what is due, and fetches what is missing over REST: a gap behind a live
 * message, the rest of a catch-up after a (re)join (`hasMore`), or everything up to a head the server
 * reported (`behind`: the last broadcasts were lost, so no later message shows the gap). At most one fetch
 * runs at a time per room, and none while a join is catching up (the catch-up covers it).
 */
import type { RoomJoinResult } from '../../protocol/events.js';
import type { Message, MessagePage } from '../../protocol/messages.js';
import { SyncTalkError } from '../errors.js';
import { MessageSequencer, SEQ } from './sequencer.js';

/**
 * Where a delivered message came from.
 *
 * @example
 * ```ts
 * chat.on('message:new', (m, { source }: { source: DeliverySource }) => {
 *   if (source === 'live') notify(m);
 * });
 * ```
 */
export type DeliverySource =
  /** broadcast as it was sent */
  | 'live'
  /** the `room:join` answer (first join or rejoin after a reconnect) */
  | 'join'
  /** fetched over REST to fill a gap or finish a catch-up */
  | 'history'
  /** the acknowledgement of this connection's own send */
  | 'sent';

/** REST pages of history, as `client.messages.history` gives them. */
export type FetchHistory = (
  roomId: string,
  query: { after: string; before?: string; limit: number },
) => Promise<MessagePage>;

export interface RoomTimelineDeps {
  roomId: string;
  fetchHistory: FetchHistory;
  /** Called once per message, in seq order. */
  deliver(message: Message, source: DeliverySource): void;
  /** A fetch failed (it is retried after `retryDelayMs`, and on the next message or rejoin). */
  onError(error: unknown): void;
  /** Delay before retrying a failed fetch; default 1000 ms. */
  retryDelayMs?: number;
}

/** Page size of REST catch-up and gap fetches (the server's maximum). */
export const HISTORY_PAGE = 100;

interface Entry {
  seq: string;
  message: Message;
  source: DeliverySource;
}

/**
 * The timeline of one room.
 *
 * @example
 * ```ts
 * const timeline = new RoomTimeline({ roomId, fetchHistory, deliver: render, onError: console.warn });
 * await timeline.sync(await socket.emitWithAck('room:join', { roomId }), undefined);
 * socket.on('message:new', (m) => m.roomId === roomId && timeline.accept([m], 'live'));
 * ```
 */
export class RoomTimeline {
  readonly #sequencer: MessageSequencer<Entry>;
  /** Joins in flight: fetching waits for their answers, which may cover the gap. */
  #joining = 0;
  /** A join answer said more messages followed than it carried. */
  #catchingUp = false;
  /** The highest head the server reported that is not delivered yet (`behind`). */
  #head: bigint | null = null;
  #working = false;
  readonly #settled: (() => void)[] = [];
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  readonly #deps: RoomTimelineDeps;
  constructor(deps: RoomTimelineDeps, lastSeq: string | null = null) {
    this.#deps = deps;

    this.#sequencer = new MessageSequencer<Entry>(lastSeq);
  }

  /** The seq of the last delivered message, or `null` before the first join answered. */
  get lastSeq(): string | null {
    return this.#sequencer.lastSeq;
  }

  /** Messages from any source, any order, duplicates allowed. */
  accept(messages: readonly Message[], source: DeliverySource): void {
    if (this.#closed) return;
    this.#emit(this.#sequencer.push(messages.map((message) => ({ seq: message.seq, message, source }))));
    this.#kick();
  }

  /** A `room:join` was sent: hold gap fetches until its answer (`sync`) or failure (`joinFailed`). */
  joinStarted(): void {
    this.#joining += 1;
  }

  /** The join sent after `joinStarted` got no answer. */
  joinFailed(): void {
    this.#joining = Math.max(0, this.#joining - 1);
    this.#kick();
  }

  /**
   * Applies a `room:join` answer (after `joinStarted`). `requested` is the `lastSeq` the join sent: then the
   * answer holds what followed it and `hasMore` means more followed, which is fetched here; without it, the
   * answer holds the latest messages and the timeline starts just before them. Resolves when that catch-up
   * was delivered, or failed (it is then retried in the background and the error reported).
   */
  sync(
    result: Pick<RoomJoinResult, 'room' | 'messages' | 'hasMore'>,
    requested: string | undefined,
  ): Promise<void> {
    this.#joining = Math.max(0, this.#joining - 1);
    if (this.#closed) return Promise.resolve();
    if (!this.#sequencer.started) {
      const first = result.messages[0];
      const start = requested ?? (first ? (BigInt(first.seq) - 1n).toString() : result.room.lastSeq);
      this.#emit(this.#sequencer.start(start));
    }
    if (requested !== undefined && result.hasMore) this.#catchingUp = true;
    const done = new Promise<void>((resolve) => this.#settled.push(resolve));
    this.accept(result.messages, 'join');
    if (!this.#working) this.#settle();
    return done;
  }

  /**
   * The server says the room's latest message is `head` (`room:heads`): when that is past the last one
   * delivered, the messages up to it are fetched (after any join in flight, which may bring them) and
   * delivered with source `'history'`. Resolves when delivered up to it, or when the fetch failed (it is then
   * retried in the background and the error reported). Ignored before the first join answered (that answer
   * starts at the latest message) and for a malformed seq.
   */
  behind(head: string): Promise<void> {
    if (this.#closed || !this.#sequencer.started || !SEQ.test(head)) return Promise.resolve();
    const seq = BigInt(head);
    if (this.#head === null || seq > this.#head) this.#head = seq;
    if (!this.#isBehind()) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#settled.push(resolve));
    // Settled by the fetch, or by the answer of the join in flight (`sync`, or `joinFailed` then a fetch).
    this.#kick();
    return done;
  }

  /** Stops delivering and fetching (the room was left). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#settle();
  }

  #emit(entries: Entry[]): void {
    for (const entry of entries) {
      if (this.#closed) return;
      this.#deps.deliver(entry.message, entry.source);
    }
  }

  #settle(): void {
    for (const resolve of this.#settled.splice(0)) resolve();
  }

  /** Whether a reported head is past the last delivered message (forgets it once it is not). */
  #isBehind(): boolean {
    const last = this.#sequencer.lastSeq;
    if (this.#head === null || last === null) return false;
    if (BigInt(last) < this.#head) return true;
    this.#head = null;
    return false;
  }

  /**
   * Fetches what is missing (the rest of a catch-up first, then gaps, then up to a reported head), one
   * request at a time.
   */
  #kick(): void {
    if (this.#working || this.#closed || this.#joining > 0) return;
    if (!this.#catchingUp && !this.#sequencer.gap() && !this.#isBehind()) return;
    this.#working = true;
    clearTimeout(this.#retryTimer);
    void this.#work().finally(() => {
      this.#working = false;
      this.#settle();
    });
  }

  async #work(): Promise<void> {
    const { roomId, fetchHistory } = this.#deps;
    // Delivered like any other source (`accept`: its own fetch is not started again while this one runs).
    const history = (messages: Message[]) => this.accept(messages, 'history');
    try {
      while (!this.#closed && this.#joining === 0) {
        if (this.#catchingUp) {
          const page = await fetchHistory(roomId, { after: this.#sequencer.lastSeq!, limit: HISTORY_PAGE });
          history(page.messages);
          this.#catchingUp = page.hasMore && page.messages.length > 0;
          continue;
        }
        // Held-back messages first; then up to a reported head, fetched the same way.
        const gap =
          this.#sequencer.gap() ??
          (this.#isBehind()
            ? { after: this.#sequencer.lastSeq!, before: (this.#head! + 1n).toString() }
            : null);
        if (!gap) return;
        const page = await fetchHistory(roomId, {
          after: gap.after,
          before: gap.before,
          limit: HISTORY_PAGE,
        });
        // Left while the page was on its way: it is not taken, so it says nothing about what is missing.
        if (this.#closed) return;
        history(page.messages);
        if (this.#sequencer.lastSeq === gap.after) {
          // Seqs are gap-free, so the server always has the next one; if it does not, do not stall on it.
          const first = page.messages[0];
          const until = first && BigInt(first.seq) < BigInt(gap.before) ? first.seq : gap.before;
          this.#emit(this.#sequencer.skipTo((BigInt(until) - 1n).toString()));
          this.#deps.onError(
            new SyncTalkError('internal', `Room ${roomId}: messages after ${gap.after} are missing`, {
              status: 0,
            }),
          );
        }
      }
    } catch (error) {
      if (this.#closed) return;
      this.#deps.onError(error);
      this.#retryTimer = setTimeout(() => this.#kick(), this.#deps.retryDelayMs ?? 1000);
    }
  }
}
