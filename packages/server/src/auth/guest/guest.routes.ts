/**
 * `POST /v1/auth/guest {displayName}`: a throw-away account for a visitor, on sites that turn guests on
 * (`settings.guestsEnabled`). Guests have no site-wide role, so they cannot create rooms; they may chat in
 * public rooms unless the site is verified-only. Each IP may create `GUEST_MAX_PER_IP` guests per site in
 * `GUEST_WINDOW`, counted in the shared store so every node sees the same numbers.
 */
import type { Api } from '../../platform/api.js';
import { AppError } from '../../platform/errors.js';
import type { DomainDeps } from '../../domain-deps.js';
import { currentSite } from '../../sites/site-context.js';
import { identitiesRepository } from '../identities.repository.js';
import { attachAccessToken } from '../session.js';
import { authResponseSchema, guestBody } from '@synctalk/sdk/schemas';

/** Registers the guest route; called from `registerExternalAuthRoutes`. */
export function registerGuestRoutes(api: Api, deps: DomainDeps): void {
  const identities = identitiesRepository(deps.db);
  const { maxPerIp, windowMs } = deps.config.auth.guests;

  /** Counts one guest creation from `ip` on the site; throws `rate_limited` past the limit. */
  async function countCreation(sitePublicId: string, ip: string): Promise<void> {
    let hit: { count: number; resetMs: number };
    try {
      hit = await deps.store.hit(`guest:ip:${sitePublicId}:${ip}`, windowMs);
    } catch (error) {
      // Without the counter there is no limit: refuse rather than hand out unlimited accounts.
      deps.logger.error({ err: error }, 'guest rate-limit store unavailable');
      throw new AppError('unavailable', 'Guest sign-in is temporarily unavailable; try again shortly');
    }
    if (hit.count > maxPerIp) {
      const seconds = Math.max(1, Math.ceil(hit.resetMs / 1000));
      throw new AppError(
        'rate_limited',
        `Too many guest sign-ins from this address; try again in ${seconds} seconds`,
        { retryAfter: seconds },
        { 'Retry-After': String(seconds) },
      );
    }
  }

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
      const site = currentSite(ctx);
      if (!site.settings.guestsEnabled)
        throw new AppError('forbidden', 'Guest access is disabled on this site');
      await countCreation(site.publicId, ctx.ip);
      const user = await identities.createGuest({ siteId: site.id, displayName: body.displayName });
      const auth = await deps.sessions.issue(user);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });
}
