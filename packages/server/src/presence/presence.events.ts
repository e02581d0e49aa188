/**
 * `typing:start` / `typing:stop`. Only a connection that joined the room (`room:join`) may type there, and
 * only a member who may send (not muted, and allowed to write by the site's `verifiedOnly` policy); both are
 * checked when typing starts, not on renewals.
 */
import { AppError } from '../platform/errors.js';
import { actorOf, type ChatContext } from '../chat/context.js';
import type { ChatSocket } from '../chat/types.js';
import { on } from '../platform/realtime/handlers.js';
import { chatRoomName } from '../platform/realtime/room-names.js';

export function registerPresenceEvents(ctx: ChatContext, socket: ChatSocket): void {
  const { logger, schemas, typing } = ctx;

  on(socket, logger, 'typing:start', schemas, async ({ roomId }) => {
    if (!socket.rooms.has(chatRoomName(roomId))) {
      throw new AppError('forbidden', 'Join the room first (room:join)');
    }
    const actor = actorOf(socket);
    if (!typing.isTyping(roomId, socket.id)) {
      await ctx.messages.authorize(actor, roomId, 'send');
      await ctx.messages.assertWriter(actor);
    }
    // The room may have been left while the check ran.
    if (socket.rooms.has(chatRoomName(roomId))) typing.start(roomId, actor.user.id, socket.id);
    return { ok: true as const };
  });

  on(socket, logger, 'typing:stop', schemas, async ({ roomId }) => {
    typing.stop(roomId, socket.id);
    return { ok: true as const };
  });
}
