/**
 * zod schemas of the realtime contract: every event of the `/chat` Socket.IO namespace, in both directions,
 * with its payload and acknowledgement, gathered into the maps the event types are derived from
 * (`clientEventSchemas()`, `clientEventAcks`, `serverEventSchemas`). Change a schema here and both the
 * server's handlers and the clients' socket types change with it.
 *
 * Every client event takes exactly one payload object (unknown fields are rejected) and answers through the
 * acknowledgement callback with either its result or `{ error: { code, message, details? } }`.
 */
import { z } from 'zod';
import { errorStatus, type ErrorCode } from '../protocol/errors.js';
import {
  editMessageBody,
  emoji,
  messageEnvelope,
  messageResponse,
  reactionResponse,
  readResponse,
  seq,
  sendMessageBody,
  type MessageLimits,
} from './messages.js';
import { id } from './primitives.js';
import { muteMinutes, myRoomResponse, roomResponse, roomRole } from './rooms.js';

/**
 * The body of every error response and every failed socket ack (`ErrorBody`).
 *
 * @example
 * ```ts
 * const parsed = errorBodySchema.safeParse(await res.json());
 * if (parsed.success) console.warn(parsed.data.error.code, parsed.data.error.message);
 * ```
 */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
  }),
});

const roomId = id;

// ---- client → server payloads ----------------------------------------------------------------------------

/**
 * `room:join`: the room, and optionally the last `seq` this client has.
 *
 * @example
 * ```ts
 * roomJoinPayload.parse({ roomId: '42', lastSeq: '318' });
 * ```
 */
export const roomJoinPayload = z.strictObject({
  roomId,
  /** The last `seq` this client has; the answer then carries what came after it. */
  lastSeq: seq.optional(),
});

/**
 * `room:leave`, `typing:start`, `typing:stop`.
 *
 * @example
 * ```ts
 * roomPayload.parse({ roomId: '42' });
 * ```
 */
export const roomPayload = z.strictObject({ roomId });

/**
 * `message:send`: `SendMessageRequest` plus the room. The text limit is the server's (`maxTextLength`).
 *
 * @example
 * ```ts
 * const schema = sendMessagePayload({ maxTextLength: 4000 });
 * ```
 */
export function sendMessagePayload(limits: MessageLimits = {}) {
  return z.strictObject({ roomId, ...sendMessageBody(limits).shape });
}

/**
 * `message:edit`: the author only.
 *
 * @example
 * ```ts
 * const schema = editMessagePayload({ maxTextLength: 4000 });
 * ```
 */
export function editMessagePayload(limits: MessageLimits = {}) {
  return z.strictObject({ roomId, messageId: id, ...editMessageBody(limits).shape });
}

/**
 * `message:delete`.
 *
 * @example
 * ```ts
 * messageRefPayload.parse({ roomId: '42', messageId: '1031' });
 * ```
 */
export const messageRefPayload = z.strictObject({ roomId, messageId: id });

/**
 * `reaction:add`, `reaction:remove`.
 *
 * @example
 * ```ts
 * reactionPayload.parse({ roomId: '42', messageId: '1031', emoji: '🎉' });
 * ```
 */
export const reactionPayload = z.strictObject({
  roomId,
  messageId: id,
  /** See `ReactionRequest.emoji`. */
  emoji,
});

/**
 * `read:update`.
 *
 * @example
 * ```ts
 * readUpdatePayload.parse({ roomId: '42', seq: '318' });
 * ```
 */
export const readUpdatePayload = z.strictObject({
  roomId,
  /** The latest `seq` the user has seen; at most the room's `lastSeq`. Moving backwards is ignored. */
  seq,
});

/**
 * `auth:refresh`.
 *
 * @example
 * ```ts
 * authRefreshPayload.parse({ token: accessToken });
 * ```
 */
export const authRefreshPayload = z.strictObject({
  /** A fresh access token of the same user and site. */
  token: z.string().min(1).max(4096),
});

/**
 * `member:mute`.
 *
 * @example
 * ```ts
 * memberMutePayload.parse({ roomId: '42', userId: '7', minutes: 60 });
 * ```
 */
export const memberMutePayload = z.strictObject({
  roomId,
  userId: id,
  /** 1 minute to 1 year (525,600 minutes). */
  minutes: muteMinutes,
});

/**
 * A member of a room.
 *
 * @example
 * ```ts
 * memberRefPayload.parse({ roomId: '42', userId: '7' });
 * ```
 */
