/**
 * Rotating a room's join code: the room gets a fresh code and the old one matches nothing from the commit on
 * (joining with it answers like any unknown code). The room's moderators, its owner and site admins may
 * rotate, on its own (`POST /v1/rooms/:id/code`) or as part of a kick or ban (`rotateCode`), so a removed
 * user cannot come back with a code they already know.
 */
import type { Room as RoomView } from '@synctalk/sdk';
import type { AuthUser } from '../auth/tokens.js';
import type { Database } from '../platform/database.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { assertRoomPermission, membershipRepository } from './membership.js';
import { newRoomCode } from './room-codes.js';
import type { RoomRealtime } from './room-events.js';
import { roomView } from './room-views.js';
import { roomsRepository, type Room } from './rooms.repository.js';
import { roomEvent } from './room-webhook-events.js';
import { eventSite } from '../webhooks/event-site.js';
import { recordEvents } from '../webhooks/outbox.js';

const CODE_ATTEMPTS = 5;

/**
 * Inside `trx`, with `room` locked: replaces its code with a fresh one (collisions are drawn again) and
 * returns the updated room. The caller checks permissions, records `room.updated` and emits `room_updated`
 * after the commit.
 */
export async function replaceRoomCode(trx: Database, room: Room): Promise<Room> {
  const repo = roomsRepository(trx);
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt += 1) {
    const updated = await repo.replaceCode(room.id, newRoomCode());
    if (updated) return updated;
  }
  throw new Error(`no free room code after ${CODE_ATTEMPTS} attempts`);
}

/** `POST /v1/rooms/:id/code`. */
export function roomCodeRotation(deps: Deps & { realtime: RoomRealtime }) {
  const events = deps.realtime;

  return {
    /**
     * Gives the room a new join code and answers the room with it (moderators, owner, site admins). A room
     * the user cannot see is `not_found`; a member without the role gets `forbidden`.
     */
    async rotate(user: AuthUser, roomId: string): Promise<RoomView> {
      const room = await deps.db.transaction(async (trx) => {
        const locked = await roomsRepository(trx).lockById(user.siteId, roomId);
        if (!locked) throw new AppError('not_found', 'No such room');
        const membership = await membershipRepository(trx).get(locked.id, user.id);
        assertRoomPermission(membership, 'rotate_code', user, locked);
        const rotated = await replaceRoomCode(trx, locked);
        await recordEvents(trx, [roomEvent(await eventSite(trx, rotated.siteId), 'room.updated', rotated)]);
        return rotated;
      });
      events.notify('room_updated', { siteId: room.siteId, room });
      return roomView(room, true);
    },
  };
}

export type RoomCodeRotation = ReturnType<typeof roomCodeRotation>;
