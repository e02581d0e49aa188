/**
 * All SQL about room memberships (`room_members`). Every function takes ids that were already resolved
 * against the request's site (see `roomsRepository(db).findById(siteId, roomId)`); `db` may be a transaction.
 *
 * A row with `banned_at` set is a ban, not a membership: it keeps the user from rejoining. "Active" below
 * means a row without `banned_at`.
 */
import type { Knex } from 'knex';
import type { RoomRole, UserKind } from '@synctalk/sdk';
import { toRoom, type Room, type RoomRow } from './rooms.repository.js';
import { isId } from '@synctalk/sdk/schemas';

/** One user's membership of one room. */
export interface Membership {
  roomId: string;
  userId: string;
  role: RoomRole;
  /** Sequence number of the last message the member has read; decimal string. */
  lastReadSeq: string;
  /** Muted until this time (cannot send); null or in the past: not muted. */
  mutedUntil: Date | null;
  /** Set when the user is banned; such a row is not an active membership. */
  bannedAt: Date | null;
  joinedAt: Date;
}

/** A membership with the member's public profile, for member lists. */
export interface MemberWithUser extends Membership {
  user: {
    id: string;
    username: string | null;
    displayName: string;
    avatarUrl: string | null;
    kind: UserKind;
  };
  /** `joined_at` with microseconds, as keyset cursors need it. */
  joinedAtExact: string;
}

/** One of a user's rooms with their membership. */
export interface RoomWithMembership {
  room: Room;
  membership: Membership;
}

interface MemberRow {
  room_id: string | number;
  user_id: string | number;
  role: RoomRole;
  last_read_seq: string | number;
  muted_until: Date | null;
  banned_at: Date | null;
  joined_at: Date;
}

const MEMBER_COLUMNS = [
  'room_id',
  'user_id',
  'role',
  'last_read_seq',
  'muted_until',
  'banned_at',
  'joined_at',
] as const;

function toMembership(row: MemberRow): Membership {
  return {
    roomId: String(row.room_id),
    userId: String(row.user_id),
    role: row.role,
    lastReadSeq: String(row.last_read_seq),
    mutedUntil: row.muted_until,
    bannedAt: row.banned_at,
    joinedAt: row.joined_at,
  };
}

