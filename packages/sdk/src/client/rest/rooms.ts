/** `client.rooms`: the directory, rooms, memberships, moderation and join codes. */
import type {
  CreateRoomRequest,
  MyRoom,
  MyRoomPage,
  Room,
  RoomMember,
  RoomMemberPage,
  RoomOffsetPage,
  RoomPage,
  RoomRole,
  RoomSort,
  UpdateRoomRequest,
} from '../../protocol/rooms.js';
import { segment } from '../http.js';
import type { CallOptions, RestContext } from './call.js';
import { roomIterators, type RoomIterators } from './rooms-iterate.js';

/**
 * Keyset pages of the directory: pass `nextCursor` back as `cursor` until it is `null`.
 *
 * @example
 * ```ts
 * await client.rooms.list({ sort: 'newest', limit: 20, cursor: page.nextCursor ?? undefined });
 * ```
 */
export interface RoomListOptions extends CallOptions {
  /** 1–100 (default 20). */
  limit?: number;
  sort?: RoomSort;
  cursor?: string;
}

/**
 * Offset pages of the directory, with the exact `total`. Prefer cursors for deep pages.
 *
 * @example
 * ```ts
 * const { items, total } = await client.rooms.list({ offset: 40, limit: 20 });
 * ```
 */
export interface RoomOffsetListOptions extends CallOptions {
  offset: number;
  limit?: number;
  sort?: RoomSort;
}

/**
 * A keyset page request.
 *
 * @example
 * ```ts
 * await client.rooms.myRooms({ limit: 50, cursor });
 * ```
 */
export interface PageOptions extends CallOptions {
  limit?: number;
  cursor?: string;
}

/**
 * Member list options.
 *
 * @example
 * ```ts
 * await client.rooms.members(roomId, { status: 'banned' });
 * ```
 */
export interface MemberListOptions extends PageOptions {
  /** `banned`: the ban list (moderators). Default `active`. */
  status?: 'active' | 'banned';
}

/**
 * Kick and ban options.
 *
 * @example
 * ```ts
 * const room = await client.rooms.kick('42', '7', { rotateCode: true });
 * console.log(room.code); // the new join code; the old one no longer works
 * ```
 */
export interface RemovalOptions extends CallOptions {
  /** Also give the room a new join code, so the removed user cannot rejoin with the one they know. */
  rotateCode?: boolean;
}

/**
 * `client.rooms` (its `iterate…` methods: `RoomIterators`).
 *
 * @example
 * ```ts
 * const room = await client.rooms.create({ title: 'General', visibility: 'public' });
 * for await (const r of client.rooms.iterate({ sort: 'title' })) console.log(r.title);
 * ```
 */
