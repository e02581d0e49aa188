/**
 * `/v1/site/api-keys`: a site's admins manage the API keys its backend uses on the server API (create: the
 * key is shown once; list; revoke). A user token of a site admin only: a key cannot mint more keys.
 */
import {
  apiKeyListResponse,
  apiKeyParams,
  createApiKeyBody,
  createdApiKeyResponse,
} from '@synctalk/sdk/schemas';
import { requireRole } from '../auth/guard.js';
import type { Api } from '../platform/api.js';
import { currentSite } from '../sites/site-context.js';
import type { ApiKeysService } from './api-keys.service.js';

export function registerApiKeyRoutes(api: Api, keys: ApiKeysService): void {
  const tags = ['server-api'];
  const admin = [requireRole('ROLE_ADMIN')];

  api.route({
    method: 'post',
    path: '/v1/site/api-keys',
    summary: "Create an API key for the site's backend (site admins); the key is in the answer, shown once",
    tags,
    auth: 'required',
    before: admin,
    body: createApiKeyBody,
    response: createdApiKeyResponse,
    status: 201,
    errors: ['validation_failed', 'unauthorized', 'forbidden'],
    handler: (ctx, { body }) => keys.create(currentSite(ctx), body.name),
  });

  api.route({
    method: 'get',
    path: '/v1/site/api-keys',
    summary: "The site's API keys that are not revoked (site admins); never the keys themselves",
    tags,
    auth: 'required',
    before: admin,
    response: apiKeyListResponse,
    errors: ['unauthorized', 'forbidden'],
    handler: async (ctx) => ({ items: await keys.list(currentSite(ctx)) }),
  });

  api.route({
    method: 'delete',
    path: '/v1/site/api-keys/:id',
    summary: 'Revoke an API key of the site (site admins); it stops working at once',
    tags,
    auth: 'required',
    before: admin,
    params: apiKeyParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => keys.revoke(currentSite(ctx), params.id),
  });
}
