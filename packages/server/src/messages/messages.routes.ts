/**
 * HTTP routes of messages: history pages, plus the same writes as the socket events for backends and
 * clients without a socket (they broadcast to the room's connections just the same), and the read marker.
 */
import type Koa from 'koa';
import { z } from 'zod';
import type { Api } from '../platform/api.js';
import type { Deps } from '../platform/deps.js';
import { currentUser } from '../auth/guard.js';
import { currentSite } from '../sites/site-context.js';
import type { Actor, MessagesService } from './messages.service.js';
import {
  messageEnvelope,
  messagePageResponse,
  messageSchemas,
  reactionResponse,
  seq,
} from './messages.schemas.js';

const readResponse = z.object({
  roomId: z.string(),
  lastReadSeq: z.string(),
  unreadCount: z.number().int(),
});

/** Declares the message routes on `api`; `messages` is the realtime domain's service (it broadcasts). */
export function registerMessageRoutes(api: Api, deps: Deps, messages: MessagesService): void {
  const s = messageSchemas(deps.config);
  const tags = ['messages'];
  const actor = (ctx: Koa.Context): Actor => ({ user: currentUser(ctx), site: currentSite(ctx) });

  api.route({
    method: 'get',
    path: '/v1/rooms/:id/messages',
    summary:
      'History, oldest first: the latest page, or the page before/after a seq (keyset, at most 100; members only)',
    tags,
    auth: 'required',
    params: s.roomParams,
    query: s.historyQuery,
    response: messagePageResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, query }) => messages.history(actor(ctx), params.id, query),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/messages',
    summary: 'Send a message (idempotent on clientMsgId); connections in the room receive message:new',
    tags,
    auth: 'required',
    params: s.roomParams,
    body: s.sendBody,
    response: messageEnvelope,
    status: 201,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'rate_limited'],
    handler: async (ctx, { params, body }) => ({ message: await messages.send(actor(ctx), params.id, body) }),
  });

  api.route({
    method: 'patch',
    path: '/v1/rooms/:id/messages/:messageId',
    summary: "Edit one's own message",
    tags,
    auth: 'required',
    params: s.messageParams,
    body: s.editBody,
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
    params: s.messageParams,
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
    params: s.messageParams,
    body: s.reactionBody,
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
    params: s.reactionParams,
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
    params: s.roomParams,
    body: z.strictObject({ seq }),
    response: readResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, body }) => messages.markRead(actor(ctx), params.id, body.seq),
  });
}
