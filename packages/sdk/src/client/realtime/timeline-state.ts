/**
 * What a timeline shows, as pure data: a room's stored messages sorted by `seq`, each once and in its newest
 * known version (edits, deletion, reactions applied), followed by my sends not stored yet. It is fed copies of
 * messages from every source (join answers, live deliveries, REST pages, send acknowledgements), the edit,
 * delete and reaction events, and the outbox's sends, in whatever order and with whatever duplicates they
 * arrive; the result depends only on what arrived, not on the order:
 *
 * - a message's text is the one of its latest edit (`editedAt`), and a deletion is final;
 * - reactions merge by the stamps of `ReactionLedger` (REST pages pass the stamp `mark()` gave when they were
 *   requested; copies of unknown age pass 0);
 * - a send is shown until a stored message of mine with its `clientMsgId` is known, never next to it.
 *
 * Unchanged messages keep their objects, and `items` stays the same array until something visible changes.
 */
import type {
  MessageDeletedEvent,
  MessageUpdatedEvent,
  ReactionUpdatedEvent,
} from '../../protocol/events.js';
import type { OutgoingMessage } from './pending-send.js';
import type { Message } from '../../protocol/messages.js';
import { ReactionLedger } from './timeline-reactions.js';

/**
 * A send as the timeline shows it until it is stored: the outbox's `OutgoingMessage`.
 *
 * @example
 * ```ts
 * const failed = (o: TimelineOutgoing) => o.status === 'failed' && o.error?.message;
 * ```
 */
export type TimelineOutgoing = OutgoingMessage;

/**
 * One row of a timeline: a stored message, or one of my sends the server has not stored (yet).
 *
 * @example
 * ```ts
 * for (const item of timeline.items) {
 *   if (item.type === 'message') renderMessage(item.key, item.message);
 *   else renderSending(item.key, item.outgoing.text, item.outgoing.status); // 'pending' | 'failed'
 * }
 * ```
 */
export type TimelineItem =
  | { type: 'message'; key: string; message: Message }
  | { type: 'outgoing'; key: string; outgoing: TimelineOutgoing };

interface Entry {
  id: string;
  /** The latest copy by stamp: its unchanging fields (seq, author, createdAt, …) are the message's. */
  base?: Message;
  baseAt: number;
  seq?: bigint;
  /** The newest live (not deleted) text and its `editedAt`. */
  live?: { text: string; editedAt: string | null };
  /** The latest `editedAt` seen in any version, deleted ones included. */
  editedAt: string | null;
  deletedAt: string | null;
  reactions: ReactionLedger;
  item?: Extract<TimelineItem, { type: 'message' }>;
  stale: boolean;
}

/** Whether ISO time `a` is later than `b` (`null`: never edited, earlier than any). */
function later(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return b === null && a !== null;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return ta !== tb ? ta > tb : a > b;
}

function sameReactions(a: Message['reactions'], b: Message['reactions']): boolean {
  return (
    a.length === b.length &&
    a.every((r, i) => r.emoji === b[i]!.emoji && r.count === b[i]!.count && r.me === b[i]!.me)
  );
}

/**
 * The state of one room's timeline.
 *
 * @example
 * ```ts
 * const state = new TimelineState({ roomId: '42', userId: () => me.id });
 * state.addMessages(joinAnswer.messages);
 * const at = state.mark();
 * state.addMessages((await client.messages.history('42', { before: state.oldestSeq })).messages, at);
 * state.applyEdit(updatedEvent);
 * render(state.items);
 * ```
 */
export class TimelineState {
  readonly roomId: string;
  readonly #userId: () => string | undefined;
  readonly #entries = new Map<string, Entry>();
  /** Entries with a copy, by seq. */
  readonly #sorted: Entry[] = [];
  #outgoing: TimelineOutgoing[] = [];
  readonly #outgoingItems = new Map<string, Extract<TimelineItem, { type: 'outgoing' }>>();
  #clock = 0;
  #dirty = false;
  #view: readonly TimelineItem[] = Object.freeze([]);

  constructor(options: { roomId: string; userId?: () => string | undefined }) {
    this.roomId = options.roomId;
    this.#userId = options.userId ?? (() => undefined);
  }

  /** A stamp for a REST request about to be sent: pass it to `addMessages` with the answer. */
  mark(): number {
    this.#clock += 1;
    return this.#clock;
  }

  /** The seq of the oldest stored message shown, if any. */
  get oldestSeq(): string | undefined {
    return this.#sorted[0]?.base!.seq;
  }

  /** The seq of the newest stored message shown, if any. */
  get newestSeq(): string | undefined {
    return this.#sorted[this.#sorted.length - 1]?.base!.seq;
  }

  /** Number of stored messages shown. */
  get size(): number {
    return this.#sorted.length;
  }

  /** Copies of messages (other rooms' are ignored), as of stamp `at` (0: unknown age). */
  addMessages(messages: readonly Message[], at = 0): void {
    for (const message of messages) {
      if (message.roomId !== this.roomId) continue;
      const entry = this.#entry(message.id);
      if (!entry.base) {
        entry.seq = BigInt(message.seq);
        this.#insert(entry);
      }
      if (!entry.base || at > entry.baseAt) {
        entry.base = message;
        entry.baseAt = at;
      }
      if (message.deletedAt === null) this.#offerText(entry, message.text, message.editedAt);
      else this.#offerDeletion(entry, message.deletedAt);
      if (later(message.editedAt, entry.editedAt)) entry.editedAt = message.editedAt;
      entry.reactions.copy(message.reactions, at);
      this.#touch(entry);
    }
  }

