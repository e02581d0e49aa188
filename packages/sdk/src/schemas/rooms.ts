/**
 * zod schemas of rooms, memberships and the room directory: request validation, the OpenAPI document and
 * the SDK's types.
 *
 * Ids are decimal strings; sequence numbers (`lastSeq`, `lastReadSeq`) are decimal strings too, because they
 * are 64-bit in the database. Times are ISO 8601 strings.
 */
import { z } from 'zod';
import { userSchema } from './auth.js';
import { id, isoDate, queryInt, text } from './primitives.js';

/**
 * Longest room title, in characters.
 *
 * @example
 * ```ts
 * const fits = codePoints(title.trim()) <= TITLE_MAX;
 * ```
 */
export const TITLE_MAX = 100;
/**
 * Longest room description, in characters.
 *
 * @example
 * ```ts
 * counter.textContent = `${codePoints(description)} / ${DESCRIPTION_MAX}`;
 * ```
 */
export const DESCRIPTION_MAX = 2000;
/**
 * Largest page of the room lists.
 *
 * @example
 * ```ts
 * const page = await client.rooms.myRooms({ limit: PAGE_LIMIT_MAX });
 * ```
 */
export const PAGE_LIMIT_MAX = 100;
/**
 * The page size when `limit` is omitted.
 *
 * @example
 * ```ts
 * pageQuery.parse({}).limit === PAGE_LIMIT_DEFAULT; // true
 * ```
 */
export const PAGE_LIMIT_DEFAULT = 20;
/**
 * Deepest offset the offset mode accepts; deeper pages are what keyset cursors are for.
 *
 * @example
 * ```ts
 * const offset = Math.min(pageIndex * 20, OFFSET_MAX); // deeper: page with cursors
 * ```
 */
export const OFFSET_MAX = 10_000_000;
/**
 * Longest mute: one year.
 *
 * @example
 * ```ts
 * await client.rooms.mute('42', '7', MUTE_MINUTES_MAX); // one year
 * ```
 */
export const MUTE_MINUTES_MAX = 525_600;
/**
 * Longest page cursor a client may send back.
 *
 * @example
 * ```ts
 * const cursor = z.string().min(1).max(CURSOR_MAX_LENGTH).optional();
 * ```
 */
export const CURSOR_MAX_LENGTH = 1024;

/**
 * `public` rooms are listed in the directory and joinable by id; `private` rooms only by code.
 *
 * @example
 * ```ts
 * roomVisibility.options; // ['public', 'private']
 * ```
 */
export const roomVisibility = z.enum(['public', 'private']);
/**
 * A member's role in one room. Site-wide roles (`ROLE_ADMIN`) are on the user.
 *
 * @example
 * ```ts
 * roomRole.parse('moderator');
 * ```
 */
export const roomRole = z.enum(['owner', 'moderator', 'member']);
/**
 * Directory sort orders: `newest` (by creation, newest first) or `title` (A→Z, ignoring case).
 *
 * @example
 * ```ts
 * const sort = roomSort.catch('newest').parse(params.get('sort'));
 * ```
 */
export const roomSort = z.enum(['newest', 'title']);

const title = text({ max: TITLE_MAX });
const description = text({ min: 0, max: DESCRIPTION_MAX, multiline: true });
const limit = queryInt({ min: 1, max: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT });
const cursor = z.string().min(1).max(CURSOR_MAX_LENGTH);

/**
 * A mute's length: 1 minute to 1 year (525,600 minutes).
 *
 * @example
 * ```ts
 * muteMinutes.parse(60);
 * muteMinutes.safeParse(0).success; // false: 1 minute to 1 year
 * ```
 */
export const muteMinutes = z.number().int().min(1).max(MUTE_MINUTES_MAX);

/**
 * `POST /v1/rooms`.
 *
 * @example
 * ```ts
 * createRoomBody.parse({ title: ' General ', visibility: 'public' }); // title: 'General'
 * ```
 */
