/**
 * The realtime contract: every event of the `/chat` Socket.IO namespace, in both directions, with its payload
 * and acknowledgement. The server types its namespace with these maps and clients type their socket with them:
 *
 * ```ts
 * import { io, type Socket } from 'socket.io-client';
 * import type { ClientToServerEvents, ServerToClientEvents } from '@synctalk/sdk';
 *
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${url}/chat`, {
 *   auth: { token: accessToken, site: 'st_…' },   // never in the query string
 *   transports: ['websocket'],
 * });
 * const res = await socket.emitWithAck('message:send', { roomId, clientMsgId: crypto.randomUUID(), text });
 * if ('error' in res) console.warn(res.error.code, res.error.message);
 * ```
 *
 * Every client event takes exactly one payload object (unknown fields are rejected) and answers through the
 * acknowledgement callback with either its result or `{ error: { code, message, details? } }`, the same error
 * shape as the REST API. The callback may be omitted; the event is still processed.
 */
import type { z } from 'zod';
import type {
  authExpiringEvent,
  authRefreshPayload,
  authRefreshResult,
  clientEventAcks,
  ClientEventSchemas,
  editMessagePayload,
  joinedMembership,
  memberMutePayload,
  memberRefPayload,
  memberRemovalPayload,
  memberRemovalResult,
  memberRemovedEvent,
  memberUpdatedEvent,
  messageDeletedEvent,
  messageRefPayload,
  messageUpdatedEvent,
  okResult,
  presenceState,
  reactionPayload,
  readEvent,
  readUpdatePayload,
  roomDeletedEvent,
  roomJoinPayload,
  roomJoinResult,
  roomPayload,
  sendMessagePayload,
  serverEventSchemas,
  typingEvent,
} from '../schemas/events.js';
import type { reactionResponse, readResponse } from '../schemas/messages.js';
import type { ErrorBody } from './errors.js';

/**
 * An acknowledgement: the result, or an error with the same shape as REST errors. Generic, so written by
 * hand; the event maps below fill it with the inferred results.
 */
export type Ack<T> = (response: T | ErrorBody) => void;

/** What the handshake sends in `auth` (Socket.IO's `auth` option). */
export interface ChatHandshakeAuth {
  /** The access token from any sign-in. The query string is refused: URLs end up in logs. */
  token: string;
  /** The site's public id (`st_…`); the default site when omitted. Must match the token's site. */
  site?: string;
}

/** Who is online in a room, counted per connection: a user with two tabs is online until the last closes. */
export type PresenceState = z.output<typeof presenceState>;

// ---- client → server payloads (what a client sends: the schemas' input side) ------------------------------

/** `room:join`. */
export type RoomJoinPayload = z.input<typeof roomJoinPayload>;

/** My membership as `room:join` reports it (the membership fields of `MyRoom`). */
export type JoinedMembership = z.output<typeof joinedMembership>;

/** The ack of `room:join`. */
export type RoomJoinResult = z.output<typeof roomJoinResult>;

/** `room:leave`, `typing:start`, `typing:stop`. */
export type RoomPayload = z.input<typeof roomPayload>;

/** `message:send`: `SendMessageRequest` plus the room. */
export type SendMessagePayload = z.input<ReturnType<typeof sendMessagePayload>>;

/** `message:edit`. */
export type EditMessagePayload = z.input<ReturnType<typeof editMessagePayload>>;

/** `message:delete`. */
export type MessageRefPayload = z.input<typeof messageRefPayload>;

/** `reaction:add`, `reaction:remove`. */
export type ReactionPayload = z.input<typeof reactionPayload>;

/** `read:update`. */
export type ReadUpdatePayload = z.input<typeof readUpdatePayload>;

/** The ack of `read:update` (and the answer of `POST /v1/rooms/:id/read`). */
export type ReadUpdateResult = z.output<typeof readResponse>;

/** `auth:refresh`. */
export type AuthRefreshPayload = z.input<typeof authRefreshPayload>;

/** The ack of `auth:refresh`. */
export type AuthRefreshResult = z.output<typeof authRefreshResult>;

/** `member:mute`. */
export type MemberMutePayload = z.input<typeof memberMutePayload>;

/** A member of a room. */
export type MemberRefPayload = z.input<typeof memberRefPayload>;

/** `member:kick` and `member:ban`. */
export type MemberRemovalPayload = z.input<typeof memberRemovalPayload>;

/** The ack of `member:kick` and `member:ban`; `room` (with its new `code`) only with `rotateCode`. */
export type MemberRemovalResult = z.output<typeof memberRemovalResult>;

/** The ack of events that answer nothing else. */
export type OkResult = z.output<typeof okResult>;

/**
 * Events a client sends, derived from the contract maps (`clientEventSchemas()` for payloads,
 * `clientEventAcks` for results). Each answers through its acknowledgement.
 */
export type ClientToServerEvents = {
  [E in keyof typeof clientEventAcks]: (
    payload: z.input<ClientEventSchemas[E]>,
    ack?: Ack<z.output<(typeof clientEventAcks)[E]>>,
  ) => void;
};

// ---- server → client payloads (what the server sends: the schemas' output side) ---------------------------

/** `message:updated`. */
export type MessageUpdatedEvent = z.output<typeof messageUpdatedEvent>;

/** `message:deleted`. */
export type MessageDeletedEvent = z.output<typeof messageDeletedEvent>;

/** `reaction:updated` (and the ack of `reaction:add` / `reaction:remove`). */
export type ReactionUpdatedEvent = z.output<typeof reactionResponse>;

/** `typing`. */
export type TypingEvent = z.output<typeof typingEvent>;

/** `read`. */
export type ReadEvent = z.output<typeof readEvent>;

/** `room:deleted`. */
export type RoomDeletedEvent = z.output<typeof roomDeletedEvent>;

/** `member:removed`. */
export type MemberRemovedEvent = z.output<typeof memberRemovedEvent>;

/** `member:updated`. */
export type MemberUpdatedEvent = z.output<typeof memberUpdatedEvent>;

/** `auth:expiring`. */
export type AuthExpiringEvent = z.output<typeof authExpiringEvent>;

/**
 * Events the server sends, derived from `serverEventSchemas`. Room events reach connections that joined the
 * room with `room:join`.
 */
export type ServerToClientEvents = {
  [E in keyof typeof serverEventSchemas]: (event: z.output<(typeof serverEventSchemas)[E]>) => void;
};
