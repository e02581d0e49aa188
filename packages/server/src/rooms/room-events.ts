/**
 * The room changes the socket layer hears about: after a membership or room change commits, the rooms domain
 * notifies it through the server's room emitter (`deps.realtime.notify`), and the `/chat` namespace
 * (chat/chat.ts) listens, e.g. to make a kicked user's connections leave the room on every node.
 */
import type { RoomRole } from '@synctalk/sdk';
import type { RoomEmitter } from '../platform/realtime/room-emitter.js';
import type { Room } from './rooms.repository.js';

export interface RoomEventMap {
  member_joined: { siteId: string; roomId: string; userId: string; role: RoomRole };
  /** `left`: by choice; `kicked`/`banned`: by a moderator. */
  member_left: { siteId: string; roomId: string; userId: string; reason: 'left' | 'kicked' | 'banned' };
  /** Role or mute changed. */
  member_updated: { siteId: string; roomId: string; userId: string; role: RoomRole; mutedUntil: Date | null };
  /**
   * The room changed (title, visibility, join code…). `exceptUserIds`: users who must not get the update,
   * e.g. a member removed in the same change, whose connections may not have left the room yet on every node.
   */
  room_updated: { siteId: string; room: Room; exceptUserIds?: string[] };
  /** The room is gone (soft-deleted): its sockets should leave it. */
  room_deleted: { siteId: string; roomId: string };
}

export type RoomEventName = keyof RoomEventMap;

/** The server's room emitter (`deps.realtime`), carrying the rooms domain's change notifications. */
export type RoomRealtime = RoomEmitter<RoomEventMap>;
