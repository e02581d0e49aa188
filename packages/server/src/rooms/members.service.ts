/**
 * Room members: the member list and ban list, and moderation (mute, unmute, kick, ban, unban, role changes).
 *
 * Who may act on whom: moderators act on members; the owner on moderators and members; a site admin on
 * anyone. Nobody acts on themselves, nobody but a site admin acts on a site admin, and the owner cannot
 * be kicked or banned by anyone (ownership must be transferred first) — only muted, by a site admin.
 *
 * Moderation reaches the room's own people only: room moderators act on members (and lift the bans in their
 * ban list); only a site admin may ban a user of the site who is not a member, pre-emptively. To a room
 * moderator, an unknown id, a user of another site, a user who is not in the room and a site admin are all
 * the same answer, `not_found` "No such member in this room": moderation tells nothing about who exists or
 * who holds which site role. The ban list is for the room's moderators and site admins only; anyone else gets
 * the answer of a room they cannot see.
 *
 * Kicks, bans and ownership transfers record their webhook events in their transaction (see
 * room-webhook-events.ts); mutes, unbans and other role changes have none.
 */
import { z } from 'zod';
import type { RoomMember, RoomMemberPage, RoomRole, Room as RoomView } from '@synctalk/sdk';
import { id } from '@synctalk/sdk/schemas';
import { usersRepository } from '../auth/users.repository.js';
import type { AuthUser } from '../auth/tokens.js';
import type { Database } from '../platform/database.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { cursorCodec, keysetPage } from '../platform/pagination.js';
import {
  assertRoomPermission,
  canInRoom,
  isActiveMember,
  isSiteAdmin,
  membershipRepository,
  outranks,
  type Membership,
  type RoomAction,
} from './membership.js';
import { replaceRoomCode } from './room-code-rotation.js';
import type { RoomRealtime } from './room-events.js';
import { memberView, roomView } from './room-views.js';
import { roomsRepository, type Room } from './rooms.repository.js';
import { memberBannedEvent, memberLeftEvent, roomEvent } from './room-webhook-events.js';
import { eventSite } from '../webhooks/event-site.js';
import { recordEvents, type OutboxEvent } from '../webhooks/outbox.js';

const activeCursor = z.strictObject({
  j: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  u: id,
});
const bannedCursor = z.strictObject({ u: id });

/** The one answer for a target moderation may not reach, whatever the reason. */
const noSuchMember = () => new AppError('not_found', 'No such member in this room');

/** Which rows a moderation action may target: active members, or also bans, or (site admins) anyone. */
type TargetScope = 'active' | 'row' | 'site';

/** Options of kick and ban. */
export interface RemovalOptions {
  /** Also give the room a new join code in the same transaction (the answer carries the room with it). */
  rotateCode?: boolean;
}

