/**
 * `client.rooms.iterate…`: the keyset-paged room listings (the directory, my rooms, a room's members) as
 * async iterators, so a loop reads every item without handling cursors.
 */
import type { MyRoom, Room, RoomMember, RoomSort } from '../../protocol/rooms.js';
import { keysetItems, type IterateOptions } from './paging.js';
import type { RoomsApi } from './rooms.js';

/**
 * Options of `client.rooms.iterate`: the directory order, page size and start.
 *
 * @example
 * ```ts
 * for await (const room of client.rooms.iterate({ sort: 'title', pageSize: 100 })) addToIndex(room);
 * ```
 */
export interface RoomIterateOptions extends IterateOptions {
  /** `newest` (default) or `title` (A→Z, ignoring case). */
  sort?: RoomSort;
}

/**
 * Options of `client.rooms.iterateMembers`.
 *
 * @example
 * ```ts
 * for await (const banned of client.rooms.iterateMembers('42', { status: 'banned' })) list(banned.user);
 * ```
 */
export interface MemberIterateOptions extends IterateOptions {
  /** `banned`: the ban list (moderators). Default `active`. */
  status?: 'active' | 'banned';
}

/**
 * The iterating part of `client.rooms`. Each method returns an async generator: nothing is fetched until
 * the loop starts, then one page at a time as the loop reads on, until the page without a next cursor.
 * Each item comes once, in the listing's order, also when items are added or removed meanwhile. Leaving
 * the loop early (`break`, `return`, a throw) fetches nothing more; aborting `signal` rejects the read in
 * progress with the signal's reason.
 *
 * @example
 * ```ts
 * for await (const room of client.rooms.iterate()) console.log(room.title);
 * ```
 */
export interface RoomIterators {
  /**
   * Every public room of the directory (`GET /v1/rooms`), in `sort` order.
   *
   * @example
   * ```ts
   * for await (const room of client.rooms.iterate({ sort: 'title' })) {
   *   if (room.title.startsWith('Help')) return room;
   * }
   * ```
   */
  iterate(options?: RoomIterateOptions): AsyncGenerator<Room, void, undefined>;
  /**
   * Every room I am a member of (`GET /v1/me/rooms`), in `myRooms` order, with my role and unread count.
   *
   * @example
   * ```ts
   * let unread = 0;
   * for await (const room of client.rooms.iterateMine({ pageSize: 100 })) unread += room.unreadCount;
   * ```
   */
  iterateMine(options?: IterateOptions): AsyncGenerator<MyRoom, void, undefined>;
  /**
   * Every member of a room in join order (`GET /v1/rooms/:id/members`), or with `status: 'banned'` every
   * banned user (moderators).
   *
   * @example
   * ```ts
   * const moderators: RoomMember[] = [];
   * for await (const m of client.rooms.iterateMembers('42')) if (m.role !== 'member') moderators.push(m);
   * ```
   */
  iterateMembers(roomId: string, options?: MemberIterateOptions): AsyncGenerator<RoomMember, void, undefined>;
}

/** Builds the iterating part of `client.rooms`, over the listing methods of `rooms`. */
export function roomIterators(rooms: Pick<RoomsApi, 'list' | 'myRooms' | 'members'>): RoomIterators {
  return {
    iterate: (options = {}) => keysetItems((page) => rooms.list({ ...page, sort: options.sort }), options),
    iterateMine: (options) => keysetItems(rooms.myRooms, options),
    iterateMembers: (roomId, options = {}) =>
      keysetItems((page) => rooms.members(roomId, { ...page, status: options.status }), options),
  };
}