// joined_at to the microsecond in UTC: JavaScript dates stop at milliseconds, cursors must not.
const JOINED_EXACT = `to_char(m.joined_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

interface MemberUserRow extends MemberRow {
  joined_exact: string;
  username: string | null;
  display_name: string;
  avatar_url: string | null;
  kind: UserKind;
}

function toMemberWithUser(row: MemberUserRow): MemberWithUser {
  return {
    ...toMembership(row),
    joinedAtExact: row.joined_exact,
    user: {
      id: String(row.user_id),
      username: row.username,
      displayName: row.display_name,
      avatarUrl: row.avatar_url,
      kind: row.kind,
    },
  };
}

/** Membership queries over `db` (the pool or a transaction). */
export function membershipRepository(db: Knex) {
  const memberSelect = () =>
    db
      .select(
        ...MEMBER_COLUMNS.map((c) => `m.${c}`),
        db.raw(`${JOINED_EXACT} AS joined_exact`),
        'u.username',
        'u.display_name',
        'u.avatar_url',
        'u.kind',
      )
      .from('room_members as m')
      .join('users as u', 'u.id', 'm.user_id');

  return {
    /**
     * The row for `userId` in `roomId`, banned or not; undefined when there is none. Callers tell a ban
     * (`bannedAt` set) from "not a member" (undefined).
     */
    async get(roomId: string, userId: string): Promise<Membership | undefined> {
      if (!isId(roomId) || !isId(userId)) return undefined;
      const row = await db<MemberRow>('room_members')
        .where({ room_id: roomId, user_id: userId })
        .first(...MEMBER_COLUMNS);
      return row && toMembership(row as MemberRow);
    },

    /**
     * The live room `roomId` of `siteId` and `userId`'s row in it (banned or not), in one query: what every
     * room permission check needs. Undefined for another site's room, a deleted room or a bad id.
     */
    async findRoomFor(
      siteId: string,
      roomId: string,
      userId: string,
    ): Promise<{ room: Room; membership?: Membership } | undefined> {
      if (!isId(roomId) || !isId(userId)) return undefined;
      const row = (await db
        .select('r.*', ...MEMBER_COLUMNS.filter((c) => c !== 'room_id').map((c) => `m.${c} as m_${c}`))
        .from('rooms as r')
        .leftJoin('room_members as m', (on) => on.on('m.room_id', 'r.id').andOnVal('m.user_id', userId))
        .where({ 'r.id': roomId, 'r.site_id': siteId })
        .whereNull('r.deleted_at')
        .first()) as
        | (RoomRow & {
            [K in Exclude<(typeof MEMBER_COLUMNS)[number], 'room_id'> as `m_${K}`]: MemberRow[K] | null;
          })
        | undefined;
      if (!row) return undefined;
      const room = toRoom(row);
      if (row.m_user_id === null) return { room };
      return {
        room,
        membership: toMembership({
          room_id: row.id,
          user_id: row.m_user_id,
          role: row.m_role!,
          last_read_seq: row.m_last_read_seq!,
          muted_until: row.m_muted_until,
          banned_at: row.m_banned_at,
          joined_at: row.m_joined_at!,
        }),
      };
    },

    /** Ids of the live rooms `userId` is an active member of, newest room first. */
    async listUserRoomIds(userId: string): Promise<string[]> {
      if (!isId(userId)) return [];
      const rows = await db
        .select<{ room_id: string }[]>('m.room_id')
        .from('room_members as m')
        .join('rooms as r', 'r.id', 'm.room_id')
        .where('m.user_id', userId)
        .whereNull('m.banned_at')
        .whereNull('r.deleted_at')
        .orderBy('m.room_id', 'desc');
      return rows.map((r) => String(r.room_id));
    },

    /** Which of `roomIds` `userId` is an active member of. */
    async activeRoomIdsAmong(userId: string, roomIds: string[]): Promise<Set<string>> {
      if (roomIds.length === 0 || !isId(userId)) return new Set();
      const rows = await db<MemberRow>('room_members')
        .select('room_id')
        .where('user_id', userId)
        .whereIn('room_id', roomIds)
        .whereNull('banned_at');
      return new Set(rows.map((r) => String(r.room_id)));
    },

    /**
     * Moves the read marker forward to `seq` (never backwards, never past the room's last message).
     * Returns the stored marker, or undefined when the user is not an active member.
     */
    async markRead(roomId: string, userId: string, seq: string): Promise<string | undefined> {
      if (!isId(roomId) || !isId(userId) || !/^\d{1,18}$/.test(seq)) return undefined;
      const result = await db.raw<{ rows: { last_read_seq: string }[] }>(
        `UPDATE room_members m
            SET last_read_seq = GREATEST(m.last_read_seq, LEAST(?::bigint, r.last_seq))
           FROM rooms r
          WHERE r.id = m.room_id AND m.room_id = ? AND m.user_id = ? AND m.banned_at IS NULL
          RETURNING m.last_read_seq`,
        [seq, roomId, userId],
      );
      const row = result.rows[0];
      return row && String(row.last_read_seq);
    },

    /** Adds an active member; undefined when a row (membership or ban) already exists. */
    async insert(roomId: string, userId: string, role: RoomRole): Promise<Membership | undefined> {
      const rows = await db<MemberRow>('room_members')
        .insert({ room_id: roomId, user_id: userId, role })
        .onConflict(['room_id', 'user_id'])
        .ignore()
        .returning([...MEMBER_COLUMNS]);
      return rows[0] && toMembership(rows[0] as MemberRow);
    },

    /** Deletes the row (membership or ban); true when there was one. */
    async remove(roomId: string, userId: string): Promise<boolean> {
      return (await db('room_members').where({ room_id: roomId, user_id: userId }).delete()) > 0;
    },

    async setRole(roomId: string, userId: string, role: RoomRole): Promise<Membership | undefined> {
      const [row] = await db<MemberRow>('room_members')
        .where({ room_id: roomId, user_id: userId })
        .whereNull('banned_at')
        .update({ role })
        .returning([...MEMBER_COLUMNS]);
      return row && toMembership(row as MemberRow);
    },

    async setMutedUntil(roomId: string, userId: string, until: Date | null): Promise<Membership | undefined> {
      const [row] = await db<MemberRow>('room_members')
        .where({ room_id: roomId, user_id: userId })
        .whereNull('banned_at')
        .update({ muted_until: until })
        .returning([...MEMBER_COLUMNS]);
      return row && toMembership(row as MemberRow);
    },

    /**
     * Bans `userId` from `roomId`: an existing membership becomes a ban (role back to member, mute
     * cleared); a user who never joined gets a ban row so they cannot join later.
     */
    async ban(roomId: string, userId: string): Promise<Membership> {
      const result = await db.raw<{ rows: MemberRow[] }>(
        `INSERT INTO room_members (room_id, user_id, role, banned_at)
         VALUES (?, ?, 'member', now())
         ON CONFLICT (room_id, user_id)
         DO UPDATE SET banned_at = COALESCE(room_members.banned_at, now()), role = 'member', muted_until = NULL
         RETURNING ${MEMBER_COLUMNS.join(', ')}`,
        [roomId, userId],
      );
      return toMembership(result.rows[0]!);
    },

    /** Who inherits the room when its owner leaves: the longest-standing moderator, else member. */
    async successorOf(roomId: string, ownerId: string): Promise<Membership | undefined> {
      const row = await db<MemberRow>('room_members')
        .where('room_id', roomId)
        .whereNot('user_id', ownerId)
        .whereNull('banned_at')
        .orderByRaw(`(role = 'moderator') DESC, joined_at ASC, user_id ASC`)
        .first(...MEMBER_COLUMNS);
      return row && toMembership(row as MemberRow);
    },

    /** The row of `userId` in `roomId` (banned or not) with the user's profile. */
    async findMember(roomId: string, userId: string): Promise<MemberWithUser | undefined> {
      if (!isId(roomId) || !isId(userId)) return undefined;
      const rows = await memberSelect().where({ 'm.room_id': roomId, 'm.user_id': userId });
      return rows[0] && toMemberWithUser(rows[0] as MemberUserRow);
    },

    /**
     * Active members in join order, keyset-paginated on (joined_at, user_id) — the partial index
     * `room_members_room_joined` — or, with `banned`, the ban list by user id (the primary key).
     */
    async listMembers(
      roomId: string,
      options: {
        limit: number;
        banned?: boolean;
        after?: { joinedAt: string; userId: string } | { userId: string };
      },
    ): Promise<MemberWithUser[]> {
      const q = memberSelect().where('m.room_id', roomId).limit(options.limit);
      const after = options.after;
      if (options.banned) {
        q.whereNotNull('m.banned_at').orderBy('m.user_id', 'asc');
        if (after) q.where('m.user_id', '>', after.userId);
      } else {
        q.whereNull('m.banned_at').orderBy([
          { column: 'm.joined_at', order: 'asc' },
          { column: 'm.user_id', order: 'asc' },
        ]);
        if (after && 'joinedAt' in after) {
          q.whereRaw('(m.joined_at, m.user_id) > (?::timestamptz, ?::bigint)', [
            after.joinedAt,
            after.userId,
          ]);
        }
      }
      return ((await q) as MemberUserRow[]).map(toMemberWithUser);
    },

    /**
     * A user's live rooms with their membership, newest room first, keyset on room id: walks the
     * `room_members_user` index (user_id, room_id DESC) and joins each room by primary key.
     */
    async listMyRooms(
      userId: string,
      options: { limit: number; beforeRoomId?: string },
    ): Promise<RoomWithMembership[]> {
      const q = db
        .select(
          'r.*',
          'm.role as m_role',
          'm.last_read_seq as m_last_read_seq',
          'm.muted_until as m_muted_until',
          'm.joined_at as m_joined_at',
        )
        .from('room_members as m')
        .join('rooms as r', 'r.id', 'm.room_id')
        .where('m.user_id', userId)
        .whereNull('m.banned_at')
        .whereNull('r.deleted_at')
        .orderBy('m.room_id', 'desc')
        .limit(options.limit);
      if (options.beforeRoomId) q.where('m.room_id', '<', options.beforeRoomId);
      const rows = (await q) as (RoomRow & {
        m_role: RoomRole;
        m_last_read_seq: string;
        m_muted_until: Date | null;
        m_joined_at: Date;
      })[];
      return rows.map((row) => ({
        room: toRoom(row),
        membership: {
          roomId: String(row.id),
          userId,
          role: row.m_role,
          lastReadSeq: String(row.m_last_read_seq),
          mutedUntil: row.m_muted_until,
          bannedAt: null,
          joinedAt: row.m_joined_at,
        },
      }));
    },
  };
}

export type MembershipRepository = ReturnType<typeof membershipRepository>;
