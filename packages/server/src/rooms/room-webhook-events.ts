/**
 * The webhook events of rooms and their members (`room.*`, `member.*`), built from the same views the REST
 * API answers with (room-views.ts). Callers pass them to `recordEvents` inside the transaction of the change;
 * every one is ordered by its room (`roomId`), so a room's events reach an endpoint in commit order.
 *
 * What is sent when:
 * - `room.created`, then `member.joined` for its owner (a room's members all arrive through `member.joined`,
 *   the creator included).
 * - `room.updated`: a change of title, description or visibility, a new join code, a new owner (transfer, or
 *   the owner leaving). Member counts alone do not send it. The room is shown with its code: the receiver
 *   is the site's own backend.
 * - `room.deleted`: its id and title.
 * - `member.joined`: joins by id or code, and the owner of a new room.
 * - `member.left`: `left` when they left, `kicked` when removed. A ban sends `member.banned` alone (the
 *   member, if they were one, is gone with it); banning someone already banned sends nothing.
 */
import type { Database } from '../platform/database.js';
import type { EventSite, OutboxEvent } from '../webhooks/outbox.js';
import { membershipRepository } from './members.repository.js';
import { memberView, roomView } from './room-views.js';
import type { Room } from './rooms.repository.js';

/** `room.created` / `room.updated`: the room as stored after the change. */
export function roomEvent(site: EventSite, type: 'room.created' | 'room.updated', room: Room): OutboxEvent {
  return { site, type, roomId: room.id, data: { room: roomView(room, true) } };
}

/** `room.deleted`: the room's id and title. */
export function roomDeletedEvent(site: EventSite, room: Room): OutboxEvent {
  return { site, type: 'room.deleted', roomId: room.id, data: { roomId: room.id, title: room.title } };
}

/** `member.joined`: the new member as the member list shows them (read through `trx`). */
export async function memberJoinedEvent(
  trx: Database,
  site: EventSite,
  roomId: string,
  userId: string,
): Promise<OutboxEvent> {
  const member = await membershipRepository(trx).findMember(roomId, userId);
  if (!member) throw new Error(`member ${userId} of room ${roomId} not found in its own transaction`);
  return { site, type: 'member.joined', roomId, data: { roomId, member: memberView(member) } };
}

/** `member.left`: who, and whether they left or were kicked. */
export function memberLeftEvent(
  site: EventSite,
  roomId: string,
  userId: string,
  reason: 'left' | 'kicked',
): OutboxEvent {
  return { site, type: 'member.left', roomId, data: { roomId, userId, reason } };
}

/** `member.banned`: who, and by whom (`null`: the site's backend). */
export function memberBannedEvent(
  site: EventSite,
  roomId: string,
  userId: string,
  byUserId: string | null,
): OutboxEvent {
  return { site, type: 'member.banned', roomId, data: { roomId, userId, byUserId } };
}
