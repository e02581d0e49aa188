/**
 * The per-room state the widget keeps, and the pure rules over it: unread counting, the read marker, who is
 * typing.
 */
import type { MyRoom, Room } from '@synctalk/sdk';
import { compareSeq, Timeline } from './timeline.js';

export interface RoomState {
  room: Room;
  /** Messages by others after my read marker. */
  unread: number;
  /** My read marker (the last seq I have seen). */
  lastReadSeq: string;
  /** Where the "new messages" line sits while the room is open (`null`: none). */
  markerSeq: string | null;
  timeline: Timeline;
  online: number;
  /** userId → when their typing indicator expires (ms since the epoch). */
  typing: Map<string, number>;
  mutedUntil: string | null;
  loadingOlder: boolean;
  /** Set when I can no longer use the room (removed, banned, deleted): the reason to show. */
  gone: string | null;
}

export function roomState(room: Room | MyRoom): RoomState {
  const my = 'lastReadSeq' in room ? room : undefined;
  return {
    room,
    unread: my?.unreadCount ?? 0,
    lastReadSeq: my?.lastReadSeq ?? room.lastSeq,
    markerSeq: null,
    timeline: new Timeline(),
    online: 0,
    typing: new Map(),
    mutedUntil: my?.mutedUntil ?? null,
    loadingOlder: false,
    gone: null,
  };
}

/** The highest of two seqs. */
export function maxSeq(a: string, b: string): string {
  return compareSeq(a, b) >= 0 ? a : b;
}

/** Total unread over rooms still usable. */
export function totalUnread(rooms: Iterable<RoomState>): number {
  let total = 0;
  for (const r of rooms) if (!r.gone) total += r.unread;
  return total;
}

/** Ids of members typing now (expired entries dropped), without me. */
export function typingNow(room: RoomState, now: number, myId: string | undefined): string[] {
  const ids: string[] = [];
  for (const [userId, until] of room.typing) {
    if (until <= now) room.typing.delete(userId);
    else if (userId !== myId) ids.push(userId);
  }
  return ids;
}

/** Whether `until` (an ISO time or null) is still in the future. */
export function isMuted(until: string | null, now: number): boolean {
  return until !== null && Date.parse(until) > now;
}

/**
 * When the room's latest message was sent, as far as the widget knows: the newest message it holds or the
 * server's `lastMessageAt`, whichever is later (ISO times compare as strings); `null` before any message.
 */
export function lastActivity(r: RoomState): string | null {
  const held = r.timeline.messages[r.timeline.messages.length - 1]?.createdAt ?? null;
  const known = r.room.lastMessageAt;
  if (held === null || known === null) return held ?? known;
  return held > known ? held : known;
}

/** Rooms ordered for the list: unread first, then by latest activity (or creation), then newest. */
export function orderRooms(rooms: Iterable<RoomState>): RoomState[] {
  const activity = (r: RoomState) => lastActivity(r) ?? r.room.createdAt;
  return [...rooms]
    .filter((r) => !r.gone)
    .sort(
      (a, b) =>
        Number(b.unread > 0) - Number(a.unread > 0) ||
        activity(b).localeCompare(activity(a)) ||
        compareSeq(b.room.id, a.room.id),
    );
}
