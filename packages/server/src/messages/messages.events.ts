/**
 * Socket events of messages: send, edit, delete, reactions. Each is a thin door onto `MessagesService`,
 * which checks, writes, and broadcasts after the commit. Writes of one connection run one at a time in
 * arrival order, so a client's messages are numbered in the order it sent them.
 *
 * A send takes a place in the node's bound on sends in progress when its turn comes (send-admission.ts);
 * over it, the send is refused `unavailable` then, before any work.
 *
 * Once the per-user rate limit refused a send, edit or reaction on this connection, further ones of that
 * kind are refused before any query until `retryAfter` has passed (see platform/realtime/write-cooldown.ts).
 */
import { actorOf, type ChatContext } from '../chat/context.js';
import type { ChatSocket } from '../chat/types.js';
import { on } from '../platform/realtime/handlers.js';
import { WriteCooldown } from '../platform/realtime/write-cooldown.js';

export function registerMessageEvents(ctx: ChatContext, socket: ChatSocket): void {
  const { logger, schemas, messages, sendAdmission } = ctx;
  const serial = { serial: true };
  const cooldown = new WriteCooldown();

  on(
    socket,
    logger,
    'message:send',
    schemas,
    ({ roomId, ...input }) =>
      cooldown.run('messages', async () => ({
        message: await messages.send(actorOf(socket), roomId, input),
      })),
    { ...serial, admission: sendAdmission },
  );

  on(
    socket,
    logger,
    'message:edit',
    schemas,
    ({ roomId, messageId, text }) =>
      cooldown.run('messages', async () => ({
        message: await messages.edit(actorOf(socket), roomId, messageId, text),
      })),
    serial,
  );

  on(
    socket,
    logger,
    'message:delete',
    schemas,
    async ({ roomId, messageId }) => ({ message: await messages.remove(actorOf(socket), roomId, messageId) }),
    serial,
  );

  on(
    socket,
    logger,
    'reaction:add',
    schemas,
    ({ roomId, messageId, emoji }) =>
      cooldown.run('reactions', () => messages.react(actorOf(socket), roomId, messageId, emoji, true)),
    serial,
  );

  on(
    socket,
    logger,
    'reaction:remove',
    schemas,
    ({ roomId, messageId, emoji }) =>
      cooldown.run('reactions', () => messages.react(actorOf(socket), roomId, messageId, emoji, false)),
    serial,
  );
}
