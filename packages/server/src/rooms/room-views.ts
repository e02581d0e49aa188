/** Room records to API shapes (`Room`, `MyRoom`, `RoomMember` of the SDK). */
import type { MyRoom, Room as RoomView, RoomMember } from '@synctalk/sdk';
import type { MemberWithUser, Membership } from './members.repository.js';
import type { Room } from './rooms.repository.js';

/** The API view of a room; `showCode` only for members and site admins (the code is a join secret). */
export function roomView(room: Room, showCode: boolean): RoomView {
  return {
    id: room.id,
    code: showCode ? room.code : null,
    title: room.title,
    description: room.description,
    visibility: room.visibility,
    ownerId: room.ownerId,
    memberCount: room.memberCount,
    lastSeq: room.lastSeq,
    lastMessageAt: room.lastMessageAt ? room.lastMessageAt.toISOString() : null,
    createdAt: room.createdAt.toISOString(),
    updatedAt: room.updatedAt.toISOString(),
  };
}

/** Unread messages: the difference of two sequence numbers, O(1), never negative. */
export function unreadCount(lastSeq: string, lastReadSeq: string): number {
  const n = BigInt(lastSeq) - BigInt(lastReadSeq);
  return n > 0n ? Number(n) : 0;
}

export function myRoomView(room: Room, membership: Membership): MyRoom {
  return {
    ...roomView(room, true),
    role: membership.role,
    lastReadSeq: membership.lastReadSeq,
    unreadCount: unreadCount(room.lastSeq, membership.lastReadSeq),
    mutedUntil:
      membership.mutedUntil && membership.mutedUntil.getTime() > Date.now()
        ? membership.mutedUntil.toISOString()
        : null,
    joinedAt: membership.joinedAt.toISOString(),
  };
}

export function memberView(member: MemberWithUser): RoomMember {
  return {
    user: member.user,
    role: member.role,
    joinedAt: member.joinedAt.toISOString(),
    mutedUntil:
      member.mutedUntil && member.mutedUntil.getTime() > Date.now() ? member.mutedUntil.toISOString() : null,
    bannedAt: member.bannedAt ? member.bannedAt.toISOString() : null,
  };
}
