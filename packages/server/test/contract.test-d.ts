/**
 * Type-level checks of the server's side of the contract, run by `tsc` (`npm run typecheck`), not by vitest:
 * a route's handler must return what its response schema describes, and a socket handler's payload and ack
 * follow from the event name. Each `@ts-expect-error` is a handler of the wrong shape that must not compile.
 */
import type { Message, Room } from '@synctalk/sdk';
import { clientEventSchemas, roomParams, roomResponse } from '@synctalk/sdk/schemas';
import { expectTypeOf } from 'vitest';
import type { Api } from '../src/platform/api.js';
import type { Logger } from '../src/platform/logger.js';
import { on } from '../src/platform/realtime/handlers.js';
import type { ChatSocket } from '../src/chat/types.js';

declare const api: Api;
declare const socket: ChatSocket;
declare const logger: Logger;
declare const room: Room;
declare const message: Message;
const schemas = clientEventSchemas({ maxTextLength: 4000 });
const base = { method: 'get', path: '/v1/rooms/:id', summary: 'A room', params: roomParams } as const;

// Routes: the handler answers the response schema's output type.
api.route({ ...base, response: roomResponse, handler: () => room });
api.route({
  ...base,
  response: roomResponse,
  // @ts-expect-error -- a room without most of its fields is not a Room
  handler: () => ({ id: room.id }),
});
api.route({
  ...base,
  response: roomResponse,
  // @ts-expect-error -- memberCount is a number on the wire
  handler: () => ({ ...room, memberCount: String(room.memberCount) }),
});
// @ts-expect-error -- only routes declaring emptyIsNoContent may answer nothing
api.route({ ...base, response: roomResponse, handler: async () => (Math.random() > 0.5 ? room : undefined) });
api.route({
  ...base,
  response: roomResponse,
  emptyIsNoContent: true,
  handler: async () => (Math.random() > 0.5 ? room : undefined),
});
// A 204 route answers nothing.
api.route({ ...base, method: 'delete', status: 204, handler: async () => {} });
// @ts-expect-error -- a route without a response schema has no body to answer
api.route({ ...base, method: 'delete', status: 204, handler: async () => room });

// Socket events: the payload and the ack follow from the event name.
on(socket, logger, 'message:send', schemas, async (payload) => {
  expectTypeOf(payload).toEqualTypeOf<{
    roomId: string;
    clientMsgId: string;
    text: string;
    replyTo?: string | undefined;
  }>();
  return { message };
});
on(socket, logger, 'read:update', schemas, async ({ roomId, seq }) => ({
  roomId,
  lastReadSeq: seq,
  unreadCount: 0,
}));
// @ts-expect-error -- message:send acknowledges with { message }, not { ok }
on(socket, logger, 'message:send', schemas, async () => ({ ok: true as const }));
// @ts-expect-error -- room:leave's payload has no messageId
on(socket, logger, 'room:leave', schemas, async ({ messageId }) => ({ ok: messageId }));
// @ts-expect-error -- a schema map without the event's schema is refused
on(socket, logger, 'auth:refresh', { 'room:leave': schemas['room:leave'] }, async () => ({ expiresAt: '' }));
