/**
 * Room members: the member list and ban list, and moderation (mute, unmute, kick, ban, unban, role changes).
 *
 * Who may act on whom: moderators act on members; the owner on moderators and members; a site admin on
 * anyone. Nobody acts on themselves, nobody but a site admin acts on a site admin, and the owner cannot
 * be kicked or banned by anyone (ownership must be transferred first) — only muted, by a site admin.
 */
import { z } from 'zod';
import type { RoomMember, RoomMemberPage, RoomRole } from '@synctalk/sdk';
import { usersRepository } from '../auth/users.repository.js';
import type { AuthUser } from '../auth/tokens.js';
import type { Database } from '../platform/database.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { cursorCodec } from './cursor.js';
import {
  assertRoomPermission,
  isActiveMember,
  isSiteAdmin,
  membershipRepository,
  outranks,
  type Membership,
  type RoomAction,
} from './membership.js';
import { roomEvents } from './room-events.js';
import { memberView } from './room-views.js';
import { roomsRepository, type Room } from './rooms.repository.js';

const idPattern = /^[1-9]\d{0,17}$/;
const activeCursor = z.strictObject({
  j: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
  u: z.string().regex(idPattern),
});
const bannedCursor = z.strictObject({ u: z.string().regex(idPattern) });

export function membersService(deps: Deps) {
  const { db } = deps;
  const rooms = roomsRepository(db);
  const memberships = membershipRepository(db);
  const events = roomEvents(deps);
  const cursors = cursorCodec(deps.config.auth.secretsKey, 'room-members');

  interface Target {
    room: Room;
    actor: Membership | undefined;
    target: Membership | undefined;
    targetIsAdmin: boolean;
  }

  /**
   * Inside `trx`: locks the room, checks the actor may `action`, resolves the target user within the
   * site, and applies the who-may-act-on-whom rules.
   */
  async function resolveTarget(
    trx: Database,
    actor: AuthUser,
    roomId: string,
    targetUserId: string,
    action: RoomAction,
  ): Promise<Target> {
    const room = await roomsRepository(trx).lockById(actor.siteId, roomId);
    if (!room) throw new AppError('not_found', 'No such room');
    const repo = membershipRepository(trx);
    const actorMembership = await repo.get(room.id, actor.id);
    assertRoomPermission(actorMembership, action, actor, room);
    const user = await usersRepository(trx).findById(actor.siteId, targetUserId);
    if (!user) throw new AppError('not_found', 'No such user');
    if (user.id === actor.id) throw new AppError('forbidden', 'You cannot do this to yourself');
    const target = await repo.get(room.id, user.id);
    const targetIsAdmin = user.roles.includes('ROLE_ADMIN');
    if (!isSiteAdmin(actor)) {
      if (targetIsAdmin) throw new AppError('forbidden', 'Site admins cannot be moderated by room members');
      if (isActiveMember(target) && !outranks(actorMembership!.role, target.role)) {
        throw new AppError('forbidden', `A ${actorMembership!.role} cannot act on a ${target.role}`);
      }
    }
    return { room, actor: actorMembership, target, targetIsAdmin };
  }

  function requireActive(t: Target): Membership {
    if (!isActiveMember(t.target)) throw new AppError('not_found', 'That user is not a member of this room');
    return t.target;
  }

  async function memberOrThrow(trx: Database, roomId: string, userId: string): Promise<RoomMember> {
    const member = await membershipRepository(trx).findMember(roomId, userId);
    if (!member) throw new AppError('not_found', 'That user is not a member of this room');
    return memberView(member);
  }

  const updated = (room: Room, m: Membership) =>
    events.emit('member_updated', {
      siteId: room.siteId,
      roomId: room.id,
      userId: m.userId,
      role: m.role,
      mutedUntil: m.mutedUntil,
    });

  return {
    /**
     * Members in join order (anyone who may view the room), or with `status: 'banned'` the ban list
     * (moderators, the owner, site admins). Keyset pages with signed cursors bound to the room.
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
      assertRoomPermission(membership, banned ? 'moderate' : 'view', user, room);
      const scope = `${room.siteId}:${room.id}:${query.status}`;
      let after: { joinedAt: string; userId: string } | { userId: string } | undefined;
      if (query.cursor !== undefined) {
        if (banned) after = { userId: cursors.decode(scope, query.cursor, bannedCursor).u };
        else {
          const c = cursors.decode(scope, query.cursor, activeCursor);
          after = { joinedAt: c.j, userId: c.u };
        }
      }
      const rows = await memberships.listMembers(room.id, { limit: query.limit + 1, banned, after });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      let nextCursor: string | null = null;
      if (rows.length > query.limit && last) {
        nextCursor = cursors.encode(
          scope,
          banned ? { u: last.userId } : { j: last.joinedAtExact, u: last.userId },
        );
      }
      return { items: page.map(memberView), nextCursor };
    },

    /** One member of a room (anyone who may view the room). */
    async get(user: AuthUser, roomId: string, userId: string): Promise<RoomMember> {
      const room = await rooms.findById(user.siteId, roomId);
      if (!room) throw new AppError('not_found', 'No such room');
      assertRoomPermission(await memberships.get(room.id, user.id), 'view', user, room);
      const member = await memberships.findMember(room.id, userId);
      if (!isActiveMember(member)) throw new AppError('not_found', 'That user is not a member of this room');
      return memberView(member!);
    },

    /** Mutes a member for `minutes`: they stay in the room but cannot send. */
    async mute(user: AuthUser, roomId: string, targetUserId: string, minutes: number): Promise<RoomMember> {
      const { room, member, view } = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate');
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
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate');
        requireActive(t);
        const m = (await membershipRepository(trx).setMutedUntil(t.room.id, targetUserId, null))!;
        return { room: t.room, member: m, view: await memberOrThrow(trx, t.room.id, targetUserId) };
      });
      updated(room, member);
      return view;
    },

    /** Removes a member; they may join again (unlike a ban). */
    async kick(user: AuthUser, roomId: string, targetUserId: string): Promise<void> {
      const room = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate');
        const target = requireActive(t);
        if (target.role === 'owner') {
          throw new AppError('conflict', 'The owner cannot be removed; transfer ownership first');
        }
        await membershipRepository(trx).remove(t.room.id, targetUserId);
        await roomsRepository(trx).adjustMemberCount(t.room.id, -1);
        return t.room;
      });
      events.emit('member_left', {
        siteId: room.siteId,
        roomId: room.id,
        userId: targetUserId,
        reason: 'kicked',
      });
    },

    /**
     * Bans a user of the site from the room: a member is removed and cannot rejoin; a non-member is kept
     * from joining. Banning someone already banned changes nothing.
     */
    async ban(user: AuthUser, roomId: string, targetUserId: string): Promise<void> {
      const outcome = await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate');
        if (t.target?.role === 'owner' && !t.target.bannedAt) {
          throw new AppError('conflict', 'The owner cannot be banned; transfer ownership first');
        }
        const wasMember = isActiveMember(t.target);
        await membershipRepository(trx).ban(t.room.id, targetUserId);
        if (wasMember) await roomsRepository(trx).adjustMemberCount(t.room.id, -1);
        return { room: t.room, wasMember };
      });
      if (outcome.wasMember) {
        events.emit('member_left', {
          siteId: outcome.room.siteId,
          roomId: outcome.room.id,
          userId: targetUserId,
          reason: 'banned',
        });
      }
    },

    /** Lifts a ban; the user may join again (they are not re-added). Unbanning a non-banned user is a no-op. */
    async unban(user: AuthUser, roomId: string, targetUserId: string): Promise<void> {
      await db.transaction(async (trx) => {
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'moderate');
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
        const t = await resolveTarget(trx, user, roomId, targetUserId, 'manage_roles');
        const target = requireActive(t);
        const repo = membershipRepository(trx);
        const changes: Membership[] = [];
        if (target.role === role) {
          // Nothing to change.
        } else if (role === 'owner') {
          const previous = await repo.setRole(t.room.id, t.room.ownerId, 'moderator');
          if (previous) changes.push(previous);
          changes.push((await repo.setRole(t.room.id, targetUserId, 'owner'))!);
          await roomsRepository(trx).update(t.room.id, { ownerId: targetUserId });
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
