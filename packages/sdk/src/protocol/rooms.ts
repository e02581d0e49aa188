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

/**
 * `public` rooms are listed in the directory and joinable by id; `private` rooms only by code.
 *
 * @example
 * ```ts
 * const visibility: RoomVisibility = inviteOnly ? 'private' : 'public';
 * const room = await client.rooms.create({ title: 'Team', visibility });
 * ```
 */
export type RoomVisibility = z.output<typeof roomVisibility>;

/**
 * A member's role in one room. Site-wide roles (`ROLE_ADMIN`) are on the user.
 *
 * @example
 * ```ts
 * const canModerate = (role: RoomRole): boolean => role === 'owner' || role === 'moderator';
 * ```
 */
export type RoomRole = z.output<typeof roomRole>;

/**
 * A room as every API returns it.
 *
 * @example
 * ```ts
 * const room: Room = await client.rooms.get('42');
 * console.log(room.title, room.memberCount, room.lastSeq); // 'General' 12 '318'
 * ```
 */
export type Room = z.output<typeof roomResponse>;

/**
 * One of my rooms (`GET /v1/me/rooms`, and the answer to a join): the room plus my membership.
 *
 * @example
 * ```ts
 * const mine: MyRoom = await client.rooms.join('42');
 * badge.textContent = String(mine.unreadCount);
 * ```
 */
export type MyRoom = z.output<typeof myRoomResponse>;

/**
 * A member as the member list shows them.
 *
 * @example
 * ```ts
 * const member: RoomMember = await client.rooms.member('42', '7');
 * if (member.mutedUntil) showMuted(member.user.displayName, member.mutedUntil);
 * ```
 */
export type RoomMember = z.output<typeof memberResponse>;

/**
 * `POST /v1/rooms`.
 *
 * @example
 * ```ts
 * const body: CreateRoomRequest = { title: 'General', description: 'Say hi!', visibility: 'public' };
 * const room = await client.rooms.create(body);
 * ```
 */
export type CreateRoomRequest = z.input<typeof createRoomBody>;

/**
 * `PATCH /v1/rooms/:id`: at least one field.
 *
 * @example
 * ```ts
 * const patch: UpdateRoomRequest = { title: 'Announcements', visibility: 'private' };
 * const room = await client.rooms.update('42', patch);
 * ```
 */
export type UpdateRoomRequest = z.input<typeof updateRoomBody>;

/**
 * `POST /v1/rooms/join`: joins the room with this code (case and dashes/spaces ignored).
 *
 * @example
 * ```ts
 * const body: JoinRoomByCodeRequest = { code: 'K7XM-4QPA' };
 * const mine = await client.rooms.joinByCode(body.code);
 * ```
 */
export type JoinRoomByCodeRequest = z.input<typeof joinByCodeBody>;

/**
 * `POST /v1/rooms/:id/members/:userId/mute`.
 *
 * @example
 * ```ts
 * const body: MuteMemberRequest = { minutes: 60 };
 * const member = await client.rooms.mute('42', '7', body.minutes);
 * ```
 */
export type MuteMemberRequest = z.input<typeof muteBody>;

/**
 * `POST /v1/rooms/:id/members/:userId/kick` and `…/ban` (optional body). With `rotateCode: true` the room
 * also gets a new join code in the same change and the answer is the room with it (otherwise 204): a removed
 * user cannot come back with the code they know. `POST /v1/rooms/:id/code` rotates the code on its own.
 *
 * @example
 * ```ts
 * const body: RemoveMemberRequest = { rotateCode: true };
 * const room = await client.rooms.ban('42', '7', body); // the room with its new join code
 * ```
 */
export type RemoveMemberRequest = z.input<typeof removalBody>;

/**
 * `PATCH /v1/rooms/:id/members/:userId` (room owner or site admin). `moderator`/`member` promote or demote;
 * `owner` transfers ownership, and the previous owner becomes a moderator.
 *
 * @example
 * ```ts
 * const body: UpdateMemberRequest = { role: 'moderator' };
 * const member = await client.rooms.setRole('42', '7', body.role);
 * ```
 */
export type UpdateMemberRequest = z.input<typeof updateMemberBody>;

/**
 * Directory sort orders: `newest` (by creation, newest first) or `title` (A→Z, ignoring case).
 *
 * @example
 * ```ts
 * const sort: RoomSort = 'title';
 * const page = await client.rooms.list({ sort, limit: 20 });
 * ```
 */
export type RoomSort = z.output<typeof roomSort>;

/**
 * A keyset page: pass `nextCursor` back as `?cursor=` for the next page; `null` at the end.
 *
 * @example
 * ```ts
 * const page: RoomPage = await client.rooms.list({ sort: 'newest', limit: 20 });
 * render(page.items);
 * if (page.nextCursor) next = await client.rooms.list({ sort: 'newest', cursor: page.nextCursor });
 * ```
 */
export type RoomPage = z.output<typeof roomKeysetPageResponse>;

/**
 * An offset page of the directory (`?offset=`): `total` is the exact number of public rooms.
 *
 * @example
 * ```ts
 * const page: RoomOffsetPage = await client.rooms.list({ offset: 40, limit: 20 });
 * const pageCount = Math.ceil(page.total / 20);
 * ```
 */
export type RoomOffsetPage = z.output<typeof roomOffsetPageResponse>;

/**
 * A page of my rooms.
 *
 * @example
 * ```ts
 * const { items }: MyRoomPage = await client.rooms.myRooms({ limit: 50 });
 * const unread = items.reduce((n, room) => n + room.unreadCount, 0);
 * ```
 */
export type MyRoomPage = z.output<typeof myRoomPageResponse>;

/**
 * A page of a room's members (or of its ban list).
 *
 * @example
 * ```ts
 * const banned: RoomMemberPage = await client.rooms.members('42', { status: 'banned' });
 * for (const m of banned.items) console.log(m.user.displayName, m.bannedAt);
 * ```
 */
export type RoomMemberPage = z.output<typeof memberPageResponse>;
