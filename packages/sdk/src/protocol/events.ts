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
import type { ErrorBody } from './errors.js';
import type { Message } from './messages.js';
import type { MyRoom, Room, RoomRole } from './rooms.js';

/** An acknowledgement: the result, or an error with the same shape as REST errors. */
export type Ack<T> = (response: T | ErrorBody) => void;

/** What the handshake sends in `auth` (Socket.IO's `auth` option). */
export interface ChatHandshakeAuth {
  /** The access token from any sign-in. The query string is refused: URLs end up in logs. */
  token: string;
  /** The site's public id (`st_…`); the default site when omitted. Must match the token's site. */
  site?: string;
}

/** Who is online in a room, counted per connection: a user with two tabs is online until the last closes. */
export interface PresenceState {
  roomId: string;
  /** Ids of online members (at most 500; `count` is exact). */
  online: string[];
  /** Number of online members. */
  count: number;
}

// ---- client → server payloads ----------------------------------------------------------------------------

export interface RoomJoinPayload {
  roomId: string;
  /** The last `seq` this client has; the answer then carries what came after it. */
  lastSeq?: string;
}

/** My membership as `room:join` reports it (the membership fields of `MyRoom`). */
export type JoinedMembership = Pick<
  MyRoom,
  'role' | 'lastReadSeq' | 'unreadCount' | 'mutedUntil' | 'joinedAt'
>;

export interface RoomJoinResult {
  room: Room;
  /** My membership; `null` for a site admin watching a room they are not a member of. */
  membership: JoinedMembership | null;
  presence: PresenceState;
  /**
   * Oldest first. With `lastSeq`: the messages after it (at most 200). Without: the latest 50.
   */
  messages: Message[];
  /**
   * With `lastSeq`: more messages after the last one returned exist (page on with
   * `GET /v1/rooms/:id/messages?after=`). Without: older messages exist (`?before=`).
   */
  hasMore: boolean;
}

export interface RoomPayload {
  roomId: string;
}

export interface SendMessagePayload {
  roomId: string;
  /** See `SendMessageRequest.clientMsgId`. */
  clientMsgId: string;
  text: string;
  replyTo?: string;
}

export interface EditMessagePayload {
  roomId: string;
  messageId: string;
  text: string;
}

export interface MessageRefPayload {
  roomId: string;
  messageId: string;
}

export interface ReactionPayload {
  roomId: string;
  messageId: string;
  /** See `ReactionRequest.emoji`. */
  emoji: string;
}

export interface ReadUpdatePayload {
  roomId: string;
  /** The latest `seq` the user has seen; at most the room's `lastSeq`. Moving backwards is ignored. */
  seq: string;
}

export interface ReadUpdateResult {
  roomId: string;
  /** The stored read marker (never lower than before). */
  lastReadSeq: string;
  unreadCount: number;
}

export interface AuthRefreshPayload {
  /** A fresh access token of the same user and site. */
  token: string;
}

export interface AuthRefreshResult {
  /** When the new token expires (ISO 8601). */
  expiresAt: string;
}

export interface MemberMutePayload {
  roomId: string;
  userId: string;
  /** 1 minute to 1 year (525,600 minutes). */
  minutes: number;
}

export interface MemberRefPayload {
  roomId: string;
  userId: string;
}

/** `member:kick` and `member:ban`. */
export interface MemberRemovalPayload extends MemberRefPayload {
  /** Also give the room a new join code, so the removed user cannot rejoin with the one they know. */
  rotateCode?: boolean;
}

/** The ack of `member:kick` and `member:ban`; `room` (with its new `code`) only with `rotateCode`. */
export interface MemberRemovalResult extends OkResult {
  room?: Room;
}

export interface OkResult {
  ok: true;
}

