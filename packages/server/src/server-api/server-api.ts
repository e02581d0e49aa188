/**
 * The server API, wired: site API keys (their management routes and the `apiKey` / `siteAdmin` route
 * authentication), and the `/v1/server/…` routes a site's backend calls with a key.
 *
 * ```ts
 * const serverApi = serverApiAuth(deps, requireAuth);      // before the Api: its auth modes
 * const api = new Api({ requireAuth, optionalAuth, ...serverApi.auth });
 * registerServerApiRoutes(api, deps, serverApi, { members, messages, admission });
 * ```
 */
import type Koa from 'koa';
import type { DomainDeps } from '../domain-deps.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { SendAdmission } from '../messages/send-admission.js';
import type { Api } from '../platform/api.js';
import type { MembersService } from '../rooms/members.service.js';
import { apiKeyAuthMiddleware } from './api-key-auth.js';
import { registerApiKeyRoutes } from './api-keys.routes.js';
import { apiKeysService, type ApiKeysService } from './api-keys.service.js';
import { registerServerRoomRoutes } from './server-rooms.routes.js';
import { serverRoomsService } from './server-rooms.service.js';
import { registerServerUserRoutes } from './server-users.routes.js';
import { serverUsersService } from './server-users.service.js';
import { systemSender } from './system-sender.js';

export interface ServerApiAuth {
  keys: ApiKeysService;
  auth: { requireApiKey: Koa.Middleware; requireSiteAdmin: Koa.Middleware };
}

/** The API-key service and the route authentication modes built on it. */
export function serverApiAuth(deps: DomainDeps, requireAuth: Koa.Middleware): ServerApiAuth {
  const keys = apiKeysService(deps);
  return { keys, auth: apiKeyAuthMiddleware(keys, requireAuth) };
}

/** Declares the key management routes and the `/v1/server/…` routes. */
export function registerServerApiRoutes(
  api: Api,
  deps: DomainDeps,
  auth: ServerApiAuth,
  shared: { members: MembersService; messages: MessagesService; admission: SendAdmission },
): void {
  registerApiKeyRoutes(api, auth.keys);
  const users = serverUsersService(deps);
  const rooms = serverRoomsService(deps, {
    members: shared.members,
    messages: shared.messages,
    users,
    system: systemSender(deps),
  });
  registerServerUserRoutes(api, users);
  registerServerRoomRoutes(api, deps, rooms, shared.admission);
}
