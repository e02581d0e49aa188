/**
 * REST shapes of rooms, memberships and the room directory, inferred from the wire schemas
 * (`@synctalk/sdk/schemas`). Type-only: nothing of zod is loaded at runtime.
 *
 * Ids are decimal strings; sequence numbers (`lastSeq`, `lastReadSeq`) are decimal strings too, because they
 * are 64-bit in the database. Times are ISO 8601 strings.
 */
import type { z } from 'zod';
import type {
  createRoomBody,
  joinByCodeBody,
  memberPageResponse,
  memberResponse,
  muteBody,
  myRoomPageResponse,
  myRoomResponse,
  removalBody,
  roomKeysetPageResponse,
  roomOffsetPageResponse,
  roomResponse,
  roomRole,
  roomSort,
  roomVisibility,
  updateMemberBody,
  updateRoomBody,
} from '../schemas/rooms.js';

/** `public` rooms are listed in the directory and joinable by id; `private` rooms only by code. */
export type RoomVisibility = z.output<typeof roomVisibility>;

/** A member's role in one room. Site-wide roles (`ROLE_ADMIN`) are on the user. */
export type RoomRole = z.output<typeof roomRole>;

/** A room as every API returns it. */
export type Room = z.output<typeof roomResponse>;

/** One of my rooms (`GET /v1/me/rooms`, and the answer to a join): the room plus my membership. */
export type MyRoom = z.output<typeof myRoomResponse>;

/** A member as the member list shows them. */
export type RoomMember = z.output<typeof memberResponse>;

/** `POST /v1/rooms`. */
export type CreateRoomRequest = z.input<typeof createRoomBody>;

/** `PATCH /v1/rooms/:id`: at least one field. */
export type UpdateRoomRequest = z.input<typeof updateRoomBody>;

/** `POST /v1/rooms/join`: joins the room with this code (case and dashes/spaces ignored). */
export type JoinRoomByCodeRequest = z.input<typeof joinByCodeBody>;

/** `POST /v1/rooms/:id/members/:userId/mute`. */
export type MuteMemberRequest = z.input<typeof muteBody>;

/**
 * `POST /v1/rooms/:id/members/:userId/kick` and `…/ban` (optional body). With `rotateCode: true` the room
 * also gets a new join code in the same change and the answer is the room with it (otherwise 204): a removed
 * user cannot come back with the code they know. `POST /v1/rooms/:id/code` rotates the code on its own.
 */
export type RemoveMemberRequest = z.input<typeof removalBody>;

/**
 * `PATCH /v1/rooms/:id/members/:userId` (room owner or site admin). `moderator`/`member` promote or demote;
 * `owner` transfers ownership, and the previous owner becomes a moderator.
 */
export type UpdateMemberRequest = z.input<typeof updateMemberBody>;

/** Directory sort orders: `newest` (by creation, newest first) or `title` (A→Z, ignoring case). */
export type RoomSort = z.output<typeof roomSort>;

/** A keyset page: pass `nextCursor` back as `?cursor=` for the next page; `null` at the end. */
export type RoomPage = z.output<typeof roomKeysetPageResponse>;

/** An offset page of the directory (`?offset=`): `total` is the exact number of public rooms. */
export type RoomOffsetPage = z.output<typeof roomOffsetPageResponse>;

/** A page of my rooms. */
export type MyRoomPage = z.output<typeof myRoomPageResponse>;

/** A page of a room's members (or of its ban list). */
export type RoomMemberPage = z.output<typeof memberPageResponse>;
