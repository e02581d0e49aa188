/**
 * Moderation over the socket: `member:mute`, `member:kick`, `member:ban`. The rules and writes are the rooms
 * domain's (`membersService`, the same as REST); its room changes then reach the sockets (see chat/chat.ts):
 * `member:updated` for a mute, `member:removed` and the removed user's connections leaving the room, on
 * every node, for a kick or a ban. A kick or ban with `rotateCode` also gives the room a new join code: the
 * ack carries the room with it, and the room's other connections get `room:updated`.
 */
import type { MemberRemovalResult, Room as RoomView } from '@synctalk/sdk';
import { actorOf, type ChatContext } from '../chat/context.js';
import type { ChatSocket } from '../chat/types.js';
import { on } from '../platform/realtime/handlers.js';

const removalAck = (room: RoomView | undefined): MemberRemovalResult =>
  room ? { ok: true, room } : { ok: true };

export function registerMemberEvents(ctx: ChatContext, socket: ChatSocket): void {
  const { logger, schemas, members } = ctx;

  on(socket, logger, 'member:mute', schemas, async ({ roomId, userId, minutes }) => {
    await members.mute(actorOf(socket).user, roomId, userId, minutes);
    return { ok: true as const };
  });

  on(socket, logger, 'member:kick', schemas, async ({ roomId, userId, rotateCode }) =>
    removalAck(await members.kick(actorOf(socket).user, roomId, userId, { rotateCode })),
  );

  on(socket, logger, 'member:ban', schemas, async ({ roomId, userId, rotateCode }) =>
    removalAck(await members.ban(actorOf(socket).user, roomId, userId, { rotateCode })),
  );
}
