/**
 * The `/chat` namespace assembled: the handshake and token expiry (auth/socket-handshake.ts,
 * auth/socket-session-expiry.ts), each domain's event handlers (rooms/rooms.events.ts,
 * rooms/members.events.ts, messages/messages.events.ts, presence/presence.events.ts, calling the services
 * server.ts builds), and the socket side of room changes made anywhere (REST or socket, on any node), which
 * the domains announce with `deps.realtime.notify`:
 *
 * - a member kicked, banned or leaving: `member:removed` to the room and to the user, then every connection
 *   of that user leaves the room, on every node (each node does both, in that order, for its connections);
 * - a role or mute change: `member:updated`; a room edited: `room:updated`; a room deleted: `room:deleted`
 *   and everyone leaves it.
 *
 * Every event a connection sends first passes its budget (SOCKET_EVENT_RATE per second, SOCKET_EVENT_BURST at
 * once) and its bounded queue (SOCKET_QUEUE_MAX), with no I/O; see platform/realtime/handlers.ts.
 *
 * Each connection also joins its user's room (`user:<id>`), which is how those per-user operations find it.
 * The rooms it joined with `room:join` are also kept in `socket.data.joined` (left with `room:leave` or a
 * removal), which the heads heartbeat reports on and repairs the adapter rooms from (chat/room-heads.ts).
 * Presence and typing are cleared from the adapter's `leave-room` event, which fires for `room:leave`, for
 * removals by other nodes and for disconnects alike.
 *
 * Scaling: with the websocket transport any node can take any connection (no sticky sessions); HTTP
 * long-polling sends several requests per connection that must reach the same node, so a load balancer in
 * front of polling clients needs sticky sessions (e.g. a hash of the client address).
 */
import type { MemberRemovedEvent, PresenceState, RoomDeletedEvent } from '@synctalk/sdk';
import { clientEventSchemas } from '@synctalk/sdk/schemas';
import { handshakeMiddleware } from '../auth/socket-handshake.js';
import { watchTokenExpiry } from '../auth/socket-session-expiry.js';
import type { DomainDeps } from '../domain-deps.js';
import { messageLimits } from '../messages/messages.schemas.js';
import { registerMessageEvents } from '../messages/messages.events.js';
import { FloodPenalty, floodPenaltyMs } from '../platform/realtime/flood-penalty.js';
import { guardEvents } from '../platform/realtime/handlers.js';
import { chatRoomName, roomIdOf, userRoomName } from '../platform/realtime/room-names.js';
import { registerPresenceEvents } from '../presence/presence.events.js';
import { registerMemberEvents } from '../rooms/members.events.js';
import { roomView } from '../rooms/room-views.js';
import { registerRoomEvents } from '../rooms/rooms.events.js';
import { roomsRepository } from '../rooms/rooms.repository.js';
import type { ChatContext, ChatServices } from './context.js';
import { JoinedRooms } from './joined-rooms.js';
import { roomHeads } from './room-heads.js';
import type { ChatNamespace, ChatServer, ChatSocket } from './types.js';

export const CHAT_NAMESPACE = '/chat';

/** The `/chat` namespace of `io` (created on first use; the room emitter and `createChat` share it). */
export function chatNamespace(io: ChatServer): ChatNamespace {
  return io.of(CHAT_NAMESPACE) as ChatNamespace;
}

export interface Chat {
  nsp: ChatNamespace;
  /** The message operations (with their broadcasts), as REST routes use them too. */
  messages: ChatServices['messages'];
  presence: ChatServices['presence'];
  /**
   * Sends every connection of this node the heads of the rooms it joined now, as the heartbeat does every
   * ROOM_HEADS_INTERVAL (repairing adapter rooms the same way; see chat/room-heads.ts).
   */
  beatHeads(): Promise<void>;
  /**
   * Stops the domain before the Socket.IO server closes. `cleanup` (default): this node's connections go
   * offline now and rooms are told; without it they are left to expire, as if the node had died.
   */
  close(options?: { cleanup?: boolean }): Promise<void>;
}

/**
 * Serves `services` on the `/chat` namespace of `io`. The presence and typing trackers announce their
 * changes themselves (through `deps.realtime`); the namespace tells them who left which room.
 */