export function membersService(deps: Deps & { realtime: RoomRealtime }) {
  const { db } = deps;
  const rooms = roomsRepository(db);
  const memberships = membershipRepository(db);
  const events = deps.realtime;
  const cursors = cursorCodec(deps.config.auth.secretsKey, 'room-members');

  interface Target {
    room: Room;
    actor: Membership | undefined;
    target: Membership | undefined;
  }

  /**
   * Inside `trx`: locks the room, checks the actor may `action`, resolves the target within `scope`
   * (`site`: any user of the site, for site admins only; room moderators are held to `row`), and applies
   * the who-may-act-on-whom rules. Every target out of reach is the same `not_found`.
   */
  async function resolveTarget(
    trx: Database,
    actor: AuthUser,
    roomId: string,
    targetUserId: string,
    action: RoomAction,
    scope: TargetScope,
  ): Promise<Target> {
    const room = await roomsRepository(trx).lockById(actor.siteId, roomId);
    if (!room) throw new AppError('not_found', 'No such room');
    const repo = membershipRepository(trx);
    const actorMembership = await repo.get(room.id, actor.id);
    assertRoomPermission(actorMembership, action, actor, room);
    if (targetUserId === actor.id) throw new AppError('forbidden', 'You cannot do this to yourself');
    const admin = isSiteAdmin(actor);
    const target = await repo.get(room.id, targetUserId);
    // A row of this room (a membership, or a ban for `row`/`site`); site admins may also ban anyone of the site.
    const reachable =
      scope === 'active' ? isActiveMember(target) : target !== undefined || (scope === 'site' && admin);
    if (!reachable) throw noSuchMember();
    const user = await usersRepository(trx).findById(actor.siteId, targetUserId);
    if (!user || (!admin && user.roles.includes('ROLE_ADMIN'))) throw noSuchMember();
    if (!admin && isActiveMember(target) && !outranks(actorMembership!.role, target.role)) {
      throw new AppError('forbidden', `A ${actorMembership!.role} cannot act on a ${target.role}`);
    }
    return { room, actor: actorMembership, target };
  }

  function requireActive(t: Target): Membership {
    if (!isActiveMember(t.target)) throw noSuchMember();
    return t.target;
  }

  async function memberOrThrow(trx: Database, roomId: string, userId: string): Promise<RoomMember> {
    const member = await membershipRepository(trx).findMember(roomId, userId);
    if (!member) throw noSuchMember();
    return memberView(member);
  }

  /** After a kick or ban with `rotateCode`: the new code to the room, not to the user just removed. */
  function codeRotated(room: Room, removedUserId: string): RoomView {
    events.notify('room_updated', { siteId: room.siteId, room, exceptUserIds: [removedUserId] });
    return roomView(room, true);
  }

  const updated = (room: Room, m: Membership) =>
    events.notify('member_updated', {
      siteId: room.siteId,
      roomId: room.id,
      userId: m.userId,
      role: m.role,
      mutedUntil: m.mutedUntil,
    });

  return {
    /**
     * Members in join order (anyone who may view the room), or with `status: 'banned'` the ban list
     * (moderators, the owner, site admins; anyone else gets `not_found`, as for a room they cannot see).
     * Keyset pages with signed cursors bound to the room.
     */
    async list(
      user: AuthUser,
      roomId: string,
      query: { limit: number; cursor?: string; status: 'active' | 'banned' },
    ): Promise<RoomMemberPage> {
      const room = await rooms.findById(user.siteId, roomId);
      if (!room) throw new AppError('not_found', 'No such room');
      const membership = await memberships.get(room.id, user.id);
      const banned = query.status === 'banned';
      if (!banned) assertRoomPermission(membership, 'view', user, room);
      else if (!canInRoom(membership, 'moderate', user, room))
        throw new AppError('not_found', 'No such room');
      const scope = `${room.siteId}:${room.id}:${query.status}`;
      let after: { joinedAt: string; userId: string } | { userId: string } | undefined;
      if (query.cursor !== undefined) {
        if (banned) after = { userId: cursors.decode(scope, query.cursor, bannedCursor).u };
        else {
          const c = cursors.decode(scope, query.cursor, activeCursor);
          after = { joinedAt: c.j, userId: c.u };
        }
      }
      const { page, nextCursor } = await keysetPage(
        query.limit,
        (n) => memberships.listMembers(room.id, { limit: n, banned, after }),
        (last) =>
          cursors.encode(scope, banned ? { u: last.userId } : { j: last.joinedAtExact, u: last.userId }),
      );
      return { items: page.map(memberView), nextCursor };
    },

    /** One member of a room (anyone who may view the room). */
    async get(user: AuthUser, roomId: string, userId: string): Promise<RoomMember> {
      const room = await rooms.findById(user.siteId, roomId);
      if (!room) throw new AppError('not_found', 'No such room');
      assertRoomPermission(await memberships.get(room.id, user.id), 'view', user, room);
      const member = await memberships.findMember(room.id, userId);
      if (!isActiveMember(member)) throw noSuchMember();
      return memberView(member!);
    },

    /** Mutes a member for `minutes`: they stay in the room but cannot send. */
    async mute(user: AuthUser, roomId: string, targetUserId: string, minutes: number): Promise<RoomMember> {
      const { room, member, view } = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate', 'active');
        requireActive(t);
        const until = new Date(Date.now() + minutes * 60_000);
        const m = (await membershipRepository(trx).setMutedUntil(t.room.id, targetUserId, until))!;
        return { room: t.room, member: m, view: await memberOrThrow(trx, t.room.id, targetUserId) };
      });
      updated(room, member);
      return view;
    },

    async unmute(user: AuthUser, roomId: string, targetUserId: string): Promise<RoomMember> {
      const { room, member, view } = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate', 'active');
        requireActive(t);
        const m = (await membershipRepository(trx).setMutedUntil(t.room.id, targetUserId, null))!;
        return { room: t.room, member: m, view: await memberOrThrow(trx, t.room.id, targetUserId) };
      });
      updated(room, member);
      return view;
    },

    /**
     * Removes a member; they may join again (unlike a ban). With `rotateCode` the room also gets a new join
     * code in the same transaction, and the answer is the room with it (otherwise nothing).
     */
    async kick(
      user: AuthUser,
      roomId: string,
      targetUserId: string,
      options: RemovalOptions = {},
    ): Promise<RoomView | undefined> {
      const { room, rotated } = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate', 'active');
        const target = requireActive(t);
        if (target.role === 'owner') {
          throw new AppError('conflict', 'The owner cannot be removed; transfer ownership first');
        }
        await membershipRepository(trx).remove(t.room.id, targetUserId);
        const room = await roomsRepository(trx).adjustMemberCount(t.room.id, -1);
        const rotated = options.rotateCode ? await replaceRoomCode(trx, room) : undefined;
        const site = await eventSite(trx, room.siteId);
        await recordEvents(trx, [
          memberLeftEvent(site, room.id, targetUserId, 'kicked'),
          ...(rotated ? [roomEvent(site, 'room.updated', rotated)] : []),
        ]);
        return { room, rotated };
      });
      events.notify('member_left', {
        siteId: room.siteId,
        roomId: room.id,
        userId: targetUserId,
        reason: 'kicked',
      });
      return rotated && codeRotated(rotated, targetUserId);
    },

    /**
     * Bans a user from the room: a member is removed and cannot rejoin. A site admin may also ban a user of
     * the site who is not a member, keeping them from joining. Banning someone already banned changes
     * nothing. `rotateCode` as for `kick`.
     */
    async ban(
      user: AuthUser,
      roomId: string,
      targetUserId: string,
      options: RemovalOptions = {},
    ): Promise<RoomView | undefined> {
      const outcome = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate', 'site');
        if (t.target?.role === 'owner' && !t.target.bannedAt) {
          throw new AppError('conflict', 'The owner cannot be banned; transfer ownership first');
        }
        const wasMember = isActiveMember(t.target);
        await membershipRepository(trx).ban(t.room.id, targetUserId);
        const room = wasMember ? await roomsRepository(trx).adjustMemberCount(t.room.id, -1) : t.room;
        const rotated = options.rotateCode ? await replaceRoomCode(trx, room) : undefined;
        const outbox: OutboxEvent[] = [];
        const site = await eventSite(trx, room.siteId);
        // Banning someone already banned changes nothing.
        if (!t.target?.bannedAt) outbox.push(memberBannedEvent(site, room.id, targetUserId, user.id));
        if (rotated) outbox.push(roomEvent(site, 'room.updated', rotated));
        await recordEvents(trx, outbox);
        return { room, wasMember, rotated };
      });
      if (outcome.wasMember) {
        events.notify('member_left', {
          siteId: outcome.room.siteId,
          roomId: outcome.room.id,
          userId: targetUserId,
          reason: 'banned',
        });
      }
      return outcome.rotated && codeRotated(outcome.rotated, targetUserId);
    },

    /**
     * Lifts a ban (a user in the ban list); they may join again (they are not re-added). Unbanning a member
     * who is not banned is a no-op.
     */
    async unban(user: AuthUser, roomId: string, targetUserId: string): Promise<void> {
      await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate', 'row');
        if (t.target?.bannedAt) await membershipRepository(trx).remove(t.room.id, targetUserId);
      });
    },

    /**
     * Changes a member's role (the owner or a site admin). `moderator`/`member` promote or demote; `owner`
     * transfers ownership and the previous owner becomes a moderator. The owner's own role changes only by
     * transferring ownership.
     */
    async setRole(user: AuthUser, roomId: string, targetUserId: string, role: RoomRole): Promise<RoomMember> {
      const { room, changes, view } = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'manage_roles', 'active');
        const target = requireActive(t);
        const repo = membershipRepository(trx);
        const changes: Membership[] = [];
        if (target.role === role) {
          // Nothing to change.
        } else if (role === 'owner') {
          const previous = await repo.setRole(t.room.id, t.room.ownerId, 'moderator');
          if (previous) changes.push(previous);
          changes.push((await repo.setRole(t.room.id, targetUserId, 'owner'))!);
          const transferred = await roomsRepository(trx).update(t.room.id, { ownerId: targetUserId });
          const site = await eventSite(trx, transferred.siteId);
          await recordEvents(trx, [roomEvent(site, 'room.updated', transferred)]);
        } else if (target.role === 'owner') {
          throw new AppError(
            'conflict',
            "The owner's role changes only by transferring ownership to another member",
          );
        } else {
          changes.push((await repo.setRole(t.room.id, targetUserId, role))!);
        }
        return { room: t.room, changes, view: await memberOrThrow(trx, t.room.id, targetUserId) };
      });
      for (const m of changes) updated(room, m);
      return view;
    },
  };
}

export type MembersService = ReturnType<typeof membersService>;