export const createRoomBody = z.strictObject({
  /** 1–100 characters, one line. */
  title,
  /** Up to 2000 characters; newlines allowed. */
  description: description.optional(),
  visibility: roomVisibility,
});

/**
 * `PATCH /v1/rooms/:id`: at least one field.
 *
 * @example
 * ```ts
 * updateRoomBody.parse({ description: 'Release notes and questions' });
 * updateRoomBody.safeParse({}).success; // false: give at least one field
 * ```
 */
export const updateRoomBody = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    visibility: roomVisibility.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'give at least one of title, description, visibility',
  });

/**
 * `POST /v1/rooms/join`: joins the room with this code (case and dashes/spaces ignored).
 *
 * @example
 * ```ts
 * joinByCodeBody.parse({ code: 'K7XM-4QPA' });
 * ```
 */
export const joinByCodeBody = z.strictObject({
  code: z.string().max(32),
});

/**
 * `POST /v1/rooms/:id/members/:userId/mute`.
 *
 * @example
 * ```ts
 * muteBody.parse({ minutes: 60 });
 * ```
 */
export const muteBody = z.strictObject({
  /** 1 minute to 1 year (525,600 minutes). */
  minutes: muteMinutes,
});

/**
 * `POST /v1/rooms/:id/members/:userId/kick` and `…/ban` (optional body). With `rotateCode: true` the room
 * also gets a new join code in the same change and the answer is the room with it (otherwise 204): a removed
 * user cannot come back with the code they know. `POST /v1/rooms/:id/code` rotates the code on its own.
 *
 * @example
 * ```ts
 * removalBody.parse({ rotateCode: true });
 * ```
 */
export const removalBody = z.strictObject({
  rotateCode: z.boolean().optional(),
});

/**
 * `PATCH /v1/rooms/:id/members/:userId` (room owner or site admin). `moderator`/`member` promote or demote;
 * `owner` transfers ownership, and the previous owner becomes a moderator.
 *
 * @example
 * ```ts
 * updateMemberBody.parse({ role: 'owner' }); // transfers ownership
 * ```
 */
export const updateMemberBody = z.strictObject({
  role: roomRole,
});

/**
 * The path params of `/v1/rooms/:id/…`.
 *
 * @example
 * ```ts
 * const { id } = roomParams.parse({ id: '42' });
 * ```
 */
export const roomParams = z.strictObject({ id });
/**
 * The path params of `/v1/rooms/:id/members/:userId/…`.
 *
 * @example
 * ```ts
 * const { id, userId } = memberParams.parse({ id: '42', userId: '7' });
 * ```
 */
export const memberParams = z.strictObject({ id, userId: id });

/**
 * `GET /v1/rooms`: keyset mode (`cursor`, default) or offset mode (`offset`), not both.
 *
 * @example
 * ```ts
 * directoryQuery.parse({ sort: 'title', limit: '50' }); // { limit: 50, sort: 'title' }
 * directoryQuery.safeParse({ cursor: 'abc', offset: '40' }).success; // false: not both
 * ```
 */
export const directoryQuery = z
  .strictObject({
    limit,
    sort: roomSort.default('newest'),
    cursor: cursor.optional(),
    offset: queryInt({ min: 0, max: OFFSET_MAX }).optional(),
  })
  .refine((q) => !(q.cursor !== undefined && q.offset !== undefined), {
    message: 'use either cursor (keyset pages) or offset (offset pages), not both',
    path: ['offset'],
  });

/**
 * The query of `GET /v1/me/rooms`: `limit` and the `cursor` of the previous page.
 *
 * @example
 * ```ts
 * pageQuery.parse({ limit: '50' }); // { limit: 50 }
 * ```
 */
export const pageQuery = z.strictObject({ limit, cursor: cursor.optional() });

/**
 * The query of `GET /v1/rooms/:id/members`: a keyset page of the active members or of the ban list.
 *
 * @example
 * ```ts
 * membersQuery.parse({ status: 'banned' }); // { limit: 20, status: 'banned' }
 * ```
 */
