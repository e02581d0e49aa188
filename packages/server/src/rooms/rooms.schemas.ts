/** zod schemas of the rooms API: request validation and the OpenAPI document. */
import { z } from 'zod';
import { id, queryInt, text } from '../platform/schemas.js';
import { MAX_CURSOR_LENGTH } from './cursor.js';

export const TITLE_MAX = 100;
export const DESCRIPTION_MAX = 2000;
export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 20;
/** Deepest offset the offset mode accepts; deeper pages are what keyset cursors are for. */
export const OFFSET_MAX = 10_000_000;
/** Longest mute: one year. */
export const MUTE_MINUTES_MAX = 525_600;

const visibility = z.enum(['public', 'private']);
const title = text({ max: TITLE_MAX });
const description = text({ min: 0, max: DESCRIPTION_MAX, multiline: true });
const limit = queryInt({ min: 1, max: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT });
const cursor = z.string().min(1).max(MAX_CURSOR_LENGTH);

export const createRoomBody = z.strictObject({
  title,
  description: description.optional(),
  visibility,
});

export const updateRoomBody = z
  .strictObject({
    title: title.optional(),
    description: description.optional(),
    visibility: visibility.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'give at least one of title, description, visibility',
  });

export const joinByCodeBody = z.strictObject({
  code: z.string().max(32),
});

export const muteBody = z.strictObject({
  minutes: z.number().int().min(1).max(MUTE_MINUTES_MAX),
});

/** Kick and ban: optionally rotate the room's join code in the same change. */
export const removalBody = z.strictObject({
  rotateCode: z.boolean().optional(),
});

export const updateMemberBody = z.strictObject({
  role: z.enum(['owner', 'moderator', 'member']),
});

export const roomParams = z.strictObject({ id });
export const memberParams = z.strictObject({ id, userId: id });

/**
 * `GET /v1/rooms`: keyset mode (`cursor`, default) or offset mode (`offset`), not both.
 */
export const directoryQuery = z
  .strictObject({
    limit,
    sort: z.enum(['newest', 'title']).default('newest'),
    cursor: cursor.optional(),
    offset: queryInt({ min: 0, max: OFFSET_MAX }).optional(),
  })
  .refine((q) => !(q.cursor !== undefined && q.offset !== undefined), {
    message: 'use either cursor (keyset pages) or offset (offset pages), not both',
    path: ['offset'],
  });

export const pageQuery = z.strictObject({ limit, cursor: cursor.optional() });

export const membersQuery = z.strictObject({
  limit,
  cursor: cursor.optional(),
  /** `banned`: the ban list (moderators, owner and site admins only). */
  status: z.enum(['active', 'banned']).default('active'),
});

const isoDate = z.string();

export const roomResponse = z.object({
  id: z.string(),
  code: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  visibility,
  ownerId: z.string(),
  memberCount: z.number(),
  lastSeq: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export const myRoomResponse = roomResponse.extend({
  role: z.enum(['owner', 'moderator', 'member']),
  lastReadSeq: z.string(),
  unreadCount: z.number(),
  mutedUntil: isoDate.nullable(),
  joinedAt: isoDate,
});

export const memberResponse = z.object({
  user: z.object({
    id: z.string(),
    username: z.string().nullable(),
    displayName: z.string(),
    avatarUrl: z.string().nullable(),
    kind: z.string(),
  }),
  role: z.enum(['owner', 'moderator', 'member']),
  joinedAt: isoDate,
  mutedUntil: isoDate.nullable(),
  bannedAt: isoDate.nullable(),
});

export const roomPageResponse = z.union([
  z.object({ items: z.array(roomResponse), nextCursor: z.string().nullable() }),
  z.object({ items: z.array(roomResponse), total: z.number() }),
]);
export const myRoomPageResponse = z.object({
  items: z.array(myRoomResponse),
  nextCursor: z.string().nullable(),
});
export const memberPageResponse = z.object({
  items: z.array(memberResponse),
  nextCursor: z.string().nullable(),
});