export const memberRefPayload = z.strictObject({ roomId, userId: id });

/**
 * `member:kick` and `member:ban`.
 *
 * @example
 * ```ts
 * memberRemovalPayload.parse({ roomId: '42', userId: '7', rotateCode: true });
 * ```
 */
export const memberRemovalPayload = z.strictObject({
  roomId,
  userId: id,
  /** Also give the room a new join code, so the removed user cannot rejoin with the one they know. */
  rotateCode: z.boolean().optional(),
});

/**
 * Most rooms one `room:heads` request may name.
 *
 * @example
 * ```ts
 * for (let i = 0; i < roomIds.length; i += ROOM_HEADS_MAX) ask(roomIds.slice(i, i + ROOM_HEADS_MAX));
 * ```
 */
export const ROOM_HEADS_MAX = 1000;

/**
 * `room:heads` (the request).
 *
 * @example
 * ```ts
 * roomHeadsPayload.parse({ roomIds: ['42', '43'] });
 * ```
 */
export const roomHeadsPayload = z.strictObject({
  /**
   * Only these rooms (those this connection joined with `room:join`; others are left out); default: every
   * room it joined. At most `ROOM_HEADS_MAX`.
   */
  roomIds: z.array(roomId).max(ROOM_HEADS_MAX).optional(),
});

// ---- acknowledgements ------------------------------------------------------------------------------------

/**
 * Who is online in a room, counted per connection: a user with two tabs is online until the last closes.
 *
 * @example
 * ```ts
 * presenceState.parse({ roomId: '42', online: ['7', '9'], count: 2, version: '1767225600000001' });
 * ```
 */
export const presenceState = z.object({
  roomId: z.string(),
  /** Ids of online members (at most 500; `count` is exact). */
  online: z.array(z.string()),
  /** Number of online members. */
  count: z.number(),
  /**
   * The room's presence version, a decimal string (compare as `BigInt`, like seqs): every change of the
   * room's presence gets a larger one, taken atomically with the change, so of two states of a room the
   * one with the larger version is the newer, whichever arrived last (the `room:join` answer and the
   * broadcasts travel separately and may cross). Equal versions: the same state. The SDK's connection
   * reports a room's states only in increasing version (and takes one without it, from an older server, as
   * it comes).
   */
  version: z.string().regex(/^(0|[1-9]\d*)$/, 'must be a presence version (a decimal string)'),
});

/**
 * My membership as `room:join` reports it (the membership fields of `MyRoom`).
 *
 * @example
 * ```ts
 * const membership = joinedMembership.nullable().parse(ack.membership);
 * ```
 */
export const joinedMembership = myRoomResponse.pick({
  role: true,
  lastReadSeq: true,
  unreadCount: true,
  mutedUntil: true,
  joinedAt: true,
});

/**
 * The ack of `room:join`.
 *
 * @example
 * ```ts
 * const { room, messages, hasMore } = roomJoinResult.parse(ack);
 * ```
 */
export const roomJoinResult = z.object({
  room: roomResponse,
  /** My membership; `null` for a site admin watching a room they are not a member of. */
  membership: joinedMembership.nullable(),
  presence: presenceState,
  /**
   * Oldest first. With `lastSeq`: the messages after it (at most 200). Without: the latest 50.
   */
  messages: z.array(messageResponse),
  /**
   * With `lastSeq`: more messages after the last one returned exist (page on with
   * `GET /v1/rooms/:id/messages?after=`). Without: older messages exist (`?before=`).
   */
  hasMore: z.boolean(),
});

/**
 * The ack of events that answer nothing else.
 *
 * @example
 * ```ts
 * okResult.parse({ ok: true });
 * ```
 */
export const okResult = z.object({ ok: z.literal(true) });

/**
 * The ack of `auth:refresh`.
 *
 * @example
 * ```ts
 * const { expiresAt } = authRefreshResult.parse(ack);
 * ```
 */
export const authRefreshResult = z.object({
  /** When the new token expires (ISO 8601). */
  expiresAt: z.string(),
});

/**
 * The ack of `member:kick` and `member:ban`; `room` (with its new `code`) only with `rotateCode`.
 *
 * @example
 * ```ts
 * const { room } = memberRemovalResult.parse(ack); // room only with rotateCode
 * ```
 */
export const memberRemovalResult = okResult.extend({ room: roomResponse.optional() });