export function createChat(deps: DomainDeps, io: ChatServer, services: ChatServices): Chat {
  const { logger } = deps;
  const nsp = chatNamespace(io);
  const announce = (state: PresenceState) => deps.realtime.emit(state.roomId, 'presence', state);
  let closing = false;

  // A connection missing from the adapter room of a room it joined goes back in, with its presence.
  const restore = async (socket: ChatSocket, roomId: string) => {
    const name = chatRoomName(roomId);
    await socket.join(name);
    const { user, site } = socket.data;
    const change = await services.presence.join(site.publicId, roomId, user.id, socket.id);
    if (change.changed && !closing) announce(change.state);
    // Left (or disconnected) meanwhile: its leave-room clean-up ran before this join; undo it.
    if (!socket.rooms.has(name)) {
      const undone = await services.presence.leave(roomId, socket.id);
      if (undone?.changed && !closing) announce(undone.state);
    }
  };
  const ctx: ChatContext = {
    deps,
    logger,
    nsp,
    schemas: clientEventSchemas(messageLimits(deps.config)),
    heads: roomHeads({
      nsp,
      rooms: roomsRepository(deps.db),
      logger,
      intervalMs: deps.config.realtime.headsIntervalMs,
      restore,
    }),
    ...services,
  };

  const { eventRate, eventBurst } = deps.config.realtime.socket;
  const penalty = new FloodPenalty(floodPenaltyMs(eventRate, eventBurst));
  nsp.use(handshakeMiddleware({ config: deps.config, logger, sites: deps.sites.cached, penalty }));

  nsp.on('connection', (socket) => {
    // First: every event passes the connection's budget and queue before any handler (see guardEvents).
    guardEvents(socket, logger, deps.config.realtime.socket, penalty, socket.data.user);
    socket.data.joined = new JoinedRooms();
    // Refused only while the user room's Redis shard is down; ioredis subscribes it once the shard is back.
    void Promise.resolve(socket.join(userRoomName(socket.data.user.id))).catch((error: unknown) =>
      logger.warn({ err: error }, 'user room channel subscription failed'),
    );
    watchTokenExpiry(socket, deps);
    registerRoomEvents(ctx, socket);
    registerMessageEvents(ctx, socket);
    registerPresenceEvents(ctx, socket);
    registerMemberEvents(ctx, socket);
    socket.on('error', (error) => logger.debug({ err: error }, 'socket error'));
  });

  // A connection left a chat room: by room:leave, removal from another node, or disconnect.
  nsp.adapter.on('leave-room', (room: string, socketId: string) => {
    const roomId = roomIdOf(room);
    if (roomId === undefined || closing) return;
    ctx.typing.stop(roomId, socketId);
    ctx.presence.leave(roomId, socketId).then(
      (change) => {
        if (change?.changed && !closing) announce(change.state);
      },
      (error: unknown) => logger.warn({ err: error, roomId }, 'presence update failed'),
    );
  });

  // Removals must reach the user before their connections leave the room. A broadcast and a remote
  // socketsLeave travel on different channels and may cross, so each node does both for its own
  // connections, in order: this node directly, the others on a server-side event through the adapter.
  // Each also forgets the room in the connections' `joined`, so the heads heartbeat does not put them back.
  const removeMember = ({ roomId, userId, reason }: MemberRemovedEvent) => {
    nsp.local
      .to([chatRoomName(roomId), userRoomName(userId)])
      .emit('member:removed', { roomId, userId, reason });
    for (const socketId of nsp.adapter.rooms.get(userRoomName(userId)) ?? []) {
      nsp.sockets.get(socketId)?.data.joined?.delete(roomId);
    }
    nsp.local.in(userRoomName(userId)).socketsLeave(chatRoomName(roomId));
  };
  const deleteRoom = ({ roomId }: RoomDeletedEvent) => {
    nsp.local.to(chatRoomName(roomId)).emit('room:deleted', { roomId });
    // Every connection of this node, not only those in the adapter room: rooms are rarely deleted.
    for (const socket of nsp.sockets.values()) socket.data.joined?.delete(roomId);
    nsp.local.in(chatRoomName(roomId)).socketsLeave(chatRoomName(roomId));
  };
  nsp.on('chat:member-removed', removeMember);
  nsp.on('chat:room-deleted', deleteRoom);
  // Socket.IO's in-memory adapter (one node) has nobody to tell, and warns on serverSideEmit; the Redis
  // adapters (cluster adapters) publish.
  const distributed = typeof (nsp.adapter as unknown as { publish?: unknown }).publish === 'function';

  // Site lookups are cached per node: a change made here is passed on to the other nodes' caches.
  nsp.on('chat:sites-changed', () => deps.sites.cached.invalidate());
  const changes = deps.realtime;
  const unsubscribe = [
    deps.sites.cached.onChange(() => {
      if (distributed) nsp.serverSideEmit('chat:sites-changed');
    }),
    changes.on('member_left', ({ roomId, userId, reason }) => {
      const event: MemberRemovedEvent = { roomId, userId, reason };
      removeMember(event);
      if (distributed) nsp.serverSideEmit('chat:member-removed', event);
    }),
    changes.on('member_updated', ({ roomId, userId, role, mutedUntil }) => {
      nsp.to([chatRoomName(roomId), userRoomName(userId)]).emit('member:updated', {
        roomId,
        userId,
        role,
        mutedUntil: mutedUntil && mutedUntil.getTime() > Date.now() ? mutedUntil.toISOString() : null,
      });
    }),
    // Everyone in a room's socket room may read it (members and site admins), so the code is shown; not
    // to users removed in the same change, whose connections may not have left yet on every node.
    changes.on('room_updated', ({ room, exceptUserIds = [] }) =>
      nsp
        .to(chatRoomName(room.id))
        .except(exceptUserIds.map(userRoomName))
        .emit('room:updated', roomView(room, true)),
    ),
    changes.on('room_deleted', ({ roomId }) => {
      deleteRoom({ roomId });
      if (distributed) nsp.serverSideEmit('chat:room-deleted', { roomId });
    }),
  ];

  return {
    nsp,
    messages: ctx.messages,
    presence: ctx.presence,
    beatHeads: () => ctx.heads.beat(),
    async close({ cleanup = true } = {}) {
      if (closing) return;
      closing = true;
      ctx.heads.stop();
      for (const off of unsubscribe) off();
      ctx.typing.clear();
      const states = await ctx.presence.stop(cleanup);
      for (const state of states) announce(state);
    },
  };
}
