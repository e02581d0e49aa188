/**
 * The reactions of one message as a timeline knows them, merged from copies of the message (REST pages, join
 * answers, live deliveries) and `reaction:updated` events, which reach the client over different channels
 * and so in any order relative to each other.
 *
 * Every piece of information carries a stamp from the timeline's logical clock: an event gets a new stamp
 * when it arrives; a REST page gets the stamp taken when it was requested (it holds every change whose event
 * had arrived by then, and maybe some later ones); a copy of unknown age (delivered by the connection) gets
 * stamp 0. For each emoji the newest stamp wins — for its count, for whether I am among its users (only my
 * own events and copies say), and for its place in the list — so once every event has arrived, the result is
 * the same whatever the order of arrival.
 */
import type { ReactionUpdatedEvent } from '../../protocol/events.js';
import type { ReactionSummary } from '../../protocol/messages.js';

interface Cell {
  count: number;
  countAt: number;
  me: boolean;
  meAt: number;
  /** Stamp of what placed the emoji (−1: nothing yet), and its index there. */
  placedAt: number;
  index: number;
}

/**
 * One message's reactions.
 *
 * @example
 * ```ts
 * const ledger = new ReactionLedger();
 * ledger.copy(message.reactions, 0);
 * ledger.event(reactionUpdated, 7, reactionUpdated.userId === myId);
 * render(ledger.summaries());
 * ```
 */
export class ReactionLedger {
  readonly #cells = new Map<string, Cell>();

  /**
   * A copy of the message's reactions as of stamp `at`: every emoji it does not list had no users then.
   * Two copies with the same stamp: the first one counts.
   */
  copy(reactions: readonly ReactionSummary[], at: number): void {
    const listed = new Map(reactions.map((r, index) => [r.emoji, { r, index }]));
    for (const emoji of new Set([...this.#cells.keys(), ...listed.keys()])) {
      const entry = listed.get(emoji);
      const cell = this.#cell(emoji);
      if (at > cell.countAt) {
        cell.count = entry?.r.count ?? 0;
        cell.countAt = at;
      }
      if (at > cell.meAt) {
        cell.me = entry?.r.me ?? false;
        cell.meAt = at;
      }
      if (entry && at > cell.placedAt) {
        cell.placedAt = at;
        cell.index = entry.index;
      }
    }
  }

  /** A `reaction:updated` event with its stamp `at` (newer than every stamp before); `mine`: I did it. */
  event(event: ReactionUpdatedEvent, at: number, mine: boolean): void {
    const cell = this.#cell(event.emoji);
    if (at > cell.countAt) {
      cell.count = event.count;
      cell.countAt = at;
    }
    if (mine && at > cell.meAt) {
      cell.me = event.action === 'added';
      cell.meAt = at;
    }
    // The emoji's first user (again): the server lists it after the ones already there.
    if (event.action === 'added' && event.count === 1 && at > cell.placedAt) {
      cell.placedAt = at;
      cell.index = 0;
    }
  }

  /** The emojis with users, in list order (those nothing placed last, by emoji). */
  summaries(): ReactionSummary[] {
    return [...this.#cells]
      .filter(([, cell]) => cell.count > 0)
      .sort(([ea, a], [eb, b]) => {
        if (a.placedAt < 0 !== b.placedAt < 0) return a.placedAt < 0 ? 1 : -1;
        return a.placedAt - b.placedAt || a.index - b.index || (ea < eb ? -1 : ea > eb ? 1 : 0);
      })
      .map(([emoji, cell]) => ({ emoji, count: cell.count, me: cell.me }));
  }

  #cell(emoji: string): Cell {
    let cell = this.#cells.get(emoji);
    if (!cell) {
      cell = { count: 0, countAt: -1, me: false, meAt: -1, placedAt: -1, index: 0 };
      this.#cells.set(emoji, cell);
    }
    return cell;
  }
}
