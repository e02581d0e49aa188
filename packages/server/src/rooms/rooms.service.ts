/**
 * Rooms: creation, reading, updates, deletion, joining and leaving, the public directory and "my rooms".
 * Every write that changes members or visibility runs in one transaction that locks the room row first,
 * so `member_count` and `sites.public_room_count` stay exact under concurrency (lock order: room, then site).
 * Each write records its webhook events in its transaction (see room-webhook-events.ts).
 */
import { z } from 'zod';
import type { MyRoom, MyRoomPage, Room as RoomView, RoomOffsetPage, RoomPage, RoomSort } from '@synctalk/sdk';
import { id } from '@synctalk/sdk/schemas';
import { assertCanChat } from '../auth/policy.js';
import type { AuthUser } from '../auth/tokens.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { cursorCodec, keysetPage } from '../platform/pagination.js';
import { rateLimiter, type RateLimit } from '../platform/rate-limit.js';
import type { Site } from '../sites/sites.repository.js';
import {
  assertRoomPermission,
  isActiveMember,
  isSiteAdmin,
  membershipRepository,
  type Membership,
} from './membership.js';
import { newRoomCode, normalizeRoomCode } from './room-codes.js';
import type { RoomRealtime } from './room-events.js';
import { myRoomView, roomView } from './room-views.js';
import { roomsRepository, type DirectoryKey, type Room } from './rooms.repository.js';
import { memberJoinedEvent, memberLeftEvent, roomDeletedEvent, roomEvent } from './room-webhook-events.js';
import { eventSite } from '../webhooks/event-site.js';
import { recordEvents } from '../webhooks/outbox.js';

/** Failed join-by-code attempts allowed per user and window: codes are secrets, guessing is throttled. */
export const CODE_FAILURES_MAX = 20;
export const CODE_FAILURE_WINDOW_MS = 15 * 60 * 1000;
const CODE_ATTEMPTS = 5;

const directoryCursor = z.discriminatedUnion('s', [
  z.strictObject({ s: z.literal('newest'), id: id }),
  z.strictObject({ s: z.literal('title'), t: z.string().max(1000), id: id }),
]);
const myRoomsCursor = z.strictObject({ r: id });

/** What a new room is made of. */
export interface NewRoom {
  title: string;
  description?: string;
  visibility: 'public' | 'private';
}

/** PostgreSQL foreign-key violation: here, a token whose user no longer exists. */
function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === '23503';
}