// ---- server → client payloads ----------------------------------------------------------------------------

/**
 * `message:updated`.
 *
 * @example
 * ```ts
 * const { messageId, text, editedAt } = messageUpdatedEvent.parse(event);
 * ```
 */
export const messageUpdatedEvent = z.object({
  roomId: z.string(),
  messageId: z.string(),
  seq: z.string(),
  text: z.string(),
  editedAt: z.string(),
});

/**
 * `message:deleted`.
 *
 * @example
 * ```ts
 * const { messageId, deletedAt } = messageDeletedEvent.parse(event);
 * ```
 */
export const messageDeletedEvent = z.object({
  roomId: z.string(),
  messageId: z.string(),
  seq: z.string(),
  deletedAt: z.string(),
});

/**
 * `typing`.
 *
 * @example
 * ```ts
 * typingEvent.parse({ roomId: '42', userId: '7', typing: true, expiresInMs: 5000 });
 * ```
 */
export const typingEvent = z.object({
  roomId: z.string(),
  userId: z.string(),
  typing: z.boolean(),
  /** When `typing`: forget it after this many ms unless renewed (covers a lost `typing: false`). */
  expiresInMs: z.number(),
});

/**
 * `read`.
 *
 * @example
 * ```ts
 * readEvent.parse({ roomId: '42', userId: '7', seq: '318' });
 * ```
 */
export const readEvent = z.object({ roomId: z.string(), userId: z.string(), seq: z.string() });

/**
 * `room:deleted`.
 *
 * @example
 * ```ts
 * roomDeletedEvent.parse({ roomId: '42' });
 * ```
 */
export const roomDeletedEvent = z.object({ roomId: z.string() });

/**
 * `member:removed`.
 *
 * @example
 * ```ts
 * memberRemovedEvent.parse({ roomId: '42', userId: '7', reason: 'kicked' });
 * ```
 */
export const memberRemovedEvent = z.object({
  roomId: z.string(),
  userId: z.string(),
  reason: z.enum(['left', 'kicked', 'banned']),
});

/**
 * `member:updated`.
 *
 * @example
 * ```ts
 * memberUpdatedEvent.parse({ roomId: '42', userId: '7', role: 'moderator', mutedUntil: null });
 * ```
 */
export const memberUpdatedEvent = z.object({
  roomId: z.string(),
  userId: z.string(),
  role: roomRole,
  mutedUntil: z.string().nullable(),
});

/**
 * `auth:expiring`.
 *
 * @example
 * ```ts
 * const { expiresAt, expiresInMs } = authExpiringEvent.parse(event);
 * ```
 */
export const authExpiringEvent = z.object({
  /** When the connection's token expires (ISO 8601); send `auth:refresh` before then. */
  expiresAt: z.string(),
  expiresInMs: z.number(),
});

/**
 * A room's head: the `seq` of its latest message (`"0"` in a room without messages).
 *
 * @example
 * ```ts
 * const { roomId, lastSeq } = roomHead.parse({ roomId: '42', lastSeq: '318' });
 * ```
 */
export const roomHead = z.object({ roomId: z.string(), lastSeq: z.string() });

/**
 * `room:heads`: the head of every room the connection joined (`room:join`) and may still read; sent
 * periodically by the server and as the ack of the `room:heads` request. A client whose last delivered `seq`
 * of a room is behind its head missed messages (a lost broadcast) and fetches them.
 *
 * @example
 * ```ts
 * const { rooms } = roomHeadsEvent.parse(event);
 * ```
 */
export const roomHeadsEvent = z.object({ rooms: z.array(roomHead) });

// ---- the contract maps -----------------------------------------------------------------------------------

/**
 * The payload schema of every client event, by event name. The message text limit is the server's
 * configuration (`maxTextLength`, MESSAGE_MAX_LENGTH).
 *
 * @example
 * ```ts
 * const schemas = clientEventSchemas({ maxTextLength: 4000 });
 * const payload = schemas['message:send'].parse(raw);
 * ```
 */
export function clientEventSchemas(limits: MessageLimits = {}) {
  return {
    'room:join': roomJoinPayload,
    'room:leave': roomPayload,
    'message:send': sendMessagePayload(limits),
    'message:edit': editMessagePayload(limits),
    'message:delete': messageRefPayload,
    'reaction:add': reactionPayload,
    'reaction:remove': reactionPayload,
    'typing:start': roomPayload,
    'typing:stop': roomPayload,
    'read:update': readUpdatePayload,
    'auth:refresh': authRefreshPayload,
    'member:mute': memberMutePayload,
    'member:kick': memberRemovalPayload,
    'member:ban': memberRemovalPayload,
    'room:heads': roomHeadsPayload,
  };
}

