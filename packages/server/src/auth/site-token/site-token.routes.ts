/**
 * `POST /v1/auth/site-token {token}`: signs in a user the site's own backend vouches for; the checks and the
 * one-use rule are `site-token.service.ts`.
 */
import type { Api } from '../../platform/api.js';
import type { DomainDeps } from '../../domain-deps.js';
import { currentSite } from '../../sites/site-context.js';
import { authResponseSchema, siteTokenBody } from '@synctalk/sdk/schemas';
import { attachAccessToken } from '../session.js';
import { siteTokenService } from './site-token.service.js';

/** Registers the site-token route; called from `registerExternalAuthRoutes`. */
export function registerSiteTokenRoutes(api: Api, deps: DomainDeps): void {
  const siteTokens = siteTokenService(deps);

  api.route({
    method: 'post',
    path: '/v1/auth/site-token',
    summary: "Sign in a user vouched for by the site's backend (a JWT signed with the site secret)",
    tags: ['auth'],
    body: siteTokenBody,
    response: authResponseSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'unavailable'],
    handler: async (ctx, { body }) => {
      const auth = await siteTokens.signIn(currentSite(ctx), body.token);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });
}
