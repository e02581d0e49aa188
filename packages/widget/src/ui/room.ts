/** A room: its message list (history on scroll up, day separators, the "new messages" line), typing, composer. */
import { html, nothing, type TemplateResult } from 'lit-html';
import { dayKey, dayLabel } from '../format/time.js';
import { typingNow, type RoomState } from '../state/rooms.js';
import { compareSeq } from '../state/timeline.js';
import { composer } from './composer.js';
import type { ViewContext } from './context.js';
import { messageView, pendingView } from './message.js';

/** Within this many pixels of an edge counts as at it. */
const EDGE_PX = 48;
/** Consecutive messages of one author within this time share one author line. */
const GROUP_MS = 5 * 60_000;

function typingLine(v: ViewContext, room: RoomState): string {
  const ids = typingNow(room, Date.now(), v.state.me?.id);
  if (ids.length === 0) return '';
  const names = ids.map((id) => {
    const m = room.timeline.messages.findLast((x) => x.author.id === id);
    return m?.author.displayName ?? v.t.someone;
  });
  if (names.length === 1) return v.t.typing1(names[0]!);
  if (names.length === 2) return v.t.typing2(names[0]!, names[1]!);
  return v.t.typingMany;
}

function edge(v: ViewContext, room: RoomState) {
  if (room.loadingOlder) return html`<p class="edge">${v.t.loading}</p>`;
  if (room.timeline.loaded && !room.timeline.hasOlder) return html`<p class="edge">${v.t.beginning}</p>`;
  return nothing;
}

/**
 * Where announcing starts: the last message shown when the room was opened (once its history loaded). Rows
 * up to it, and older pages loaded later, are history: the log does not read them out. `null` while the
 * history is still loading (all of it is history).
 */
function announceAfter(v: ViewContext, room: RoomState): string | null {
  if (!room.timeline.loaded) return null;
  if (v.ui.live?.roomId !== room.room.id) {
    const last = room.timeline.messages[room.timeline.messages.length - 1];
    v.ui.live = { roomId: room.room.id, after: last?.seq ?? '0' };
  }
  return v.ui.live.after;
}

/** The rows of the log, split into history (not announced) and what arrived since the room opened. */
function rows(v: ViewContext, room: RoomState): { history: TemplateResult[]; arrived: TemplateResult[] } {
  const history: TemplateResult[] = [];
  const arrived: TemplateResult[] = [];
  const after = announceAfter(v, room);
  const now = new Date();
  const me = v.state.me?.id;
  let lastDay = '';
  let prev: { author: string; at: number } | undefined;
  let markerShown = false;
  for (const m of room.timeline.messages) {
    const out = after !== null && compareSeq(m.seq, after) > 0 ? arrived : history;
    const at = new Date(m.createdAt);
    const day = dayKey(at);
    let first = !prev || prev.author !== m.author.id || at.getTime() - prev.at > GROUP_MS;
    if (day !== lastDay) {
      out.push(html`<div part="day" role="separator" aria-live="off">${dayLabel(at, now, v.locale)}</div>`);
      lastDay = day;
      first = true;
    }
    if (
      !markerShown &&
      room.markerSeq !== null &&
      compareSeq(m.seq, room.markerSeq) > 0 &&
      m.author.id !== me
    ) {
      out.push(html`<div part="unread-marker" role="separator" aria-live="off">${v.t.newMessages}</div>`);
      markerShown = true;
      first = true;
    }
    out.push(messageView(v, room, m, first));
    prev = { author: m.author.id, at: at.getTime() };
  }
  for (const p of v.store.outgoing(room)) arrived.push(pendingView(v, room, p));
  return { history, arrived };
}

export function roomView(v: ViewContext, roomId: string) {
  const room = v.state.rooms.get(roomId);
  if (!room) return nothing;
  const onScroll = (e: Event) => {
    const el = e.currentTarget as HTMLElement;
    v.scrolled({
      top: el.scrollTop < EDGE_PX,
      bottom: el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX,
    });
  };
  const { history, arrived } = rows(v, room);
  return html`<div part="room">
    ${v.state.error ? html`<p part="error" role="alert">${v.state.error}</p>` : nothing}
    <div
      part="messages"
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      tabindex="0"
      @scroll=${onScroll}
    >
      <div class="history" aria-live="off">${edge(v, room)} ${history}</div>
      ${arrived}
    </div>
    <div part="typing" aria-live="polite">${typingLine(v, room)}</div>
    ${composer(v, room)}
  </div>`;
}
