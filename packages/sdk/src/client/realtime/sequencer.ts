/**
 * The ordering and de-duplication rule of a room's timeline, as pure logic (no I/O, no timers).
 *
 * Messages of a room carry `seq` 1, 2, 3, … with no gaps. They reach a client from several sources that
 * overlap and race: live broadcasts (from any node, so slightly out of order), the `room:join` answer, REST
 * history pages and send acknowledgements. The sequencer turns all of that into one stream in which every
 * seq appears exactly once and in order:
 *
 * - a seq at or below the last delivered one is a duplicate and is dropped;
 * - the next seq (last + 1) is delivered, followed by any buffered ones that now follow on;
 * - a seq further ahead is held back: there is a gap (`gap()` names it) that the caller fills from history.
 *
 * Until the starting point is known (`start`), everything is held back.
 */

/**
 * Anything with a room sequence number (a decimal string, as the protocol carries it).
 *
 * @example
 * ```ts
 * const item: Sequenced = { seq: '42' };
 * ```
 */
export interface Sequenced {
  seq: string;
}

/**
 * Missing seqs: those after `after` and before `before` (both exclusive).
 *
 * @example
 * ```ts
 * const gap: SeqGap | null = sequencer.gap();
 * if (gap) await client.messages.history(roomId, { after: gap.after, before: gap.before });
 * ```
 */
export interface SeqGap {
  after: string;
  before: string;
}

/** A sequence number as text: a decimal `bigint` below 2^63, without leading zeros. */
export const SEQ = /^(0|[1-9]\d{0,18})$/;

/**
 * Orders and de-duplicates items by `seq`.
 *
 * @example
 * ```ts
 * const s = new MessageSequencer<Message>('4');
 * s.push([m5, m7]);   // → [m5]   (m7 waits: 6 is missing)
 * s.gap();            // → { after: '5', before: '7' }: fetch ?after=5&before=7
 * s.push([m6, m5]);   // → [m6, m7] (m5 again is dropped)
 * ```
 */
export class MessageSequencer<T extends Sequenced> {
  #last: bigint | null;
  readonly #held = new Map<bigint, T>();

  /** `lastSeq`: the last seq already delivered (`'0'`: none yet); omitted or `null`: not known yet. */
  constructor(lastSeq: string | null = null) {
    this.#last = lastSeq === null ? null : parseSeq(lastSeq);
  }

  /** The last delivered seq, or `null` before `start`. */
  get lastSeq(): string | null {
    return this.#last === null ? null : this.#last.toString();
  }

  /** Number of items held back (waiting for a gap to fill, or for `start`). */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Whether the starting point is known. */
  get started(): boolean {
    return this.#last !== null;
  }

  /**
   * Sets the starting point: `lastSeq` counts as delivered. Returns the held items that are now due, in
   * order; held items at or below it are dropped. Once started, it only moves forward (like `skipTo`).
   */
  start(lastSeq: string): T[] {
    const seq = parseSeq(lastSeq);
    if (this.#last !== null && seq <= this.#last) return [];
    this.#last = seq;
    for (const key of [...this.#held.keys()]) if (key <= seq) this.#held.delete(key);
    return this.#drain();
  }

  /**
   * Offers items in any order, duplicates allowed. Returns those now due, in seq order, each seq once ever.
   * Items whose `seq` is not a sequence number are ignored.
   */
  push(items: Iterable<T>): T[] {
    for (const item of items) {
      if (typeof item.seq !== 'string' || !SEQ.test(item.seq)) continue;
      const seq = BigInt(item.seq);
      if (this.#last !== null && seq <= this.#last) continue;
      if (!this.#held.has(seq)) this.#held.set(seq, item);
    }
    return this.#last === null ? [] : this.#drain();
  }

  /**
   * The first run of missing seqs that holds items back, or `null` when nothing is held back (or before
   * `start`).
   */
  gap(): SeqGap | null {
    if (this.#last === null || this.#held.size === 0) return null;
    let lowest: bigint | null = null;
    for (const key of this.#held.keys()) if (lowest === null || key < lowest) lowest = key;
    return { after: this.#last.toString(), before: lowest!.toString() };
  }

  /**
   * Gives up on the seqs up to `seq` (they cannot be had) and returns the held items now due. For a gap the
   * server reports empty; with a gap-free server this does not happen.
   */
  skipTo(seq: string): T[] {
    return this.start(seq);
  }

  #drain(): T[] {
    const due: T[] = [];
    for (;;) {
      const next = this.#last! + 1n;
      const item = this.#held.get(next);
      if (item === undefined) return due;
      this.#held.delete(next);
      this.#last = next;
      due.push(item);
    }
  }
}

function parseSeq(seq: string): bigint {
  if (!SEQ.test(seq)) throw new RangeError(`not a sequence number: "${seq}"`);
  return BigInt(seq);
}
