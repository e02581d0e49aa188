/** `/v1/server/users/…`: the site's backend upserts its users by its own ids and starts sessions for them. */
import {
  authResponseSchema,
  serverUserParams,
  serverUserResponse,
  upsertServerUserBody,
  upsertServerUserResponse,
} from '@synctalk/sdk/schemas';
import type { Api } from '../platform/api.js';
import { currentSite } from '../sites/site-context.js';
import { serverUserView, type ServerUsersService } from './server-users.service.js';

export function registerServerUserRoutes(api: Api, users: ServerUsersService): void {
  const tags = ['server-api'];

  api.route({
    method: 'put',
    path: '/v1/server/users/:externalId',
    summary:
      "Create or update the site's user with this external id (the user site tokens sign in); absent fields are kept",
    tags,
    auth: 'apiKey',
    params: serverUserParams,
    body: upsertServerUserBody,
    response: upsertServerUserResponse,
    errors: ['validation_failed', 'unauthorized'],
    handler: (ctx, { params, body }) => users.upsert(currentSite(ctx), params.externalId, body),
  });

  api.route({
    method: 'get',
    path: '/v1/server/users/:externalId',
    summary: "The site's user with this external id",
    tags,
    auth: 'apiKey',
    params: serverUserParams,
    response: serverUserResponse,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    handler: async (ctx, { params }) => serverUserView(await users.find(currentSite(ctx), params.externalId)),
  });

  api.route({
    method: 'post',
    path: '/v1/server/users/:externalId/token',
    summary:
      'Start a session for the user (access and refresh token, as a sign-in answers) for the browser SDK to use',
    tags,
    auth: 'apiKey',
    params: serverUserParams,
    response: authResponseSchema,
    status: 201,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    handler: (ctx, { params }) => users.createToken(currentSite(ctx), params.externalId),
  });
}
