/**
 * All SQL about rooms, and the per-site public room counter (`sites.public_room_count`) that room writes
 * maintain in their own transaction. Lookups are scoped to a site and skip deleted rooms: another site's
 * room and a deleted room are the same thing to callers, absent.
 *
 * The directory (public, live rooms of one site) has two page modes, both served by the partial indexes of
 * migration 0002 (`rooms_directory_newest` on (site_id, id DESC), `rooms_directory_title` on
 * (site_id, title_sort, id)):
 * - keyset: `WHERE (sort key) after the cursor ORDER BY sort key LIMIT n`, cost independent of depth;
 * - offset: a deferred join, where an index-only subquery picks the page's ids with OFFSET/LIMIT and only
 *   those rows are read from the table; `total` comes from the maintained counter, not COUNT(*).
 */
import type { Knex } from 'knex';
import type { RoomSort, RoomVisibility } from '@synctalk/sdk';
import { isId } from '@synctalk/sdk/schemas';

/** A live room as the server sees it. */
export interface Room {
  id: string;
  siteId: string;
  code: string;
  title: string;
  description: string;
  visibility: RoomVisibility;
  ownerId: string;
  memberCount: number;
  /** Sequence number of the latest message; decimal string. */
  lastSeq: string;
  /** When the latest message was sent (its `createdAt`); null before the first. Edits and deletions keep it. */
  lastMessageAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A directory row: the room plus its sort key (for cursors). */
export interface DirectoryRoom extends Room {
  titleSort: string;
}

export interface RoomRow {
  id: string | number;
  site_id: string | number;
  code: string;
  title: string;
  description: string;
  visibility: RoomVisibility;
  owner_id: string | number;
  member_count: number;
  last_seq: string | number;
  last_message_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  title_sort: string;
}

export function toRoom(row: RoomRow): Room {
  return {
    id: String(row.id),
    siteId: String(row.site_id),
    code: row.code,
    title: row.title,
    description: row.description,
    visibility: row.visibility,
    ownerId: String(row.owner_id),
    memberCount: Number(row.member_count),
    lastSeq: String(row.last_seq),
    lastMessageAt: row.last_message_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDirectoryRoom(row: RoomRow): DirectoryRoom {
  return { ...toRoom(row), titleSort: row.title_sort };
}

/** The rows the directory lists; the partial indexes' predicate, word for word. */
export const DIRECTORY = `deleted_at IS NULL AND visibility = 'public'`;

/** Who asks for a room's head: a connection's user, in the site it connected to. */
export interface HeadReader {
  roomId: string;
  userId: string;
  siteId: string;
  /** A site admin may read every room of their site, member or not. */
  siteAdmin: boolean;
}

/** Where a keyset page starts: after this room in the given sort. */
export type DirectoryKey = { sort: 'newest'; id: string } | { sort: 'title'; titleSort: string; id: string };

export function roomsRepository(db: Knex) {
  const rooms = () => db<RoomRow>('rooms');

  /** The exact number of public live rooms of the site (the maintained counter). */
  async function publicRoomCount(siteId: string): Promise<number> {
    const row = await db('sites')
      .where({ id: siteId })
      .first<{ public_room_count: string }>('public_room_count');
    return row ? Number(row.public_room_count) : 0;
  }

  /**
   * The offset page as one SQL statement: the deferred join. The subquery reads only index columns
   * (an Index Only Scan on the partial index once the visibility map is set), so skipping `offset` rows
   * touches index pages only; the outer join then fetches just `limit` rooms by primary key.
   * Returned unexecuted so tests can EXPLAIN exactly what the server runs.
   */
  function directoryOffsetQuery(
    siteId: string,
    options: { sort: RoomSort; offset: number; limit: number },
  ): Knex.Raw {
    if (options.sort === 'newest') {
      return db.raw(
        `SELECT r.* FROM (
           SELECT id FROM rooms
            WHERE site_id = ? AND ${DIRECTORY}
            ORDER BY id DESC OFFSET ? LIMIT ?
         ) AS page
         JOIN rooms r ON r.id = page.id
         ORDER BY page.id DESC`,
        [siteId, options.offset, options.limit],
      );
    }
    return db.raw(
      `SELECT r.* FROM (
         SELECT title_sort, id FROM rooms
          WHERE site_id = ? AND ${DIRECTORY}
          ORDER BY title_sort, id OFFSET ? LIMIT ?
       ) AS page
       JOIN rooms r ON r.id = page.id
       ORDER BY page.title_sort, page.id`,
      [siteId, options.offset, options.limit],
    );
  }

  return {
    /** The live room `roomId` of `siteId`; undefined for another site's room, a deleted room or a bad id. */
    async findById(siteId: string, roomId: string): Promise<Room | undefined> {
      if (!isId(roomId)) return undefined;
      const row = await rooms().where({ id: roomId, site_id: siteId }).whereNull('deleted_at').first();
      return row && toRoom(row as RoomRow);
    },

    /**
     * Like `findById`, but locks the row until the transaction ends (`db` must be a transaction), so
     * membership changes and counters of one room are serialised. FOR NO KEY UPDATE does not block
     * inserts that reference the room (messages, members).
     */
    async lockById(siteId: string, roomId: string): Promise<Room | undefined> {
      if (!isId(roomId)) return undefined;
      const row = await rooms()
        .where({ id: roomId, site_id: siteId })
        .whereNull('deleted_at')
        .forNoKeyUpdate()
        .first();
      return row && toRoom(row as RoomRow);
    },

    /** The live room with join code `code` in `siteId`, locked like `lockById`. */
    async lockByCode(siteId: string, code: string): Promise<Room | undefined> {
      const row = await rooms()
        .where({ site_id: siteId, code })
        .whereNull('deleted_at')
        .forNoKeyUpdate()
        .first();
      return row && toRoom(row as RoomRow);
    },

    /** Inserts a room; undefined when `code` is already taken in the site (the caller draws another). */
    async insert(input: {
      siteId: string;
      code: string;
      title: string;
      description: string;
      visibility: RoomVisibility;
      ownerId: string;
      memberCount: number;
    }): Promise<Room | undefined> {
      const rows = await rooms()
        .insert({
          site_id: input.siteId,
          code: input.code,
          title: input.title,
          description: input.description,
          visibility: input.visibility,
          owner_id: input.ownerId,
          member_count: input.memberCount,
        })
        .onConflict(['site_id', 'code'])
        .ignore()
        .returning('*');
      return rows[0] && toRoom(rows[0] as RoomRow);
    },

    async update(
      roomId: string,
      patch: { title?: string; description?: string; visibility?: RoomVisibility; ownerId?: string },
    ): Promise<Room> {
      const values: Record<string, unknown> = { updated_at: db.fn.now() };
      if (patch.title !== undefined) values.title = patch.title;
      if (patch.description !== undefined) values.description = patch.description;
      if (patch.visibility !== undefined) values.visibility = patch.visibility;
      if (patch.ownerId !== undefined) values.owner_id = patch.ownerId;
      const [row] = await rooms().where({ id: roomId }).update(values).returning('*');
      return toRoom(row as RoomRow);
    },

    /**
     * Gives the room the join code `code`, in a savepoint of `db` (a transaction, with the room locked):
     * undefined when `code` is already taken in the site, and the transaction stays usable (the caller
     * draws another). The previous code matches no room from then on.
     */
    async replaceCode(roomId: string, code: string): Promise<Room | undefined> {
      try {
        return await db.transaction(async (savepoint) => {
          const [row] = await savepoint<RoomRow>('rooms')
            .where({ id: roomId })
            .update({ code, updated_at: savepoint.fn.now() })
            .returning('*');
          return toRoom(row as RoomRow);
        });
      } catch (error) {
        // unique_violation on (site_id, code)
        if ((error as { code?: string } | undefined)?.code === '23505') return undefined;
        throw error;
      }
    },

    /** Marks the room deleted: from then on every lookup treats it as absent. */
    async softDelete(roomId: string): Promise<void> {
      await rooms().where({ id: roomId }).whereNull('deleted_at').update({ deleted_at: db.fn.now() });
    },

    async adjustMemberCount(roomId: string, delta: number): Promise<Room> {
      const [row] = await rooms()
        .where({ id: roomId })
        .update({ member_count: db.raw('member_count + ?', [delta]) })
        .returning('*');
      return toRoom(row as RoomRow);
    },

    /** Adds `delta` to the site's public room count; call in the transaction that changed the rooms. */
    async adjustPublicRoomCount(siteId: string, delta: number): Promise<void> {
      if (delta === 0) return;
      await db('sites')
        .where({ id: siteId })
        .update({ public_room_count: db.raw('public_room_count + ?', [delta]) });
    },

    publicRoomCount,

    /**
     * The site's public room count, with the site row locked until the transaction ends (`db` must be a
     * transaction): writers that decide from the count ("no public room yet") are serialised per site.
     * Undefined for an unknown site.
     */
    async lockPublicRoomCount(siteId: string): Promise<number | undefined> {
      const row = await db('sites')
        .where({ id: siteId })
        .forNoKeyUpdate()
        .first<{ public_room_count: string } | undefined>('public_room_count');
      return row ? Number(row.public_room_count) : undefined;
    },

    /**
     * A keyset page of the directory: up to `limit` rooms after `after` (from the start without it).
     * The condition on the sort key is a range condition on the partial index, so the page costs the same
     * at any depth.
     */
    async directoryKeyset(
      siteId: string,
      options: { sort: RoomSort; limit: number; after?: DirectoryKey },
    ): Promise<DirectoryRoom[]> {
      const q = rooms().where('site_id', siteId).whereRaw(DIRECTORY).limit(options.limit);
      const after = options.after;
      if (options.sort === 'newest') {
        q.orderBy('id', 'desc');
        if (after && after.sort === 'newest') q.where('id', '<', after.id);
      } else {
        q.orderBy([
          { column: 'title_sort', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]);
        if (after && after.sort === 'title') {
          q.whereRaw('(title_sort, id) > (?, ?::bigint)', [after.titleSort, after.id]);
        }
      }
      return ((await q) as RoomRow[]).map(toDirectoryRoom);
    },

    directoryOffsetQuery,

    async directoryOffset(
      siteId: string,
      options: { sort: RoomSort; offset: number; limit: number },
    ): Promise<{ rooms: Room[]; total: number }> {
      const [result, total] = await Promise.all([
        directoryOffsetQuery(siteId, options) as unknown as Promise<{ rows: RoomRow[] }>,
        publicRoomCount(siteId),
      ]);
      return { rooms: result.rows.map(toRoom), total };
    },

    /**
     * The head (`last_seq`) of each reader's room, in the order given, or undefined where the reader may
     * not read it (any more): another site's room, a deleted room, not a member, banned. The `read` rule of
     * `assertRoomPermission`, for any number of readers in one statement (arrays, so the number of bind
     * parameters stays at four), by primary key on both tables.
     */
    async readableHeads(readers: readonly HeadReader[]): Promise<(string | undefined)[]> {
      if (readers.length === 0) return [];
      const result = await db.raw<{ rows: { n: string | number; last_seq: string | number }[] }>(
        `SELECT j.n, r.last_seq
           FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::boolean[])
                WITH ORDINALITY AS j(room_id, user_id, site_id, site_admin, n)
           JOIN rooms r ON r.id = j.room_id AND r.site_id = j.site_id AND r.deleted_at IS NULL
           LEFT JOIN room_members m ON m.room_id = j.room_id AND m.user_id = j.user_id
          WHERE j.site_admin OR (m.user_id IS NOT NULL AND m.banned_at IS NULL)`,
        [
          readers.map((r) => r.roomId),
          readers.map((r) => r.userId),
          readers.map((r) => r.siteId),
          readers.map((r) => r.siteAdmin),
        ],
      );
      const heads = new Array<string | undefined>(readers.length).fill(undefined);
      for (const row of result.rows) heads[Number(row.n) - 1] = String(row.last_seq);
      return heads;
    },
  };
}

export type RoomsRepository = ReturnType<typeof roomsRepository>;