export function roomsService(deps: Deps & { realtime: RoomRealtime }) {
  const { db } = deps;
  const rooms = roomsRepository(db);
  const members = membershipRepository(db);
  const events = deps.realtime;
  const directoryCursors = cursorCodec(deps.config.auth.secretsKey, 'rooms-directory');
  const myRoomsCursors = cursorCodec(deps.config.auth.secretsKey, 'my-rooms');

  const notFound = () => new AppError('not_found', 'No such room');
  const limiter = rateLimiter(deps);
  const codeFailures: RateLimit = {
    name: 'rooms:code-failures',
    max: CODE_FAILURES_MAX,
    windowMs: CODE_FAILURE_WINDOW_MS,
    // Without the shared store the throttle cannot be enforced: refuse rather than allow unlimited guessing.
    unavailable: 'Joining by code is unavailable right now; try again',
  };

  /** Room views for `user`, showing codes of the rooms they belong to (all of them for site admins). */
  async function viewsFor(user: AuthUser, list: Room[]): Promise<RoomView[]> {
    const mine = isSiteAdmin(user)
      ? undefined
      : await members.activeRoomIdsAmong(
          user.id,
          list.map((r) => r.id),
        );
    return list.map((r) => roomView(r, mine === undefined || mine.has(r.id)));
  }

  /**
   * Adds `user` to the locked `room` (inside `trx`) unless already there, with its `member.joined`; banned
   * users are refused.
   */
  async function joinLocked(
    trx: Deps['db'],
    site: Site,
    room: Room,
    user: AuthUser,
    existing: Membership | undefined,
  ): Promise<{ room: Room; membership: Membership; joined: boolean }> {
    if (existing?.bannedAt) throw new AppError('forbidden', 'You are banned from this room');
    if (existing) return { room, membership: existing, joined: false };
    const membership = await membershipRepository(trx).insert(room.id, user.id, 'member');
    if (!membership) throw new AppError('conflict', 'Your membership changed meanwhile; try again');
    const updated = await roomsRepository(trx).adjustMemberCount(room.id, 1);
    await recordEvents(trx, [await memberJoinedEvent(trx, site, room.id, user.id)]);
    return { room: updated, membership, joined: true };
  }

  async function withUserCheck<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new AppError('unauthorized', 'Your account no longer exists');
      throw error;
    }
  }

  function afterJoin(site: Site, result: { room: Room; membership: Membership; joined: boolean }): MyRoom {
    if (result.joined) {
      events.notify('member_joined', {
        siteId: site.id,
        roomId: result.room.id,
        userId: result.membership.userId,
        role: result.membership.role,
      });
    }
    return myRoomView(result.room, result.membership);
  }

  /**
   * Inserts a room owned by `user`, its owner membership and the public count, inside `trx`, with
   * `room.created` and the owner's `member.joined`.
   */
  async function insertRoom(trx: Deps['db'], site: Site, user: AuthUser, input: NewRoom): Promise<Room> {
    const repo = roomsRepository(trx);
    let created: Room | undefined;
    // ON CONFLICT DO NOTHING keeps the transaction usable after a code collision.
    for (let attempt = 0; attempt < CODE_ATTEMPTS && !created; attempt += 1) {
      created = await repo.insert({
        siteId: site.id,
        code: newRoomCode(),
        title: input.title,
        description: input.description ?? '',
        visibility: input.visibility,
        ownerId: user.id,
        memberCount: 1,
      });
    }
    if (!created) throw new Error(`no free room code after ${CODE_ATTEMPTS} attempts`);
    await membershipRepository(trx).insert(created.id, user.id, 'owner');
    if (created.visibility === 'public') await repo.adjustPublicRoomCount(site.id, 1);
    await recordEvents(trx, [
      roomEvent(site, 'room.created', created),
      await memberJoinedEvent(trx, site, created.id, user.id),
    ]);
    return created;
  }

  function afterCreate(site: Site, user: AuthUser, room: Room): RoomView {
    events.notify('member_joined', { siteId: site.id, roomId: room.id, userId: user.id, role: 'owner' });
    return roomView(room, true);
  }

  return {
    /** Creates a room; the creator becomes its owner. Needs ROLE_USER (checked by the route). */
    async create(site: Site, user: AuthUser, input: NewRoom): Promise<RoomView> {
      assertCanChat(site, user);
      const room = await withUserCheck(() => db.transaction((trx) => insertRoom(trx, site, user, input)));
      return afterCreate(site, user, room);
    },

    /**
     * Creates a public room like `create`, unless the site already has a public room (then undefined).
     * The site row is locked while deciding, so nodes starting together create one room, not one each
     * (lock order site, then the new room: no other writer holds that room yet).
     */
    async createIfNoPublicRoom(
      site: Site,
      user: AuthUser,
      input: Omit<NewRoom, 'visibility'>,
    ): Promise<RoomView | undefined> {
      assertCanChat(site, user);
      const room = await withUserCheck(() =>
        db.transaction(async (trx) => {
          const count = await roomsRepository(trx).lockPublicRoomCount(site.id);
          if (count === undefined || count > 0) return undefined;
          return insertRoom(trx, site, user, { ...input, visibility: 'public' });
        }),
      );
      return room && afterCreate(site, user, room);
    },

    /** A room `user` may see: public rooms of their site, private ones they belong to (admins: all). */
    async get(user: AuthUser, roomId: string): Promise<RoomView> {
      const room = await rooms.findById(user.siteId, roomId);
      if (!room) throw notFound();
      const membership = await members.get(room.id, user.id);
      assertRoomPermission(membership, 'view', user, room);
      return roomView(room, isSiteAdmin(user) || isActiveMember(membership));
    },

    /** Changes title, description or visibility (owner or site admin). */
    async update(
      user: AuthUser,
      roomId: string,
      patch: { title?: string; description?: string; visibility?: 'public' | 'private' },
    ): Promise<RoomView> {
      const updated = await db.transaction(async (trx) => {
        const repo = roomsRepository(trx);
        const room = await repo.lockById(user.siteId, roomId);
        if (!room) throw notFound();
        assertRoomPermission(
          await membershipRepository(trx).get(room.id, user.id),
          'update_room',
          user,
          room,
        );
        const next = await repo.update(room.id, patch);
        if (next.visibility !== room.visibility) {
          await repo.adjustPublicRoomCount(room.siteId, next.visibility === 'public' ? 1 : -1);
        }
        const changed =
          next.title !== room.title ||
          next.description !== room.description ||
          next.visibility !== room.visibility;
        if (changed)
          await recordEvents(trx, [roomEvent(await eventSite(trx, room.siteId), 'room.updated', next)]);
        return next;
      });
      events.notify('room_updated', { siteId: updated.siteId, room: updated });
      return roomView(updated, true);
    },

    /**
     * Soft-deletes a room (owner or site admin): it disappears from every listing and lookup, and with it
     * its messages and memberships; the rows stay for audit. The site's public room count drops at once.
     */
    async remove(user: AuthUser, roomId: string): Promise<void> {
      const room = await db.transaction(async (trx) => {
        const repo = roomsRepository(trx);
        const locked = await repo.lockById(user.siteId, roomId);
        if (!locked) throw notFound();
        assertRoomPermission(
          await membershipRepository(trx).get(locked.id, user.id),
          'delete_room',
          user,
          locked,
        );
        await repo.softDelete(locked.id);
        if (locked.visibility === 'public') await repo.adjustPublicRoomCount(locked.siteId, -1);
        await recordEvents(trx, [roomDeletedEvent(await eventSite(trx, locked.siteId), locked)]);
        return locked;
      });
      events.notify('room_deleted', { siteId: room.siteId, roomId: room.id });
    },

    /**
     * Joins a public room by id (site admins: any room). Joining a room you are in answers with your
     * membership; a private room you are not in is `not_found`; banned users are refused.
     */
    async joinById(site: Site, user: AuthUser, roomId: string): Promise<MyRoom> {
      assertCanChat(site, user);
      const result = await withUserCheck(() =>
        db.transaction(async (trx) => {
          const room = await roomsRepository(trx).lockById(site.id, roomId);
          if (!room) throw notFound();
          const existing = await membershipRepository(trx).get(room.id, user.id);
          if (room.visibility === 'private' && !existing && !isSiteAdmin(user)) throw notFound();
          return joinLocked(trx, site, room, user, existing);
        }),
      );
      return afterJoin(site, result);
    },

    /** Joins the room (public or private) whose code is `input`. Failed guesses are throttled per user. */
    async joinByCode(site: Site, user: AuthUser, input: string): Promise<MyRoom> {
      assertCanChat(site, user);
      const code = normalizeRoomCode(input);
      if (!code) {
        throw new AppError('validation_failed', 'Invalid body.code: must be 8 letters and digits', [
          { path: 'code', message: 'must be 8 letters and digits', code: 'custom' },
        ]);
      }
      const guesser = [site.id, user.id];
      const failures = await limiter.peek(codeFailures, guesser);
      if (!failures.allowed) {
        // The whole window, as `peek` tells (the store answers counts, not their expiry).
        throw new AppError('rate_limited', 'Too many wrong room codes; try again later', undefined, {
          'Retry-After': String(failures.retryAfter),
        });
      }
      const result = await withUserCheck(() =>
        db.transaction(async (trx) => {
          const room = await roomsRepository(trx).lockByCode(site.id, code);
          if (!room) return undefined;
          const existing = await membershipRepository(trx).get(room.id, user.id);
          return joinLocked(trx, site, room, user, existing);
        }),
      );
      if (!result) {
        await limiter.hit(codeFailures, guesser);
        throw new AppError('not_found', 'No room has this code');
      }
      return afterJoin(site, result);
    },

    /**
     * Leaves a room. When the owner leaves, ownership passes to the longest-standing moderator, else the
     * longest-standing member; an owner who is the last member gets `conflict` (delete the room instead).
     */
    async leave(user: AuthUser, roomId: string): Promise<void> {
      const outcome = await db.transaction(async (trx) => {
        const repo = roomsRepository(trx);
        const memberships = membershipRepository(trx);
        const room = await repo.lockById(user.siteId, roomId);
        if (!room) throw notFound();
        const membership = await memberships.get(room.id, user.id);
        if (!isActiveMember(membership)) {
          if (room.visibility === 'private' && !isSiteAdmin(user)) throw notFound();
          throw new AppError('not_found', 'You are not a member of this room');
        }
        let heir: Membership | undefined;
        if (membership.role === 'owner') {
          heir = await memberships.successorOf(room.id, user.id);
          if (!heir) {
            throw new AppError('conflict', 'You are the only member; delete the room instead of leaving it');
          }
          heir = await memberships.setRole(room.id, heir.userId, 'owner');
          await repo.update(room.id, { ownerId: heir!.userId });
        }
        await memberships.remove(room.id, user.id);
        const after = await repo.adjustMemberCount(room.id, -1);
        const site = await eventSite(trx, room.siteId);
        await recordEvents(trx, [
          memberLeftEvent(site, room.id, user.id, 'left'),
          // The owner left: the room has a new owner.
          ...(heir ? [roomEvent(site, 'room.updated', after)] : []),
        ]);
        return { room, heir };
      });
      const { room, heir } = outcome;
      events.notify('member_left', { siteId: room.siteId, roomId: room.id, userId: user.id, reason: 'left' });
      if (heir) {
        events.notify('member_updated', {
          siteId: room.siteId,
          roomId: room.id,
          userId: heir.userId,
          role: heir.role,
          mutedUntil: heir.mutedUntil,
        });
      }
    },

    /**
     * The public directory of `site`. Keyset mode (no `offset`): `{ items, nextCursor }`, cursors signed and
     * bound to the site and sort. Offset mode: `{ items, total }` through the deferred join.
     */
    async directory(
      site: Site,
      user: AuthUser,
      query: { limit: number; sort: RoomSort; cursor?: string; offset?: number },
    ): Promise<RoomPage | RoomOffsetPage> {
      const { limit, sort } = query;
      if (query.offset !== undefined) {
        const page = await rooms.directoryOffset(site.id, { sort, offset: query.offset, limit });
        return { items: await viewsFor(user, page.rooms), total: page.total };
      }
      let after: DirectoryKey | undefined;
      if (query.cursor !== undefined) {
        const c = directoryCursors.decode(site.id, query.cursor, directoryCursor);
        if (c.s !== sort) {
          throw new AppError(
            'validation_failed',
            `Invalid query.cursor: it belongs to sort=${c.s}, not ${sort}`,
          );
        }
        after = c.s === 'newest' ? { sort: 'newest', id: c.id } : { sort: 'title', titleSort: c.t, id: c.id };
      }
      const { page, nextCursor } = await keysetPage(
        limit,
        (n) => rooms.directoryKeyset(site.id, { sort, limit: n, after }),
        (last) =>
          directoryCursors.encode(
            site.id,
            sort === 'newest' ? { s: 'newest', id: last.id } : { s: 'title', t: last.titleSort, id: last.id },
          ),
      );
      return { items: await viewsFor(user, page), nextCursor };
    },

    /** My rooms, newest first, with my role and unread count. */
    async myRooms(user: AuthUser, query: { limit: number; cursor?: string }): Promise<MyRoomPage> {
      const scope = `${user.siteId}:${user.id}`;
      const before = query.cursor ? myRoomsCursors.decode(scope, query.cursor, myRoomsCursor).r : undefined;
      const { page, nextCursor } = await keysetPage(
        query.limit,
        (n) => members.listMyRooms(user.id, { limit: n, beforeRoomId: before }),
        (last) => myRoomsCursors.encode(scope, { r: last.room.id }),
      );
      return { items: page.map((r) => myRoomView(r.room, r.membership)), nextCursor };
    },
  };
}

export type RoomsService = ReturnType<typeof roomsService>;