export const membersQuery = z.strictObject({
  limit,
  cursor: cursor.optional(),
  /** `banned`: the ban list (moderators, owner and site admins only). */
  status: z.enum(['active', 'banned']).default('active'),
});

/**
 * A room as every API returns it (`Room`).
 *
 * @example
 * ```ts
 * const room = roomResponse.parse(await res.json()); // GET /v1/rooms/42
 * ```
 */
export const roomResponse = z.object({
  id: z.string(),
  /**
   * The 8-character join code (letters and digits without look-alikes such as 0/O, 1/I/L). It is a join
   * secret for private rooms, so it is shown only to members and site admins; `null` for everyone else.
   */
  code: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  visibility: roomVisibility,
  ownerId: z.string(),
  /** Members, not counting banned users. */
  memberCount: z.number(),
  /** Sequence number of the room's latest message; `"0"` before the first one. */
  lastSeq: z.string(),
  /** When the room's latest message was sent; null before the first. Not changed by edits or deletions. */
  lastMessageAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/**
 * One of my rooms (`MyRoom`): the room plus my membership.
 *
 * @example
 * ```ts
 * const mine = myRoomResponse.parse(await res.json()); // POST /v1/rooms/42/join
 * ```
 */
export const myRoomResponse = roomResponse.extend({
  role: roomRole,
  lastReadSeq: z.string(),
  /** `lastSeq - lastReadSeq`: messages I have not read yet. */
  unreadCount: z.number(),
  /** Set while I am muted: until then I cannot send. */
  mutedUntil: isoDate.nullable(),
  joinedAt: isoDate,
});

/**
 * A member as the member list shows them (`RoomMember`).
 *
 * @example
 * ```ts
 * const member = memberResponse.parse(await res.json()); // GET /v1/rooms/42/members/7
 * ```
 */
export const memberResponse = z.object({
  user: userSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true, kind: true }),
  role: roomRole,
  joinedAt: isoDate,
  mutedUntil: isoDate.nullable(),
  /** Set only in the ban list (`?status=banned`). */
  bannedAt: isoDate.nullable(),
});

/**
 * A keyset page: pass `nextCursor` back as `?cursor=` for the next page; `null` at the end.
 *
 * @example
 * ```ts
 * const { items, nextCursor } = roomKeysetPageResponse.parse(await res.json());
 * ```
 */
export const roomKeysetPageResponse = z.object({
  items: z.array(roomResponse),
  nextCursor: z.string().nullable(),
});

/**
 * An offset page of the directory (`?offset=`): `total` is the exact number of public rooms.
 *
 * @example
 * ```ts
 * const { items, total } = roomOffsetPageResponse.parse(await res.json()); // GET /v1/rooms?offset=40
 * ```
 */
export const roomOffsetPageResponse = z.object({ items: z.array(roomResponse), total: z.number() });

/**
 * `GET /v1/rooms`: a keyset page, or an offset page with `?offset=`.
 *
 * @example
 * ```ts
 * const page = roomPageResponse.parse(await res.json());
 * if ('total' in page) showPager(page.total);
 * ```
 */
export const roomPageResponse = z.union([roomKeysetPageResponse, roomOffsetPageResponse]);

/**
 * `GET /v1/me/rooms`: a keyset page of my rooms with my membership (`MyRoomPage`).
 *
 * @example
 * ```ts
 * const { items, nextCursor } = myRoomPageResponse.parse(await res.json());
 * ```
 */
export const myRoomPageResponse = z.object({
  items: z.array(myRoomResponse),
  nextCursor: z.string().nullable(),
});

/**
 * `GET /v1/rooms/:id/members`: a keyset page of members (`RoomMemberPage`).
 *
 * @example
 * ```ts
 * const { items, nextCursor } = memberPageResponse.parse(await res.json());
 * ```
 */
export const memberPageResponse = z.object({
  items: z.array(memberResponse),
  nextCursor: z.string().nullable(),
});
