/**
 * Moderation over the socket: `member:mute`, `member:kick`, `member:ban`. The rules and writes are the rooms
 * domain's (`membersService`, the same as REST); its room events then reach the sockets (see chat.ts):
 * `member:updated` for a mute, `member:removed` and the removed user's connections leaving the room, on
 * every node, for a kick or a ban.
 */
import { actorOf, type ChatContext } from './context.js';
import { on } from './handlers.js';
import type { ChatSocket } from './types.js';

export function registerModerationEvents(ctx: ChatContext, socket: ChatSocket): void {
  const { logger, schemas, members } = ctx;

  on(socket, logger, 'member:mute', schemas.memberMute, async ({ roomId, userId, minutes }) => {
    await members.mute(actorOf(socket).user, roomId, userId, minutes);
    return { ok: true as const };
  });

  on(socket, logger, 'member:kick', schemas.memberRef, async ({ roomId, userId }) => {
    await members.kick(actorOf(socket).user, roomId, userId);
    return { ok: true as const };
  });

  on(socket, logger, 'member:ban', schemas.memberRef, async ({ roomId, userId }) => {
    await members.ban(actorOf(socket).user, roomId, userId);
    return { ok: true as const };
  });
}