  /** `message:updated`. */
  applyEdit(event: MessageUpdatedEvent): void {
    if (event.roomId !== this.roomId) return;
    const entry = this.#entry(event.messageId);
    this.#offerText(entry, event.text, event.editedAt);
    if (later(event.editedAt, entry.editedAt)) entry.editedAt = event.editedAt;
    this.#touch(entry);
  }

  /** `message:deleted`. */
  applyDelete(event: MessageDeletedEvent): void {
    if (event.roomId !== this.roomId) return;
    const entry = this.#entry(event.messageId);
    this.#offerDeletion(entry, event.deletedAt);
    this.#touch(entry);
  }

  /** `reaction:updated`, stamped with the time of its arrival. */
  applyReaction(event: ReactionUpdatedEvent): void {
    if (event.roomId !== this.roomId) return;
    const entry = this.#entry(event.messageId);
    entry.reactions.event(event, this.mark(), event.userId === this.#userId());
    this.#touch(entry);
  }

  /** A send changed (`send:status`): shown in queue order until stored; its stored message is added. */
  applySend(outgoing: TimelineOutgoing): void {
    if (outgoing.roomId !== this.roomId) return;
    if (outgoing.message) this.addMessages([outgoing.message]);
    const i = this.#outgoing.findIndex((o) => o.clientMsgId === outgoing.clientMsgId);
    if (outgoing.status === 'discarded') {
      if (i >= 0) this.#outgoing.splice(i, 1);
    } else if (i >= 0) this.#outgoing[i] = outgoing;
    else this.#outgoing.push(outgoing);
    this.#dirty = true;
  }

  /** The outbox's sends (`chat.outgoing(roomId)`: queued and failed, in queue order) replace the ones known. */
  setOutgoing(list: readonly TimelineOutgoing[]): void {
    this.#outgoing = list.filter((o) => o.roomId === this.roomId);
    this.#dirty = true;
  }

  /**
   * The rows to render: stored messages by seq, then my sends not stored yet, in queue order. The same
   * (frozen) array until something in it changes.
   */
  get items(): readonly TimelineItem[] {
    if (!this.#dirty) return this.#view;
    this.#dirty = false;
    const next: TimelineItem[] = this.#sorted.map((entry) => this.#messageItem(entry));
    if (this.#outgoing.length > 0) {
      const me = this.#userId();
      const stored = new Set(
        this.#sorted
          .filter((e) => me === undefined || e.base!.author.id === me)
          .map((e) => e.base!.clientMsgId),
      );
      const keep = new Set<string>();
      for (const outgoing of this.#outgoing) {
        if (stored.has(outgoing.clientMsgId) || keep.has(outgoing.clientMsgId)) continue;
        keep.add(outgoing.clientMsgId);
        next.push(this.#outgoingItem(outgoing));
      }
      for (const id of this.#outgoingItems.keys()) if (!keep.has(id)) this.#outgoingItems.delete(id);
    } else this.#outgoingItems.clear();
    if (next.length !== this.#view.length || next.some((item, i) => item !== this.#view[i])) {
      this.#view = Object.freeze(next);
    }
    return this.#view;
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = {
        id,
        baseAt: -1,
        editedAt: null,
        deletedAt: null,
        reactions: new ReactionLedger(),
        stale: true,
      };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  /** Puts a newly copied entry in seq order (binary search: most arrive at either end). */
  #insert(entry: Entry): void {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid]!.seq! < entry.seq!) lo = mid + 1;
      else hi = mid;
    }
    this.#sorted.splice(lo, 0, entry);
  }

  #offerText(entry: Entry, text: string, editedAt: string | null): void {
    const live = entry.live;
    if (
      !live ||
      later(editedAt, live.editedAt) ||
      (editedAt === live.editedAt && text > live.text) // never in practice: two texts of one edit
    ) {
      entry.live = { text, editedAt };
    }
  }

  #offerDeletion(entry: Entry, deletedAt: string): void {
    if (entry.deletedAt === null || later(entry.deletedAt, deletedAt)) entry.deletedAt = deletedAt;
  }

  #touch(entry: Entry): void {
    entry.stale = true;
    if (entry.base) this.#dirty = true;
  }

  #messageItem(entry: Entry): Extract<TimelineItem, { type: 'message' }> {
    if (!entry.stale && entry.item) return entry.item;
    entry.stale = false;
    const base = entry.base!;
    const deleted = entry.deletedAt !== null;
    const text = deleted ? '' : (entry.live?.text ?? base.text);
    const editedAt = deleted ? entry.editedAt : (entry.live?.editedAt ?? null);
    const reactions = deleted ? [] : entry.reactions.summaries();
    const old = entry.item?.message;
    if (
      old &&
      old.author.displayName === base.author.displayName &&
      old.author.avatarUrl === base.author.avatarUrl &&
      old.text === text &&
      old.editedAt === editedAt &&
      old.deletedAt === entry.deletedAt &&
      sameReactions(old.reactions, reactions)
    ) {
      return entry.item!;
    }
    const message: Message = { ...base, text, editedAt, deletedAt: entry.deletedAt, reactions };
    entry.item = { type: 'message', key: `message:${entry.id}`, message };
    return entry.item;
  }

  #outgoingItem(outgoing: TimelineOutgoing): Extract<TimelineItem, { type: 'outgoing' }> {
    const old = this.#outgoingItems.get(outgoing.clientMsgId);
    const o = old?.outgoing;
    if (
      o &&
      (o === outgoing ||
        (o.status === outgoing.status &&
          o.text === outgoing.text &&
          o.error === outgoing.error &&
          o.replyTo === outgoing.replyTo))
    ) {
      return old;
    }
    const item = { type: 'outgoing' as const, key: `outgoing:${outgoing.clientMsgId}`, outgoing };
    this.#outgoingItems.set(outgoing.clientMsgId, item);
    return item;
  }
}
