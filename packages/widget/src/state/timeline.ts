/**
 * One room's messages as the widget shows them: the stored messages in `seq` order (no duplicates, however
 * they arrived: join answer, live broadcast, own send, history page), with edits, deletions and reactions
 * applied in place. The sends not yet stored are the connection's outbox's (`chat.outgoing(roomId)`).
 */
import type { Message, MessageDeletedEvent, MessageUpdatedEvent, ReactionUpdatedEvent } from '@synctalk/sdk';

/** Compares two seqs (decimal strings of any length). */
export function compareSeq(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export class Timeline {
  /** Stored messages, oldest first. */
  messages: Message[] = [];
  /** Whether the server has messages before `messages[0]` (unknown until history was loaded: assume yes). */
  hasOlder = true;
  /** Whether the latest history page was loaded (the list is contiguous up to the newest message). */
  loaded = false;

  get firstSeq(): string | undefined {
    return this.messages[0]?.seq;
  }

  get lastSeq(): string | undefined {
    return this.messages[this.messages.length - 1]?.seq;
  }

  find(messageId: string): Message | undefined {
    return this.messages.find((m) => m.id === messageId);
  }

  /**
   * Adds messages; returns those that were new. A message already present keeps its place; its text and
   * edit/delete state follow the newer copy.
   */
  add(incoming: readonly Message[]): Message[] {
    const added: Message[] = [];
    const bySeq = new Map(this.messages.map((m, i) => [m.seq, i]));
    let appendOnly = true;
    for (const message of incoming) {
      const at = bySeq.get(message.seq);
      if (at === -1) continue; // twice in this batch
      if (at !== undefined) {
        this.messages[at] = merge(this.messages[at]!, message);
        continue;
      }
      const last = added.length ? added[added.length - 1]!.seq : this.lastSeq;
      if (last !== undefined && compareSeq(message.seq, last) <= 0) appendOnly = false;
      added.push(message);
      bySeq.set(message.seq, -1);
    }
    if (added.length) {
      this.messages = appendOnly
        ? this.messages.concat(added)
        : this.messages.concat(added).sort((a, b) => compareSeq(a.seq, b.seq));
    }
    return added;
  }

  /** A page of history before the oldest message (`hasMore`: still older ones exist). */
  addOlder(page: readonly Message[], hasMore: boolean): void {
    this.add(page);
    this.hasOlder = hasMore;
  }

  applyUpdate(event: MessageUpdatedEvent): boolean {
    return this.patch(event.messageId, (m) => ({ ...m, text: event.text, editedAt: event.editedAt }));
  }

  applyDelete(event: MessageDeletedEvent): boolean {
    return this.patch(event.messageId, (m) => ({
      ...m,
      text: '',
      deletedAt: event.deletedAt,
      reactions: [],
    }));
  }

  /** A reaction change; `me` follows it when `myId` made it. */
  applyReaction(event: ReactionUpdatedEvent, myId: string | undefined): boolean {
    return this.patch(event.messageId, (m) => {
      const mine = event.userId === myId;
      const reactions = m.reactions.filter((r) => r.emoji !== event.emoji);
      const before = m.reactions.find((r) => r.emoji === event.emoji);
      if (event.count > 0) {
        const me = mine ? event.action === 'added' : (before?.me ?? false);
        const entry = { emoji: event.emoji, count: event.count, me };
        const index = m.reactions.findIndex((r) => r.emoji === event.emoji);
        if (index >= 0) reactions.splice(index, 0, entry);
        else reactions.push(entry);
      }
      return { ...m, reactions };
    });
  }

  /** Whether a stored message already has this client id (a send that was stored after all). */
  stored(clientMsgId: string, myId: string | undefined): boolean {
    return this.messages.some((m) => m.clientMsgId === clientMsgId && m.author.id === myId);
  }

  /**
   * The sends of `outgoing` not stored yet as `myId`'s: a send's stored copy can arrive (broadcast to the
   * room) before its acknowledgement, and is then shown instead.
   */
  unsent<T extends { clientMsgId: string }>(outgoing: readonly T[], myId: string | undefined): T[] {
    return outgoing.filter((o) => !this.stored(o.clientMsgId, myId));
  }

  private patch(messageId: string, change: (m: Message) => Message): boolean {
    const index = this.messages.findIndex((m) => m.id === messageId);
    if (index < 0) return false;
    this.messages = this.messages.slice();
    this.messages[index] = change(this.messages[index]!);
    return true;
  }
}

/** Two copies of one message: the edited or deleted state wins, whichever copy carries it. */
function merge(current: Message, next: Message): Message {
  if (current.deletedAt) return current;
  if (next.deletedAt) return next;
  const currentEdit = current.editedAt ?? '';
  const nextEdit = next.editedAt ?? '';
  if (nextEdit > currentEdit) return { ...next, reactions: current.reactions };
  return current;
}
