/**
 * Room membership and THE room-permission check. Every domain that acts in a room (rooms, messages,
 * sockets) decides with `assertRoomPermission`, so the rules live in one table:
 *
 * | action               | who                                                        |
 * | -------------------- | ---------------------------------------------------------- |
 * | `view`               | public room: any user of the site; private: members        |
 * | `read` (messages)    | members                                                    |
 * | `send`               | members who are not muted                                  |
 * | `moderate`           | moderators and the owner (mute, kick, ban, unban)          |
 * | `rotate_code`        | moderators and the owner (a new join code)                 |
 * | `delete_any_message` | moderators and the owner                                   |
 * | `edit_any_message`   | the owner                                                  |
 * | `update_room`        | the owner                                                  |
 * | `delete_room`        | the owner                                                  |
 * | `manage_roles`       | the owner (promote/demote moderators, transfer ownership)  |
 *
 * A site admin (`ROLE_ADMIN`) may do everything in their own site's rooms, member or not. A banned user
 * may do nothing. Someone who is not a member gets `not_found` for a private room (its existence is not
 * revealed) and `forbidden` otherwise.
 *
 * Usage (the caller has already resolved the room within the user's site):
 * ```ts
 * const room = await roomsRepository(db).findById(user.siteId, roomId);
 * if (!room) throw new AppError('not_found', 'No such room');
 * const membership = await membershipRepository(db).get(room.id, user.id);
 * assertRoomPermission(membership, 'send', user, room);
 * ```
 */
import type { RoomRole } from '@synctalk/sdk';
import type { AuthUser } from '../auth/tokens.js';
import { AppError } from '../platform/errors.js';
import type { Membership } from './members.repository.js';
import type { Room } from './rooms.repository.js';

export type { RoomRole } from '@synctalk/sdk';
export { membershipRepository } from './members.repository.js';
export type { Membership, MembershipRepository } from './members.repository.js';

export type RoomAction =
  | 'view'
  | 'read'
  | 'send'
  | 'update_room'
  | 'delete_room'
  | 'moderate'
  | 'rotate_code'
  | 'manage_roles'
  | 'edit_any_message'
  | 'delete_any_message';

const RANK: Record<RoomRole, number> = { member: 1, moderator: 2, owner: 3 };

/** The least room role each action needs (`view` of a public room needs none). */
export const ACTION_MIN_ROLE: Record<RoomAction, RoomRole> = {
  view: 'member',
  read: 'member',
  send: 'member',
  moderate: 'moderator',
  rotate_code: 'moderator',
  delete_any_message: 'moderator',
  edit_any_message: 'owner',
  update_room: 'owner',
  delete_room: 'owner',
  manage_roles: 'owner',
};

/** True when `a` is a higher room role than `b`. */
export function outranks(a: RoomRole, b: RoomRole): boolean {
  return RANK[a] > RANK[b];
}

export function isSiteAdmin(user: AuthUser): boolean {
  return user.roles.includes('ROLE_ADMIN');
}

/** A membership that is not a ban. */
export function isActiveMember(membership: Membership | undefined): membership is Membership {
  return membership !== undefined && membership.bannedAt === null;
}

export function isMuted(membership: Membership, now: Date = new Date()): boolean {
  return membership.mutedUntil !== null && membership.mutedUntil.getTime() > now.getTime();
}

/** The room facts the check needs; pass them whenever you have the room. */
export type RoomForPermission = Pick<Room, 'siteId' | 'visibility'>;

/**
 * Whether `user` may do `action` in a room, and if not, the error to answer with.
 * `membership` is the user's row for the room (banned or not), or undefined.
 */
export function checkRoomPermission(
  membership: Membership | undefined,
  action: RoomAction,
  user: AuthUser,
  room?: RoomForPermission,
  now: Date = new Date(),
): AppError | undefined {
  if (membership && membership.userId !== user.id) {
    // A caller bug, never a client mistake: checking one user's rights with another's membership.
    throw new Error(`membership of user ${membership.userId} checked for user ${user.id}`);
  }
  // Another site's room does not exist for this user, whatever their roles.
  if (room && room.siteId !== user.siteId) return new AppError('not_found', 'No such room');
  if (isSiteAdmin(user)) return undefined;

  if (membership?.bannedAt) return new AppError('forbidden', 'You are banned from this room');
  if (!membership) {
    if (room?.visibility === 'private') return new AppError('not_found', 'No such room');
    if (action === 'view' && room?.visibility === 'public') return undefined;
    return new AppError('forbidden', 'You are not a member of this room; join it first');
  }
  if (RANK[membership.role] < RANK[ACTION_MIN_ROLE[action]]) {
    return new AppError('forbidden', `Only the room's ${ACTION_MIN_ROLE[action]}s may do this`);
  }
  if (action === 'send' && isMuted(membership, now)) {
    return new AppError(
      'forbidden',
      `You are muted in this room until ${membership.mutedUntil!.toISOString()}`,
      { mutedUntil: membership.mutedUntil!.toISOString() },
    );
  }
  return undefined;
}

/** Boolean form of `checkRoomPermission`, e.g. to decide what to show. */
export function canInRoom(
  membership: Membership | undefined,
  action: RoomAction,
  user: AuthUser,
  room?: RoomForPermission,
): boolean {
  return checkRoomPermission(membership, action, user, room) === undefined;
}

/**
 * THE room-permission check: throws `AppError('not_found' | 'forbidden')` unless `user` may do `action`.
 * Pass `room` (from `roomsRepository(db).findById(user.siteId, roomId)`) whenever you have it: it turns a
 * non-member's request for a private room into `not_found` and refuses rooms of other sites. Without it
 * the caller vouches that the room belongs to the user's site.
 */
export function assertRoomPermission(
  membership: Membership | undefined,
  action: RoomAction,
  user: AuthUser,
  room?: RoomForPermission,
): void {
  const error = checkRoomPermission(membership, action, user, room);
  if (error) throw error;
}

/** `assertRoomPermission` under the name used in some call sites: `roomPermissions.assert(...)`. */
export const roomPermissions = {
  assert: assertRoomPermission,
  check: checkRoomPermission,
  can: canInRoom,
};
