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
  roomHead,
  roomHeadsEvent,
  roomHeadsPayload,
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
 *
 * @example
 * ```ts
 * const ack: Ack<OkResult> = (res) => {
 *   if ('error' in res) console.warn(res.error.code, res.error.message);
 * };
 * socket.emit('typing:start', { roomId: '42' }, ack);
 * ```
 */
export type Ack<T> = (response: T | ErrorBody) => void;

/**
 * What the handshake sends in `auth` (Socket.IO's `auth` option).
 *
 * @example
 * ```ts
 * const auth: ChatHandshakeAuth = { token: accessToken, site: 'st_AbC123' };
 * const socket = io(`${baseUrl}/chat`, { auth, transports: ['websocket'] });
 * ```
 */
export interface ChatHandshakeAuth {
  /** The access token from any sign-in. The query string is refused: URLs end up in logs. */
  token: string;
  /** The site's public id (`st_…`); the default site when omitted. Must match the token's site. */
  site?: string;
}

/**
 * Who is online in a room, counted per connection: a user with two tabs is online until the last closes.
 * `version` orders a room's states; a `Connection` reports only states newer than the last it reported.
 *
 * @example
 * ```ts
 * chat.on('presence', (presence: PresenceState) => {
 *   onlineCount(presence.roomId).textContent = String(presence.count);
 * });
 * ```
 */
export type PresenceState = z.output<typeof presenceState>;

// ---- client → server payloads (what a client sends: the schemas' input side) ------------------------------

/**
 * The payload of `room:join`: the room, and optionally the last `seq` this client has.
 *
 * @example
 * ```ts
 * const payload: RoomJoinPayload = { roomId: '42', lastSeq: '318' };
 * const res = await socket.emitWithAck('room:join', payload); // the messages after seq 318
 * ```
 */
export type RoomJoinPayload = z.input<typeof roomJoinPayload>;

/**
 * My membership as `room:join` reports it (the membership fields of `MyRoom`).
 *
 * @example
 * ```ts
 * const { membership } = await chat.joinRoom('42');
 * const mine: JoinedMembership | null = membership; // null: a site admin watching
 * if (mine?.mutedUntil) showMutedUntil(mine.mutedUntil);
 * ```
 */
export type JoinedMembership = z.output<typeof joinedMembership>;

/**
 * The ack of `room:join`.
 *
 * @example
 * ```ts
 * const res: RoomJoinResult | ErrorBody = await socket.emitWithAck('room:join', { roomId: '42' });
 * if (!('error' in res)) res.messages.forEach(render);
 * ```
 */
export type RoomJoinResult = z.output<typeof roomJoinResult>;

/**
 * The payload of `room:leave`, `typing:start` and `typing:stop`: the room.
 *
 * @example
 * ```ts
 * const payload: RoomPayload = { roomId: '42' };
 * socket.emit('typing:start', payload);
 * ```
 */
export type RoomPayload = z.input<typeof roomPayload>;

/**
 * The payload of `message:send`: `SendMessageRequest` plus the room.
 *
 * @example
 * ```ts
 * const payload: SendMessagePayload = { roomId: '42', clientMsgId: crypto.randomUUID(), text: 'Hello!' };
 * const res = await socket.emitWithAck('message:send', payload);
 * ```
 */
export type SendMessagePayload = z.input<ReturnType<typeof sendMessagePayload>>;

/**
 * The payload of `message:edit` (the author only).
 *
 * @example
 * ```ts
 * const payload: EditMessagePayload = { roomId: '42', messageId: '1031', text: 'Hello, everyone!' };
 * const { message } = await chat.request('message:edit', payload);
 * ```
 */
export type EditMessagePayload = z.input<ReturnType<typeof editMessagePayload>>;

/**
 * The payload of `message:delete`: a message of a room.
 *
 * @example
 * ```ts
 * const payload: MessageRefPayload = { roomId: '42', messageId: '1031' };
 * const { message } = await chat.request('message:delete', payload); // message.deletedAt is set
 * ```
 */
export type MessageRefPayload = z.input<typeof messageRefPayload>;

/**
 * The payload of `reaction:add` and `reaction:remove`: one emoji on one message.
 *
 * @example
 * ```ts
 * const payload: ReactionPayload = { roomId: '42', messageId: '1031', emoji: '🎉' };
 * const { count } = await chat.request('reaction:add', payload);
 * ```
 */
