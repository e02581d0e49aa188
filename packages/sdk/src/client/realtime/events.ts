/** The events a `Connection` emits: the server's events, plus the connection's own. */
import type { JoinedMembership, PresenceState, ServerToClientEvents } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import type { Room } from '../../protocol/rooms.js';
import type { SyncTalkError } from '../errors.js';
import type { OutgoingMessage } from './pending-send.js';
import type { DeliverySource } from './room-timeline.js';

/**
 * The connection's status:
 * - `connecting`: the first connection is being made;
 * - `connected`: a connection is up;
 * - `reconnecting`: it dropped (or a node died) and the client is connecting again, to the next URL;
 * - `closed`: `close()` was called, or the server refused the session for good (see the `error` event).
 *
 * @example
 * ```ts
 * chat.on('status', (status: ConnectionStatus) => banner.toggle(status === 'reconnecting'));
 * ```
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/**
 * How a delivered `message:new` reached the client (each message is delivered once, whatever the source).
 *
 * @example
 * ```ts
 * chat.on('message:new', (m, info: DeliveryInfo) => info.source === 'live' && playSound());
 * ```
 */
export interface DeliveryInfo {
  source: DeliverySource;
}

/**
 * A room this connection receives, as of its latest (re)join.
 *
 * @example
 * ```ts
 * const joined: JoinedRoom = await chat.joinRoom('42');
 * showOnline(joined.presence.online);
 * ```
 */
export interface JoinedRoom {
  room: Room;
  /** My membership; `null` for a site admin watching a room they are not a member of. */
  membership: JoinedMembership | null;
  /** Who is online: the join answer's state, or a newer `presence` broadcast that came in before this. */
  presence: PresenceState;
  /** The seq of the last message delivered for this room (`"0"` in a room without messages). */
  lastSeq: string;
}

/**
 * Events of the connection's own (not sent by the server).
 *
 * @example
 * ```ts
 * chat.on('error', (e) => console.warn(e.code, e.message));
 * chat.on('room:joined', (joined, { rejoin }) => rejoin && refreshSidebar(joined.room));
 * chat.on('send:status', (o) => o.status === 'failed' && showRetry(o.clientMsgId));
 * ```
 */
export interface ConnectionLifecycleEvents {
  /** The connection status changed. */
  status: (status: ConnectionStatus) => void;
  /**
   * A failure not tied to a call: a rejoin or a history fetch failed (retried), a token refresh failed, or
   * the server refused the session for good (then `status` becomes `closed`).
   */
  error: (error: SyncTalkError) => void;
  /**
   * A room was (re)joined: after `joinRoom`, and again after every reconnect. Its `presence` is never older
   * than a `presence` event already emitted for the room.
   */
  'room:joined': (joined: JoinedRoom, info: { rejoin: boolean }) => void;
  /**
   * A send changed: queued (`pending`), stored (`sent`, with `message`), refused (`failed`, with `error`),
   * retried (`pending` again) or discarded (`discarded`). Sends restored from storage by `connect()` are in
   * `outgoing()` when it resolves; their later changes come here.
   */
  'send:status': (outgoing: OutgoingMessage) => void;
}

/**
 * Everything `connection.on` can listen to. `message:new` is delivered exactly once per message and in `seq`
 * order per room, live or caught up; its second argument says where it came from. `presence` only moves
 * forward: a state no newer (by `version`) than the last one reported for its room, as `presence` or in
 * `room:joined`, is dropped.
 *
 * @example
 * ```ts
 * const handler: ConnectionEvents['message:new'] = (message, { source }) => render(message, source);
 * chat.on('message:new', handler);
 * ```
 */
export type ConnectionEvents = {
  [E in Exclude<keyof ServerToClientEvents, 'message:new'>]: ServerToClientEvents[E];
} & {
  'message:new': (message: Message, info: DeliveryInfo) => void;
} & {
  [E in keyof ConnectionLifecycleEvents]: ConnectionLifecycleEvents[E];
};
