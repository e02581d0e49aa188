/**
 * REST shapes of rooms, memberships and the room directory.
 *
 * Ids are decimal strings; sequence numbers (`lastSeq`, `lastReadSeq`) are decimal strings too, because they
 * are 64-bit in the database. Times are ISO 8601 strings.
 */
import type { User } from './auth.js';

/** `public` rooms are listed in the directory and joinable by id; `private` rooms only by code. */
export type RoomVisibility = 'public' | 'private';

/** A member's role in one room. Site-wide roles (`ROLE_ADMIN`) are on the user. */
export type RoomRole = 'owner' | 'moderator' | 'member';

/** A room as every API returns it. */
export interface Room {
  id: string;
  /**
   * The 8-character join code (letters and digits without look-alikes such as 0/O, 1/I/L). It is a join
   * secret for private rooms, so it is shown only to members and site admins; `null` for everyone else.
   */
  code: string | null;
  title: string;
  description: string;
  visibility: RoomVisibility;
  ownerId: string;
  /** Members, not counting banned users. */
  memberCount: number;
  /** Sequence number of the room's latest message; `"0"` before the first one. */
  lastSeq: string;
  createdAt: string;
  updatedAt: string;
}

/** One of my rooms (`GET /v1/me/rooms`, and the answer to a join): the room plus my membership. */
export interface MyRoom extends Room {
  role: RoomRole;
  lastReadSeq: string;
  /** `lastSeq - lastReadSeq`: messages I have not read yet. */
  unreadCount: number;
  /** Set while I am muted: until then I cannot send. */
  mutedUntil: string | null;
  joinedAt: string;
}

/** A member as the member list shows them. */
export interface RoomMember {
  user: Pick<User, 'id' | 'username' | 'displayName' | 'avatarUrl' | 'kind'>;
  role: RoomRole;
  joinedAt: string;
  mutedUntil: string | null;
  /** Set only in the ban list (`?status=banned`). */
  bannedAt: string | null;
}

/** `POST /v1/rooms`. */
export interface CreateRoomRequest {
  /** 1–100 characters, one line. */
  title: string;
  /** Up to 2000 characters; newlines allowed. */
  description?: string;
  visibility: RoomVisibility;
}

/** `PATCH /v1/rooms/:id`: at least one field. */
export interface UpdateRoomRequest {
  title?: string;
  description?: string;
  visibility?: RoomVisibility;
}

/** `POST /v1/rooms/join`: joins the room with this code (case and dashes/spaces ignored). */
export interface JoinRoomByCodeRequest {
  code: string;
}

/** `POST /v1/rooms/:id/members/:userId/mute`. */
export interface MuteMemberRequest {
  /** 1 minute to 1 year (525,600 minutes). */
  minutes: number;
}

/**
 * `POST /v1/rooms/:id/members/:userId/kick` and `…/ban` (optional body). With `rotateCode: true` the room
 * also gets a new join code in the same change and the answer is the room with it (otherwise 204): a removed
 * user cannot come back with the code they know. `POST /v1/rooms/:id/code` rotates the code on its own.
 */
export interface RemoveMemberRequest {
  rotateCode?: boolean;
}

/**
 * `PATCH /v1/rooms/:id/members/:userId` (room owner or site admin). `moderator`/`member` promote or demote;
 * `owner` transfers ownership, and the previous owner becomes a moderator.
 */
export interface UpdateMemberRequest {
  role: RoomRole;
}

/** Directory sort orders: `newest` (by creation, newest first) or `title` (A→Z, ignoring case). */
export type RoomSort = 'newest' | 'title';

/** A keyset page: pass `nextCursor` back as `?cursor=` for the next page; `null` at the end. */
export interface RoomPage {
  items: Room[];
  nextCursor: string | null;
}

/** An offset page of the directory (`?offset=`): `total` is the exact number of public rooms. */
export interface RoomOffsetPage {
  items: Room[];
  total: number;
}

export interface MyRoomPage {
  items: MyRoom[];
  nextCursor: string | null;
}

export interface RoomMemberPage {
  items: RoomMember[];
  nextCursor: string | null;
}