/**
 * The payload schemas of the client events, by event name.
 *
 * @example
 * ```ts
 * const schemas: ClientEventSchemas = clientEventSchemas({ maxTextLength: 4000 });
 * const payload = schemas['reaction:add'].parse(raw);
 * ```
 */
export type ClientEventSchemas = ReturnType<typeof clientEventSchemas>;

/**
 * A client event's name.
 *
 * @example
 * ```ts
 * const event: ClientEventName = 'message:send';
 * const payload = clientEventSchemas()[event].parse(raw);
 * ```
 */
export type ClientEventName = keyof ClientEventSchemas;

/**
 * What each client event acknowledges with when it succeeds, by event name (a failure is an `ErrorBody`).
 *
 * @example
 * ```ts
 * clientEventAcks['read:update'].shape.unreadCount;
 * ```
 */
export const clientEventAcks = {
  /**
   * Subscribes this connection to a room the user is a member of (membership itself is REST:
   * `POST /v1/rooms/:id/join`). Non-members get `forbidden`.
   */
  'room:join': roomJoinResult,
  /** Stops receiving a room's events on this connection (the membership stays). */
  'room:leave': okResult,
  /** Sends a message; the ack carries the stored message, then `message:new` reaches the room. */
  'message:send': messageEnvelope,
  /** Edits one of my messages. */
  'message:edit': messageEnvelope,
  /** Deletes a message: its author, or a room moderator/owner, or a site admin. */
  'message:delete': messageEnvelope,
  'reaction:add': reactionResponse,
  'reaction:remove': reactionResponse,
  /** "I am typing": repeat at least every 5 s while typing; the server expires it after 5 s without one. */
  'typing:start': okResult,
  'typing:stop': okResult,
  /** Moves my read marker forward (unread count = room `lastSeq` − marker). */
  'read:update': readResponse,
  /** Replaces the connection's token before it expires (after `auth:expiring`). */
  'auth:refresh': authRefreshResult,
  /** Moderators: mutes a member for `minutes`. */
  'member:mute': okResult,
  /** Moderators: removes a member (who may join again); `rotateCode` also replaces the room's join code. */
  'member:kick': memberRemovalResult,
  /**
   * Moderators: removes a member and keeps them out (site admins may also ban non-members); `rotateCode`
   * also replaces the room's join code.
   */
  'member:ban': memberRemovalResult,
  /**
   * The latest `seq` of the rooms this connection joined and may still read (rooms left, or that removed
   * the user, are not reported); the server also sends it as the `room:heads` event, periodically.
   */
  'room:heads': roomHeadsEvent,
} satisfies Record<ClientEventName, z.ZodType>;

/**
 * The payload schema of every event the server sends, by event name. Room events reach connections that
 * joined the room with `room:join`.
 *
 * @example
 * ```ts
 * serverEventSchemas['typing'].parse(event);
 * ```
 */
export const serverEventSchemas = {
  'message:new': messageResponse,
  'message:updated': messageUpdatedEvent,
  'message:deleted': messageDeletedEvent,
  'reaction:updated': reactionResponse,
  typing: typingEvent,
  presence: presenceState,
  read: readEvent,
  /** The room changed (title, description, visibility, owner or join code). */
  'room:updated': roomResponse,
  /** The room was deleted; the connection no longer receives its events. */
  'room:deleted': roomDeletedEvent,
  /** A member left or was removed; when it is me, this connection no longer receives the room's events. */
  'member:removed': memberRemovedEvent,
  /** A member's role or mute changed. */
  'member:updated': memberUpdatedEvent,
  /** The token expires soon (about 60 s before): refresh it and send `auth:refresh`. */
  'auth:expiring': authExpiringEvent,
  /**
   * The token expired without a refresh (`token_expired`) or the user's access ended: the server disconnects
   * right after this event. Reconnect with a fresh token.
   */
  'auth:expired': errorBodySchema,
  /**
   * The latest `seq` of each room this connection joined, sent every ROOM_HEADS_INTERVAL (30 s by default):
   * a room whose head is past the last message received lost a broadcast; fetch the rest over REST.
   */
  'room:heads': roomHeadsEvent,
};
