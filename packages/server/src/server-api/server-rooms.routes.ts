/**
 * `/v1/server/rooms/…`: the site's backend creates, changes and deletes rooms, sets members and their roles,
 * sends messages (as a member or as the site's system user) and reads history, in any room of its site.
 */
import {
  historyQuery,
  memberResponse,
  messageEnvelope,
  messagePageResponse,
  roomParams,
  roomResponse,
  serverCreateRoomBody,
  serverMemberParams,
  serverSendMessageBody,
  setServerMemberBody,
  updateRoomBody,
} from '@synctalk/sdk/schemas';
import type { Deps } from '../platform/deps.js';
import type { Api } from '../platform/api.js';
import { messageLimits } from '../messages/messages.schemas.js';
import type { SendAdmission } from '../messages/send-admission.js';
import { currentSite } from '../sites/site-context.js';
import type { ServerRoomsService } from './server-rooms.service.js';

export function registerServerRoomRoutes(
  api: Api,
  deps: Deps,
  rooms: ServerRoomsService,
  admission: SendAdmission,
): void {
  const tags = ['server-api'];

  api.route({
    method: 'post',
    path: '/v1/server/rooms',
    summary:
      "Create a room owned by ownerExternalId's user (else the site's system user), with initial members",
    tags,
    auth: 'apiKey',
    body: serverCreateRoomBody,
    response: roomResponse,
    status: 201,
    errors: ['validation_failed', 'unauthorized', 'not_found', 'forbidden'],
    handler: (ctx, { body }) => rooms.create(currentSite(ctx), body),
  });

  api.route({
    method: 'patch',
    path: '/v1/server/rooms/:id',
    summary: 'Change the title, description or visibility of a room of the site',
    tags,
    auth: 'apiKey',
    params: roomParams,
    body: updateRoomBody,
    response: roomResponse,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    handler: (ctx, { params, body }) => rooms.update(currentSite(ctx), params.id, body),
  });

  api.route({
    method: 'delete',
    path: '/v1/server/rooms/:id',
    summary: 'Delete a room of the site (with its messages and memberships)',
    tags,
    auth: 'apiKey',
    params: roomParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    handler: (ctx, { params }) => rooms.remove(currentSite(ctx), params.id),
  });

  api.route({
    method: 'put',
    path: '/v1/server/rooms/:id/members/:externalId',
    summary:
      "Add the user to the room with this role, or change their role ('owner' transfers ownership); banned users are refused",
    tags,
    auth: 'apiKey',
    params: serverMemberParams,
    body: setServerMemberBody,
    response: memberResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    handler: (ctx, { params, body }) =>
      rooms.setMember(currentSite(ctx), params.id, params.externalId, body.role),
  });

  api.route({
    method: 'delete',
    path: '/v1/server/rooms/:id/members/:externalId',
    summary: 'Remove the user from the room (they may join again); the owner only after ownership moved',
    tags,
    auth: 'apiKey',
    params: serverMemberParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'not_found', 'conflict'],
    handler: (ctx, { params }) => rooms.removeMember(currentSite(ctx), params.id, params.externalId),
  });

  api.route({
    method: 'post',
    path: '/v1/server/rooms/:id/messages',
    summary:
      "Send a message as asExternalId's user (a member), else as the site's system user; idempotent on " +
      'clientMsgId; connections in the room receive message:new',
    tags,
    auth: 'apiKey',
    params: roomParams,
    body: serverSendMessageBody(messageLimits(deps.config)),
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
      admission.run(async () => ({ message: await rooms.send(currentSite(ctx), params.id, body) })),
  });

  api.route({
    method: 'get',
    path: '/v1/server/rooms/:id/messages',
    summary: 'History of a room of the site, oldest first (keyset pages, as the user API)',
    tags,
    auth: 'apiKey',
    params: roomParams,
    query: historyQuery,
    response: messagePageResponse,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    handler: (ctx, { params, query }) => rooms.history(currentSite(ctx), params.id, query),
  });
}
