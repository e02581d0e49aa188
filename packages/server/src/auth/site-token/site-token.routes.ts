/**
 * `POST /v1/auth/site-token {token}`: signs in a user the site's own backend vouches for (see
 * `site-token.verify.ts` for what a token must carry). Each token works once: its `jti` is remembered until the
 * token expires (`used-token-ids.ts`: in Redis, else in the database), so a copied token cannot be replayed on
 * any node, nor after a restart.
 */
import type { Api } from '../../platform/api.js';
import { AppError } from '../../platform/errors.js';
import type { DomainDeps } from '../../domain-deps.js';
import { currentSite } from '../../sites/site-context.js';
import { cleanDisplayName } from '../external-profile.js';
import { identitiesRepository } from '../identities.repository.js';
import { attachAccessToken } from '../session.js';
import { authResponseSchema, siteTokenBody } from '@synctalk/sdk/schemas';
import { SITE_TOKEN_SKEW_S, verifySiteToken } from './site-token.verify.js';
import { usedTokenIds } from './used-token-ids.js';

/** Registers the site-token route; called from `registerExternalAuthRoutes`. */
export function registerSiteTokenRoutes(api: Api, deps: DomainDeps): void {
  const identities = identitiesRepository(deps.db);
  const used = usedTokenIds(deps);

  api.route({
    method: 'post',
    path: '/v1/auth/site-token',
    summary: "Sign in a user vouched for by the site's backend (a JWT signed with the site secret)",
    tags: ['auth'],
    body: siteTokenBody,
    response: authResponseSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'unavailable'],
    handler: async (ctx, { body }) => {
      const site = currentSite(ctx);
      const secret = await deps.sites.secretOf(site.id);
      if (!secret) throw new AppError('unavailable', 'This site has no signing secret');
      const claims = verifySiteToken(body.token, { publicId: site.publicId, secret });

      // Remember the jti until the token could no longer pass the expiry check anyway.
      const first = await used.claim(site, claims.jti, (claims.exp + SITE_TOKEN_SKEW_S) * 1000);
      if (!first)
        throw new AppError('unauthorized', 'Site token rejected: it was already used (jti replayed)');

      const { user, created } = await identities.upsertSiteUser({
        siteId: site.id,
        externalId: claims.sub,
        // Without a name claim a new user is known by the site's id for them, made fit to show.
        fallbackName: cleanDisplayName(claims.sub) ?? 'User',
        displayName: claims.name,
        avatarUrl: claims.avatar,
      });
      deps.logger.info({ userId: user.id, siteId: site.id, created }, 'site token: sign-in');
      const auth = await deps.sessions.issue(user);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });
}