/** Events a client sends. Each answers through its acknowledgement. */
export interface ClientToServerEvents {
  /**
   * Subscribes this connection to a room the user is a member of (membership itself is REST:
   * `POST /v1/rooms/:id/join`). Non-members get `forbidden`.
   */
  'room:join': (payload: RoomJoinPayload, ack?: Ack<RoomJoinResult>) => void;
  /** Stops receiving a room's events on this connection (the membership stays). */
  'room:leave': (payload: RoomPayload, ack?: Ack<OkResult>) => void;
  /** Sends a message; the ack carries the stored message, then `message:new` reaches the room. */
  'message:send': (payload: SendMessagePayload, ack?: Ack<{ message: Message }>) => void;
  /** Edits one of my messages. */
  'message:edit': (payload: EditMessagePayload, ack?: Ack<{ message: Message }>) => void;
  /** Deletes a message: its author, or a room moderator/owner, or a site admin. */
  'message:delete': (payload: MessageRefPayload, ack?: Ack<{ message: Message }>) => void;
  'reaction:add': (payload: ReactionPayload, ack?: Ack<ReactionUpdatedEvent>) => void;
  'reaction:remove': (payload: ReactionPayload, ack?: Ack<ReactionUpdatedEvent>) => void;
  /** "I am typing": repeat at least every 5 s while typing; the server expires it after 5 s without one. */
  'typing:start': (payload: RoomPayload, ack?: Ack<OkResult>) => void;
  'typing:stop': (payload: RoomPayload, ack?: Ack<OkResult>) => void;
  /** Moves my read marker forward (unread count = room `lastSeq` − marker). */
  'read:update': (payload: ReadUpdatePayload, ack?: Ack<ReadUpdateResult>) => void;
  /** Replaces the connection's token before it expires (after `auth:expiring`). */
  'auth:refresh': (payload: AuthRefreshPayload, ack?: Ack<AuthRefreshResult>) => void;
  /** Moderators: mutes a member for `minutes`. */
  'member:mute': (payload: MemberMutePayload, ack?: Ack<OkResult>) => void;
  /** Moderators: removes a member (who may join again); `rotateCode` also replaces the room's join code. */
  'member:kick': (payload: MemberRemovalPayload, ack?: Ack<MemberRemovalResult>) => void;
  /**
   * Moderators: removes a member and keeps them out (site admins may also ban non-members); `rotateCode`
   * also replaces the room's join code.
   */
  'member:ban': (payload: MemberRemovalPayload, ack?: Ack<MemberRemovalResult>) => void;
}

// ---- server → client payloads ----------------------------------------------------------------------------

export interface MessageUpdatedEvent {
  roomId: string;
  messageId: string;
  seq: string;
  text: string;
  editedAt: string;
}

export interface MessageDeletedEvent {
  roomId: string;
  messageId: string;
  seq: string;
  deletedAt: string;
}

export interface ReactionUpdatedEvent {
  roomId: string;
  messageId: string;
  emoji: string;
  /** Who added or removed it. */
  userId: string;
  action: 'added' | 'removed';
  /** How many users have this emoji on the message now. */
  count: number;
}

export interface TypingEvent {
  roomId: string;
  userId: string;
  typing: boolean;
  /** When `typing`: forget it after this many ms unless renewed (covers a lost `typing: false`). */
  expiresInMs: number;
}

export interface ReadEvent {
  roomId: string;
  userId: string;
  seq: string;
}

export interface RoomDeletedEvent {
  roomId: string;
}

export interface MemberRemovedEvent {
  roomId: string;
  userId: string;
  reason: 'left' | 'kicked' | 'banned';
}

export interface MemberUpdatedEvent {
  roomId: string;
  userId: string;
  role: RoomRole;
  mutedUntil: string | null;
}

export interface AuthExpiringEvent {
  /** When the connection's token expires (ISO 8601); send `auth:refresh` before then. */
  expiresAt: string;
  expiresInMs: number;
}

/** Events the server sends. Room events reach connections that joined the room with `room:join`. */
export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  'message:updated': (event: MessageUpdatedEvent) => void;
  'message:deleted': (event: MessageDeletedEvent) => void;
  'reaction:updated': (event: ReactionUpdatedEvent) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceState) => void;
  read: (event: ReadEvent) => void;
  /** The room changed (title, description, visibility, owner or join code). */
  'room:updated': (room: Room) => void;
  /** The room was deleted; the connection no longer receives its events. */
  'room:deleted': (event: RoomDeletedEvent) => void;
  /** A member left or was removed; when it is me, this connection no longer receives the room's events. */
  'member:removed': (event: MemberRemovedEvent) => void;
  /** A member's role or mute changed. */
  'member:updated': (event: MemberUpdatedEvent) => void;
  /** The token expires soon (about 60 s before): refresh it and send `auth:refresh`. */
  'auth:expiring': (event: AuthExpiringEvent) => void;
  /**
   * The token expired without a refresh (`token_expired`) or the user's access ended: the server disconnects
   * right after this event. Reconnect with a fresh token.
   */
  'auth:expired': (event: ErrorBody) => void;
}