export type ReactionPayload = z.input<typeof reactionPayload>;

/**
 * The payload of `read:update`: the latest `seq` the user has seen in the room.
 *
 * @example
 * ```ts
 * const payload: ReadUpdatePayload = { roomId: '42', seq: '318' };
 * const { unreadCount } = await chat.request('read:update', payload);
 * ```
 */
export type ReadUpdatePayload = z.input<typeof readUpdatePayload>;

/**
 * The ack of `read:update` (and the answer of `POST /v1/rooms/:id/read`).
 *
 * @example
 * ```ts
 * const { lastReadSeq, unreadCount }: ReadUpdateResult = await chat.markRead('42', '318');
 * ```
 */
export type ReadUpdateResult = z.output<typeof readResponse>;

/**
 * The payload of `auth:refresh`: a fresh access token of the same user and site.
 *
 * @example
 * ```ts
 * socket.on('auth:expiring', async () => {
 *   const { accessToken } = await client.auth.refresh();
 *   const payload: AuthRefreshPayload = { token: accessToken };
 *   socket.emit('auth:refresh', payload);
 * });
 * ```
 */
export type AuthRefreshPayload = z.input<typeof authRefreshPayload>;

/**
 * The ack of `auth:refresh`.
 *
 * @example
 * ```ts
 * const res: AuthRefreshResult | ErrorBody = await socket.emitWithAck('auth:refresh', { token });
 * if (!('error' in res)) console.log('token valid until', res.expiresAt);
 * ```
 */
export type AuthRefreshResult = z.output<typeof authRefreshResult>;

/**
 * The payload of `member:mute` (moderators): the room, the member and for how many minutes.
 *
 * @example
 * ```ts
 * const payload: MemberMutePayload = { roomId: '42', userId: '7', minutes: 30 };
 * await chat.request('member:mute', payload);
 * ```
 */
export type MemberMutePayload = z.input<typeof memberMutePayload>;

/**
 * A member of a room: the room's id and the user's.
 *
 * @example
 * ```ts
 * const ref: MemberRefPayload = { roomId: '42', userId: '7' };
 * ```
 */
export type MemberRefPayload = z.input<typeof memberRefPayload>;

/**
 * The payload of `member:kick` and `member:ban` (moderators); `rotateCode` also replaces the room's join
 * code.
 *
 * @example
 * ```ts
 * const payload: MemberRemovalPayload = { roomId: '42', userId: '7', rotateCode: true };
 * const { room } = await chat.request('member:ban', payload);
 * ```
 */
export type MemberRemovalPayload = z.input<typeof memberRemovalPayload>;

/**
 * The ack of `member:kick` and `member:ban`; `room` (with its new `code`) only with `rotateCode`.
 *
 * @example
 * ```ts
 * const payload = { roomId: '42', userId: '7', rotateCode: true };
 * const result: MemberRemovalResult = await chat.request('member:kick', payload);
 * if (result.room) shareJoinCode(result.room.code);
 * ```
 */
export type MemberRemovalResult = z.output<typeof memberRemovalResult>;

/**
 * The payload of `room:heads`: which of the rooms this connection joined to report (default: all of them).
 *
 * @example
 * ```ts
 * const payload: RoomHeadsPayload = { roomIds: ['42'] };
 * const { rooms } = await chat.request('room:heads', payload); // [{ roomId: '42', lastSeq: '318' }]
 * ```
 */
export type RoomHeadsPayload = z.input<typeof roomHeadsPayload>;

/**
 * The ack of events that answer nothing else.
 *
 * @example
 * ```ts
 * const ok: OkResult = await chat.request('typing:start', { roomId: '42' }); // { ok: true }
 * ```
 */
export type OkResult = z.output<typeof okResult>;

/**
 * Events a client sends, derived from the contract maps (`clientEventSchemas()` for payloads,
 * `clientEventAcks` for results). Each answers through its acknowledgement.
 *
 * @example
 * ```ts
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${baseUrl}/chat`, { auth });
 * socket.emit('typing:stop', { roomId: '42' });
 * ```
 */
export type ClientToServerEvents = {
  [E in keyof typeof clientEventAcks]: (
    payload: z.input<ClientEventSchemas[E]>,
    ack?: Ack<z.output<(typeof clientEventAcks)[E]>>,
  ) => void;
};

// ---- server → client payloads (what the server sends: the schemas' output side) ---------------------------