export interface RoomsApi extends RoomIterators {
  /**
   * The site's public rooms (`GET /v1/rooms`): keyset pages by default, offset pages with `offset`.
   *
   * @example
   * ```ts
   * let page = await client.rooms.list({ sort: 'title', limit: 50 });
   * while (page.nextCursor) page = await client.rooms.list({ sort: 'title', cursor: page.nextCursor });
   * const { items, total } = await client.rooms.list({ offset: 40, limit: 20 });
   * ```
   */
  list(options?: RoomListOptions): Promise<RoomPage>;
  list(options: RoomOffsetListOptions): Promise<RoomOffsetPage>;
  /**
   * One room (`GET /v1/rooms/:id`).
   *
   * @example
   * ```ts
   * const room = await client.rooms.get('42');
   * ```
   */
  get(roomId: string, options?: CallOptions): Promise<Room>;
  /**
   * Creates a room; I become its owner (`POST /v1/rooms`).
   *
   * @example
   * ```ts
   * const room = await client.rooms.create({ title: 'General', visibility: 'private' });
   * console.log(room.code); // share it: others join with client.rooms.joinByCode(code)
   * ```
   */
  create(body: CreateRoomRequest, options?: CallOptions): Promise<Room>;
  /**
   * Edits a room (owner; `PATCH /v1/rooms/:id`).
   *
   * @example
   * ```ts
   * await client.rooms.update('42', { title: 'Announcements' });
   * ```
   */
  update(roomId: string, body: UpdateRoomRequest, options?: CallOptions): Promise<Room>;
  /**
   * Deletes a room (owner; `DELETE /v1/rooms/:id`).
   *
   * @example
   * ```ts
   * await client.rooms.delete('42');
   * ```
   */
  delete(roomId: string, options?: CallOptions): Promise<void>;
  /**
   * Becomes a member of a public room (`POST /v1/rooms/:id/join`; fine when already one). To receive its
   * messages live, also `connection.joinRoom(roomId)`.
   *
   * @example
   * ```ts
   * const mine = await client.rooms.join('42');
   * ```
   */
  join(roomId: string, options?: CallOptions): Promise<MyRoom>;
  /**
   * Becomes a member of the room with this code (`POST /v1/rooms/join`; case, spaces and dashes ignored).
   *
   * @example
   * ```ts
   * const room = await client.rooms.joinByCode('k7qm-z3xd');
   * ```
   */
  joinByCode(code: string, options?: CallOptions): Promise<MyRoom>;
  /**
   * Leaves a room (`POST /v1/rooms/:id/leave`).
   *
   * @example
   * ```ts
   * await client.rooms.leave('42');
   * ```
   */
  leave(roomId: string, options?: CallOptions): Promise<void>;
  /**
   * My rooms with my role and unread counts, newest first (`GET /v1/me/rooms`).
   *
   * @example
   * ```ts
   * const { items } = await client.rooms.myRooms();
   * const unread = items.reduce((n, r) => n + r.unreadCount, 0);
   * ```
   */
  myRooms(options?: PageOptions): Promise<MyRoomPage>;
  /**
   * Members in join order, or the ban list (`GET /v1/rooms/:id/members`).
   *
   * @example
   * ```ts
   * const { items, nextCursor } = await client.rooms.members('42', { limit: 100 });
   * ```
   */
  members(roomId: string, options?: MemberListOptions): Promise<RoomMemberPage>;
  /**
   * One member (`GET /v1/rooms/:id/members/:userId`).
   *
   * @example
   * ```ts
   * const { role } = await client.rooms.member('42', '7');
   * ```
   */
  member(roomId: string, userId: string, options?: CallOptions): Promise<RoomMember>;
  /**
   * Changes a member's role; `owner` transfers ownership (owner; `PATCH /v1/rooms/:id/members/:userId`).
   *
   * @example
   * ```ts
   * await client.rooms.setRole('42', '7', 'moderator');
   * ```
   */
  setRole(roomId: string, userId: string, role: RoomRole, options?: CallOptions): Promise<RoomMember>;
  /**
   * Mutes a member for `minutes` (moderators).
   *
   * @example
   * ```ts
   * await client.rooms.mute('42', '7', 60);
   * ```
   */
  mute(roomId: string, userId: string, minutes: number, options?: CallOptions): Promise<RoomMember>;
  /**
   * Lifts a mute (moderators).
   *
   * @example
   * ```ts
   * await client.rooms.unmute('42', '7');
   * ```
   */
  unmute(roomId: string, userId: string, options?: CallOptions): Promise<RoomMember>;
  /**
   * Removes a member, who may join again (moderators). With `rotateCode: true` the room also gets a new join
   * code and the room is returned with it.
   *
   * @example
   * ```ts
   * await client.rooms.kick('42', '7');
   * const { code } = await client.rooms.kick('42', '8', { rotateCode: true });
   * ```
   */
  kick(roomId: string, userId: string, options: RemovalOptions & { rotateCode: true }): Promise<Room>;
  kick(roomId: string, userId: string, options?: RemovalOptions): Promise<Room | undefined>;
  /**
   * Removes a member and keeps them out (moderators; site admins may also ban users who are not members).
   * With `rotateCode: true` the room also gets a new join code and the room is returned with it.
   *
   * @example
   * ```ts
   * await client.rooms.ban('42', '7');
   * const { code } = await client.rooms.ban('42', '8', { rotateCode: true });
   * ```
   */
  ban(roomId: string, userId: string, options: RemovalOptions & { rotateCode: true }): Promise<Room>;
  ban(roomId: string, userId: string, options?: RemovalOptions): Promise<Room | undefined>;
  /**
   * Lifts a ban (moderators).
   *
   * @example
   * ```ts
   * await client.rooms.unban('42', '7');
   * ```
   */
  unban(roomId: string, userId: string, options?: CallOptions): Promise<void>;
  /**
   * Gives the room a new join code; the old one stops working at once (moderators;
   * `POST /v1/rooms/:id/code`). Returns the room with the new `code`.
   *
   * @example
   * ```ts
   * const { code } = await client.rooms.rotateCode('42');
   * ```
   */
  rotateCode(roomId: string, options?: CallOptions): Promise<Room>;
}

