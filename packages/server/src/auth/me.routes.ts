/** The signed-in user's own profile: `GET /v1/me` and `PATCH /v1/me`. */
import type { Api } from '../platform/api.js';
import type { DomainDeps } from '../domain-deps.js';
import { currentSite } from '../sites/site-context.js';
import { updateMeBody, userSchema } from '@synctalk/sdk/schemas';
import { currentUser } from './guard.js';
import { meService } from './me.service.js';

const TAGS = ['me'];

/** Registers the profile routes; called from `registerAuthRoutes`. */
export function registerMeRoutes(api: Api, deps: DomainDeps): void {
  const me = meService(deps);

  api.route({
    method: 'get',
    path: '/v1/me',
    summary: 'The signed-in user',
    tags: TAGS,
    auth: 'required',
    response: userSchema,
    errors: ['unauthorized', 'token_expired'],
    handler: (ctx) => me.get(currentSite(ctx).id, currentUser(ctx).id),
  });

  api.route({
    method: 'patch',
    path: '/v1/me',
    summary: "Change the signed-in user's display name or avatar",
    tags: TAGS,
    auth: 'required',
    body: updateMeBody,
    response: userSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'token_expired'],
    handler: (ctx, { body }) => me.update(currentSite(ctx).id, currentUser(ctx).id, body),
  });
}
