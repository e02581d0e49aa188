/**
 * `POST /v1/auth/site-token {token}`: signs in a user the site's own backend vouches for (see
 * `site-token.verify.ts` for what a token must carry). Each token works once: its `jti` is remembered in the
 * shared store until the token expires, so a copied token cannot be replayed on any node.
 */
import type { Api } from '../../platform/api.js';
import { sha256 } from '../../platform/crypto.js';
import { AppError } from '../../platform/errors.js';
import type { DomainDeps } from '../../server.js';
import { currentSite } from '../../sites/site-context.js';
import { authResponseSchema } from '../auth.schemas.js';
import { cleanDisplayName } from '../external-profile.js';
import { identitiesRepository } from '../identities.repository.js';
import { attachAccessToken } from '../session.js';
import { siteTokenBody } from './site-token.schemas.js';
import { SITE_TOKEN_SKEW_S, verifySiteToken } from './site-token.verify.js';

/** Registers the site-token route; called from `registerExternalAuthRoutes`. */
export function registerSiteTokenRoutes(api: Api, deps: DomainDeps): void {
  const identities = identitiesRepository(deps.db);

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
      const now = Math.floor(Date.now() / 1000);
      const claims = verifySiteToken(body.token, { publicId: site.publicId, secret }, now);

      // Remember the jti until the token could no longer pass the expiry check anyway.
      const ttlMs = Math.max(1000, (claims.exp + SITE_TOKEN_SKEW_S - now) * 1000);
      let first: boolean;
      try {
        first = await deps.store.set(`sitetoken:jti:${site.publicId}:${sha256(claims.jti)}`, '1', {
          ttlMs,
          onlyIfAbsent: true,
        });
      } catch (error) {
        deps.logger.error({ err: error }, 'site token: replay store unavailable');
        throw new AppError('unavailable', 'Sign-in is temporarily unavailable; try again shortly');
      }
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