/** Builds `client.rooms`. */
export function roomsApi({ authed }: RestContext): RoomsApi {
  const room = (id: string) => `/v1/rooms/${segment(id)}`;
  const member = (id: string, userId: string) => `${room(id)}/members/${segment(userId)}`;
  /** `POST /v1/rooms/:id/members/:userId/<action>`, without a body. */
  const moderate = (action: string) => (roomId: string, userId: string, options?: CallOptions) =>
    authed('POST', `${member(roomId, userId)}/${action}`, options);
  const remove =
    (action: 'kick' | 'ban') =>
    (roomId: string, userId: string, options: RemovalOptions = {}) => {
      const { rotateCode } = options;
      const body = rotateCode === undefined ? undefined : { rotateCode };
      return authed('POST', `${member(roomId, userId)}/${action}`, options, body);
    };

  const api = {
    list(options: (RoomListOptions & { offset?: number }) | RoomOffsetListOptions = {}) {
      const { limit, sort } = options;
      const page = 'offset' in options ? { offset: options.offset } : { cursor: options.cursor };
      return authed('GET', '/v1/rooms', options, { limit, sort, ...page });
    },
    get: (roomId, options) => authed('GET', room(roomId), options),
    create: (body, options) => authed('POST', '/v1/rooms', options, body),
    update: (roomId, body, options) => authed('PATCH', room(roomId), options, body),
    delete: (roomId, options) => authed('DELETE', room(roomId), options),
    join: (roomId, options) => authed('POST', `${room(roomId)}/join`, options),
    joinByCode: (code, options) => authed('POST', '/v1/rooms/join', options, { code }),
    leave: (roomId, options) => authed('POST', `${room(roomId)}/leave`, options),
    myRooms: (options = {}) => {
      const { limit, cursor } = options;
      return authed('GET', '/v1/me/rooms', options, { limit, cursor });
    },
    members: (roomId, options = {}) => {
      const { limit, cursor, status } = options;
      return authed('GET', `${room(roomId)}/members`, options, { limit, cursor, status });
    },
    member: (roomId, userId, options) => authed('GET', member(roomId, userId), options),
    setRole: (roomId, userId, role, options) => authed('PATCH', member(roomId, userId), options, { role }),
    mute: (roomId, userId, minutes, options) =>
      authed('POST', `${member(roomId, userId)}/mute`, options, { minutes }),
    unmute: moderate('unmute'),
    kick: remove('kick'),
    ban: remove('ban'),
    unban: moderate('unban'),
    rotateCode: (roomId, options) => authed('POST', `${room(roomId)}/code`, options),
  } as RoomsApi;
  // The iterators page through `list`, `myRooms` and `members`.
  return Object.assign(api, roomIterators(api));
}
