/**
 * HTTP routes of messages: history pages, plus the same writes as the socket events for backends and
 * clients without a socket (they broadcast to the room's connections just the same), and the read marker.
 */
import type Koa from 'koa';
import {
  editMessageBody,
  historyQuery,
  messageEnvelope,
  messagePageResponse,
  messageParams,
  reactionBody,
  reactionParams,
  reactionResponse,
  readBody,
  readResponse,
  roomParams,
  sendMessageBody,
} from '@synctalk/sdk/schemas';
import type { Api } from '../platform/api.js';
import type { Deps } from '../platform/deps.js';
import { currentUser } from '../auth/guard.js';
import { currentSite } from '../sites/site-context.js';
import type { Actor, MessagesService } from './messages.service.js';
import { messageLimits } from './messages.schemas.js';
import type { SendAdmission } from './send-admission.js';

/**
 * Declares the message routes on `api`; `messages` is the one service the socket events use too, and
 * `admission` the node's one bound on sends in progress (server.ts).
 */
export function registerMessageRoutes(
  api: Api,
  deps: Deps,
  messages: MessagesService,
  admission: SendAdmission,
): void {
  const limits = messageLimits(deps.config);
  const tags = ['messages'];
  const actor = (ctx: Koa.Context): Actor => ({ user: currentUser(ctx), site: currentSite(ctx) });

  api.route({
    method: 'get',
    path: '/v1/rooms/:id/messages',
    summary:
      'History, oldest first: the latest page, or the page before/after a seq (keyset, at most 100; members only)',
    tags,
    auth: 'required',
    params: roomParams,
    query: historyQuery,
    response: messagePageResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, query }) => messages.history(actor(ctx), params.id, query),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/messages',
    summary:
      'Send a message (idempotent on clientMsgId); connections in the room receive message:new. ' +
      'A node with too many sends in progress answers 503 unavailable with Retry-After: send it again then',
    tags,
    auth: 'required',
    params: roomParams,
    body: sendMessageBody(limits),
    response: messageEnvelope,
    status: 201,
    errors: [
      'validation_failed',
      'unauthorized',
      'forbidden',
      'not_found',
      'conflict',
      'rate_limited',
      'unavailable',
    ],
    handler: (ctx, { params, body }) =>
      admission.run(async () => ({ message: await messages.send(actor(ctx), params.id, body) })),
  });

  api.route({
    method: 'patch',
    path: '/v1/rooms/:id/messages/:messageId',
    summary: "Edit one's own message",
    tags,
    auth: 'required',
    params: messageParams,
    body: editMessageBody(limits),
    response: messageEnvelope,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'],
    handler: async (ctx, { params, body }) => ({
      message: await messages.edit(actor(ctx), params.id, params.messageId, body.text),
    }),
  });

  api.route({
    method: 'delete',
    path: '/v1/rooms/:id/messages/:messageId',
    summary: "Delete a message (one's own; moderators and the owner any); answers the tombstone",
    tags,
    auth: 'required',
    params: messageParams,
    response: messageEnvelope,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: async (ctx, { params }) => ({
      message: await messages.remove(actor(ctx), params.id, params.messageId),
    }),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/messages/:messageId/reactions',
    summary: 'Add a reaction (idempotent)',
    tags,
    auth: 'required',
    params: messageParams,
    body: reactionBody,
    response: reactionResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'],
    handler: (ctx, { params, body }) =>
      messages.react(actor(ctx), params.id, params.messageId, body.emoji, true),
  });

  api.route({
    method: 'delete',
    path: '/v1/rooms/:id/messages/:messageId/reactions/:emoji',
    summary: 'Remove my reaction (the emoji URL-encoded)',
    tags,
    auth: 'required',
    params: reactionParams,
    response: reactionResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'],
    handler: (ctx, { params }) =>
      messages.react(actor(ctx), params.id, params.messageId, params.emoji, false),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/read',
    summary: 'Move my read marker forward to seq (never backwards); the room receives read',
    tags,
    auth: 'required',
    params: roomParams,
    body: readBody,
    response: readResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, body }) => messages.markRead(actor(ctx), params.id, body.seq),
  });
}