/**
 * `message:updated`: a message's text was edited.
 *
 * @example
 * ```ts
 * chat.on('message:updated', (e: MessageUpdatedEvent) => updateText(e.messageId, e.text, e.editedAt));
 * ```
 */
export type MessageUpdatedEvent = z.output<typeof messageUpdatedEvent>;

/**
 * `message:deleted`: a message was deleted (it stays in the history as a tombstone).
 *
 * @example
 * ```ts
 * chat.on('message:deleted', (e: MessageDeletedEvent) => showTombstone(e.roomId, e.messageId));
 * ```
 */
export type MessageDeletedEvent = z.output<typeof messageDeletedEvent>;

/**
 * `reaction:updated` (and the ack of `reaction:add` / `reaction:remove`).
 *
 * @example
 * ```ts
 * chat.on('reaction:updated', (e: ReactionUpdatedEvent) => setReactionCount(e.messageId, e.emoji, e.count));
 * ```
 */
export type ReactionUpdatedEvent = z.output<typeof reactionResponse>;

/**
 * `typing`: a member started or stopped typing in a room.
 *
 * @example
 * ```ts
 * chat.on('typing', (e: TypingEvent) => {
 *   if (e.typing) typists.set(e.userId, Date.now() + e.expiresInMs);
 *   else typists.delete(e.userId);
 * });
 * ```
 */
export type TypingEvent = z.output<typeof typingEvent>;

/**
 * `read`: a member's read marker moved forward.
 *
 * @example
 * ```ts
 * chat.on('read', (e: ReadEvent) => markSeen(e.roomId, e.userId, e.seq));
 * ```
 */
export type ReadEvent = z.output<typeof readEvent>;

/**
 * `room:deleted`: the room is gone; the connection no longer receives its events.
 *
 * @example
 * ```ts
 * chat.on('room:deleted', ({ roomId }: RoomDeletedEvent) => sidebar.remove(roomId));
 * ```
 */
export type RoomDeletedEvent = z.output<typeof roomDeletedEvent>;

/**
 * `member:removed`: a member left, or was kicked or banned.
 *
 * @example
 * ```ts
 * chat.on('member:removed', (e: MemberRemovedEvent) => {
 *   if (e.userId === myId && e.reason !== 'left') notify(`You were ${e.reason} from room ${e.roomId}`);
 * });
 * ```
 */
export type MemberRemovedEvent = z.output<typeof memberRemovedEvent>;

/**
 * `member:updated`: a member's role or mute changed.
 *
 * @example
 * ```ts
 * chat.on('member:updated', (e: MemberUpdatedEvent) => updateMember(e.userId, e.role, e.mutedUntil));
 * ```
 */
export type MemberUpdatedEvent = z.output<typeof memberUpdatedEvent>;

/**
 * `auth:expiring`: the connection's token expires soon; send `auth:refresh` with a fresh one before then.
 *
 * @example
 * ```ts
 * // A Connection answers it by itself (refresh, then `auth:refresh`); listening is optional.
 * chat.on('auth:expiring', (e: AuthExpiringEvent) => console.info(`token expires at ${e.expiresAt}`));
 * ```
 */
export type AuthExpiringEvent = z.output<typeof authExpiringEvent>;

/**
 * A room's head: the `seq` of its latest message (`"0"` in a room without messages).
 *
 * @example
 * ```ts
 * const behind = (head: RoomHead) => BigInt(head.lastSeq) > BigInt(lastRendered(head.roomId));
 * ```
 */
export type RoomHead = z.output<typeof roomHead>;

/**
 * `room:heads`: the latest `seq` of each room the connection joined, sent every ROOM_HEADS_INTERVAL and as
 * the ack of the `room:heads` request. The SDK's connection fetches what it missed by itself.
 *
 * @example
 * ```ts
 * socket.on('room:heads', ({ rooms }: RoomHeadsEvent) => rooms.filter(behind).forEach(fetchMissed));
 * ```
 */
export type RoomHeadsEvent = z.output<typeof roomHeadsEvent>;

/**
 * Events the server sends, derived from `serverEventSchemas`. Room events reach connections that joined the
 * room with `room:join`.
 *
 * @example
 * ```ts
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${baseUrl}/chat`, { auth });
 * socket.on('message:new', (message) => render(message)); // message: Message
 * ```
 */
export type ServerToClientEvents = {
  [E in keyof typeof serverEventSchemas]: (event: z.output<(typeof serverEventSchemas)[E]>) => void;
};
