/**
 * `POST /v1/auth/guest {displayName}`: a throw-away account for a visitor, on sites that turn guests on
 * (`settings.guestsEnabled`); the rules and the per-address limit are `guest.service.ts`.
 */
import type { Api } from '../../platform/api.js';
import type { DomainDeps } from '../../domain-deps.js';
import { currentSite } from '../../sites/site-context.js';
import { authResponseSchema, guestBody } from '@synctalk/sdk/schemas';
import { attachAccessToken } from '../session.js';
import { guestService } from './guest.service.js';

/** Registers the guest route; called from `registerExternalAuthRoutes`. */
export function registerGuestRoutes(api: Api, deps: DomainDeps): void {
  const guests = guestService(deps);

  api.route({
    method: 'post',
    path: '/v1/auth/guest',
    summary: 'Sign in as a new guest (sites with guests enabled)',
    tags: ['auth'],
    body: guestBody,
    response: authResponseSchema,
    status: 201,
    errors: ['validation_failed', 'invalid_json', 'forbidden', 'rate_limited', 'unavailable'],
    handler: async (ctx, { body }) => {
      const auth = await guests.signIn(currentSite(ctx), body, ctx.ip);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });
}
