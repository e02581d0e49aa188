/**
 * The `/chat` namespace: handshake (token, site, origin), token expiry, each domain's event handlers, and
 * the socket side of room changes made anywhere (REST or socket, on any node):
 *
 * - a member kicked, banned or leaving: `member:removed` to the room and to the user, then every connection
 *   of that user leaves the room, on every node (each node does both, in that order, for its connections);
 * - a role or mute change: `member:updated`; a room edited: `room:updated`; a room deleted: `room:deleted`
 *   and everyone leaves it.
 *
 * Every event a connection sends first passes its budget (SOCKET_EVENT_RATE per second, SOCKET_EVENT_BURST at
 * once) and its bounded queue (SOCKET_QUEUE_MAX), with no I/O; see handlers.ts.
 *
 * Each connection also joins its user's room (`user:<id>`), which is how those per-user operations find it.
 * Presence and typing are cleared from the adapter's `leave-room` event, which fires for `room:leave`, for
 * removals by other nodes and for disconnects alike.
 *
 * Scaling: with the websocket transport any node can take any connection (no sticky sessions); HTTP
 * long-polling sends several requests per connection that must reach the same node, so a load balancer in
 * front of polling clients needs sticky sessions (e.g. a hash of the client address).
 */
import type { MemberRemovedEvent, PresenceState, RoomDeletedEvent } from '@synctalk/sdk';
import { clientEventSchemas } from '@synctalk/sdk/schemas';
import type { Deps } from '../platform/deps.js';
import { messageLimits } from '../messages/messages.schemas.js';
import { messagesService } from '../messages/messages.service.js';
import { registerMessageEvents } from '../messages/messages.events.js';
import { presenceTracker } from '../presence/presence.js';
import { registerPresenceEvents } from '../presence/presence.events.js';
import { typingTracker } from '../presence/typing.js';
import { membersService } from '../rooms/members.service.js';
import { roomEvents } from '../rooms/room-events.js';
import { roomView } from '../rooms/room-views.js';
import type { SitesRepository } from '../sites/sites.repository.js';
import { roomEmitter } from './broadcast.js';
import type { ChatContext } from './context.js';
import { handshakeMiddleware } from './handshake.js';
import { FloodPenalty, floodPenaltyMs } from './flood-penalty.js';
import { guardEvents } from './handlers.js';
import { registerModerationEvents } from './moderation.events.js';
import { chatRoomName, roomIdOf, userRoomName } from './room-names.js';
import { watchTokenExpiry } from './session-expiry.js';
import { registerSubscriptionEvents } from './subscriptions.events.js';
import type { ChatNamespace, ChatServer } from './types.js';

export const CHAT_NAMESPACE = '/chat';

export interface ChatDeps extends Deps {
  sites: { repo: Pick<SitesRepository, 'findByPublicId' | 'findDefault'> };
}

export interface Chat {
  nsp: ChatNamespace;
  /** The message operations (with their broadcasts), for REST routes. */
  messages: ChatContext['messages'];
  presence: ChatContext['presence'];
  /**
   * Stops the domain before the Socket.IO server closes. `cleanup` (default): this node's connections go
   * offline now and rooms are told; without it they are left to expire, as if the node had died.
   */
  close(options?: { cleanup?: boolean }): Promise<void>;
}

export function createChat(deps: ChatDeps, io: ChatServer): Chat {
  const { logger } = deps;
  const nsp = io.of(CHAT_NAMESPACE) as ChatNamespace;
  const emit = roomEmitter(nsp);
  const announce = (state: PresenceState) => emit(state.roomId, 'presence', state);
  let closing = false;

  const ctx: ChatContext = {
    deps,
    logger,
    nsp,
    emit,
    schemas: clientEventSchemas(messageLimits(deps.config)),
    messages: messagesService(deps, emit),
    members: membersService(deps),
    presence: presenceTracker({
      store: deps.store,
      logger,
      ttlMs: deps.config.realtime.presenceTtlMs,
      onChange: announce,
    }),
    typing: typingTracker({ onChange: (event) => emit(event.roomId, 'typing', event) }),
  };

  const { eventRate, eventBurst } = deps.config.realtime.socket;
  const penalty = new FloodPenalty(floodPenaltyMs(eventRate, eventBurst));
  nsp.use(handshakeMiddleware({ config: deps.config, logger, sites: deps.sites.repo, penalty }));

  nsp.on('connection', (socket) => {
    // First: every event passes the connection's budget and queue before any handler (handlers.ts).
    guardEvents(socket, logger, deps.config.realtime.socket, penalty);
    void socket.join(userRoomName(socket.data.user.id));
    watchTokenExpiry(socket, deps);
    registerSubscriptionEvents(ctx, socket);
    registerMessageEvents(ctx, socket);
    registerPresenceEvents(ctx, socket);
    registerModerationEvents(ctx, socket);
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
  const removeMember = ({ roomId, userId, reason }: MemberRemovedEvent) => {
    nsp.local
      .to([chatRoomName(roomId), userRoomName(userId)])
      .emit('member:removed', { roomId, userId, reason });
    nsp.local.in(userRoomName(userId)).socketsLeave(chatRoomName(roomId));
  };
  const deleteRoom = ({ roomId }: RoomDeletedEvent) => {
    nsp.local.to(chatRoomName(roomId)).emit('room:deleted', { roomId });
    nsp.local.in(chatRoomName(roomId)).socketsLeave(chatRoomName(roomId));
  };
  nsp.on('chat:member-removed', removeMember);
  nsp.on('chat:room-deleted', deleteRoom);
  // Socket.IO's in-memory adapter (one node) has nobody to tell, and warns on serverSideEmit; the Redis
  // adapters (cluster adapters) publish.
  const distributed = typeof (nsp.adapter as unknown as { publish?: unknown }).publish === 'function';

  const bus = roomEvents(deps);
  const unsubscribe = [
    bus.on('member_left', ({ roomId, userId, reason }) => {
      const event: MemberRemovedEvent = { roomId, userId, reason };
      removeMember(event);
      if (distributed) nsp.serverSideEmit('chat:member-removed', event);
    }),
    bus.on('member_updated', ({ roomId, userId, role, mutedUntil }) => {
      nsp.to([chatRoomName(roomId), userRoomName(userId)]).emit('member:updated', {
        roomId,
        userId,
        role,
        mutedUntil: mutedUntil && mutedUntil.getTime() > Date.now() ? mutedUntil.toISOString() : null,
      });
    }),
    // Everyone in a room's socket room may read it (members and site admins), so the code is shown; not
    // to users removed in the same change, whose connections may not have left yet on every node.
    bus.on('room_updated', ({ room, exceptUserIds = [] }) =>
      nsp
        .to(chatRoomName(room.id))
        .except(exceptUserIds.map(userRoomName))
        .emit('room:updated', roomView(room, true)),
    ),
    bus.on('room_deleted', ({ roomId }) => {
      deleteRoom({ roomId });
      if (distributed) nsp.serverSideEmit('chat:room-deleted', { roomId });
    }),
  ];

  return {
    nsp,
    messages: ctx.messages,
    presence: ctx.presence,
    async close({ cleanup = true } = {}) {
      if (closing) return;
      closing = true;
      for (const off of unsubscribe) off();
      ctx.typing.clear();
      const states = await ctx.presence.stop(cleanup);
      for (const state of states) announce(state);
    },
  };
}
