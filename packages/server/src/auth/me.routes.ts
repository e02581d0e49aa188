/** The signed-in user's own profile: `GET /v1/me` and `PATCH /v1/me`. */
import type { Api } from '../platform/api.js';
import { AppError } from '../platform/errors.js';
import type { DomainDeps } from '../domain-deps.js';
import { currentSite } from '../sites/site-context.js';
import { updateMeBody, userSchema } from '@synctalk/sdk/schemas';
import { currentUser } from './guard.js';
import { publicUser, usersRepository } from './users.repository.js';

const TAGS = ['me'];

// The token outlived its account (deleted user, or a database restored without it).
const gone = () => new AppError('unauthorized', 'This account no longer exists');

/** Registers the profile routes; called from `registerAuthRoutes`. */
export function registerMeRoutes(api: Api, deps: DomainDeps): void {
  const users = usersRepository(deps.db);

  api.route({
    method: 'get',
    path: '/v1/me',
    summary: 'The signed-in user',
    tags: TAGS,
    auth: 'required',
    response: userSchema,
    errors: ['unauthorized', 'token_expired'],
    handler: async (ctx) => {
      const user = await users.findById(currentSite(ctx).id, currentUser(ctx).id);
      if (!user) throw gone();
      return publicUser(user);
    },
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
    handler: async (ctx, { body }) => {
      const user = await users.updateProfile(currentSite(ctx).id, currentUser(ctx).id, body);
      if (!user) throw gone();
      return publicUser(user);
    },
  });
}
