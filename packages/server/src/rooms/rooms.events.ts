/**
 * `room:join` / `room:leave`: which rooms' events a connection receives (kept in `socket.data.joined` too),
 * `room:heads`: their latest seqs, and `read:update`. Joining needs the `read` permission (members, and site
 * admins); membership itself is REST (`POST /v1/rooms/:id/join`).
 */
import type { RoomJoinResult } from '@synctalk/sdk';
import { actorOf, type ChatContext } from '../chat/context.js';
import type { ChatSocket } from '../chat/types.js';
import { AppError } from '../platform/errors.js';
import { on } from '../platform/realtime/handlers.js';
import { chatRoomName } from '../platform/realtime/room-names.js';
import { myRoomView, roomView } from './room-views.js';

export function registerRoomEvents(ctx: ChatContext, socket: ChatSocket): void {
  const { logger, schemas } = ctx;

  on(socket, logger, 'room:join', schemas, async ({ roomId, lastSeq }): Promise<RoomJoinResult> => {
    const actor = actorOf(socket);
    const { room, membership } = await ctx.messages.authorize(actor, roomId, 'read');
    const name = chatRoomName(room.id);
    // A connection that closed while the checks ran must not join anything: its leave already happened,
    // so nothing would take it out of the room or the presence again.
    const closed = () => new AppError('unavailable', 'The connection closed');
    if (!socket.connected) throw closed();
    // Subscribe before reading the catch-up page: a message committed in between then arrives twice
    // (clients de-duplicate by seq) instead of never. Rejected when the room's Pub/Sub channel could not be
    // subscribed (its Redis master is down): broadcasts from other nodes would not arrive, so no join.
    await Promise.resolve(socket.join(name)).catch(async (error: unknown) => {
      logger.warn({ err: error, roomId: room.id }, 'room channel subscription failed');
      await socket.leave(name);
      throw new AppError('unavailable', 'Joining is temporarily unavailable; try again shortly');
    });
    // Recorded with the adapter room, so a leave or removal from now on undoes both.
    socket.data.joined.add(room.id);
    try {
      if (!socket.connected) throw closed();
      const change = await ctx.presence
        .join(actor.site.publicId, room.id, actor.user.id, socket.id)
        .catch((error: unknown) => {
          // The shared store is down (e.g. a Redis failover in progress): the client may simply retry.
          logger.warn({ err: error, roomId: room.id }, 'presence store unavailable');
          throw new AppError('unavailable', 'Joining is temporarily unavailable; try again shortly');
        });
      if (change.changed) ctx.deps.realtime.emit(room.id, 'presence', change.state);
      const page = await ctx.messages.catchUp(actor, room, lastSeq);
      const mine = membership && !membership.bannedAt ? myRoomView(room, membership) : undefined;
      return {
        room: roomView(room, true),
        membership: mine
          ? {
              role: mine.role,
              lastReadSeq: mine.lastReadSeq,
              unreadCount: mine.unreadCount,
              mutedUntil: mine.mutedUntil,
              joinedAt: mine.joinedAt,
            }
          : null,
        presence: change.state,
        messages: page.messages,
        hasMore: page.hasMore,
      };
    } catch (error) {
      socket.data.joined.delete(room.id);
      await socket.leave(name);
      throw error;
    }
  });

  on(socket, logger, 'room:leave', schemas, async ({ roomId }) => {
    // Presence and typing are cleared by the adapter's leave-room event (see chat/chat.ts).
    socket.data.joined.delete(roomId);
    await socket.leave(chatRoomName(roomId));
    return { ok: true as const };
  });

  // Only rooms this connection joined and its user may still read are reported (see chat/room-heads.ts).
  on(socket, logger, 'room:heads', schemas, async ({ roomIds }) => ({
    rooms: await ctx.heads.of(socket, roomIds),
  }));

  on(socket, logger, 'read:update', schemas, async ({ roomId, seq }) =>
    ctx.messages.markRead(actorOf(socket), roomId, seq),
  );
}
