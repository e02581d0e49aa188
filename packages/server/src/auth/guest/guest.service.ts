/**
 * Guests: throw-away accounts for visitors, on sites that turn them on (`settings.guestsEnabled`). Guests have
 * no site-wide role, so they cannot create rooms; they may chat in public rooms unless the site is
 * verified-only. Each address may create `GUEST_MAX_PER_IP` guests per site in `GUEST_WINDOW`, counted in the
 * shared store so every node sees the same numbers.
 */
import type { AuthResponse } from '@synctalk/sdk';
import { AppError } from '../../platform/errors.js';
import { rateLimiter, type RateLimit } from '../../platform/rate-limit.js';
import type { DomainDeps } from '../../domain-deps.js';
import type { Site } from '../../sites/sites.repository.js';
import { identitiesRepository } from '../identities.repository.js';

export function guestService(deps: DomainDeps) {
  const identities = identitiesRepository(deps.db);
  const limiter = rateLimiter(deps);
  const creations: RateLimit = {
    name: 'guest:ip',
    max: deps.config.auth.guests.maxPerIp,
    windowMs: deps.config.auth.guests.windowMs,
    // Without the counter there is no limit: refuse rather than hand out unlimited accounts.
    unavailable: 'Guest sign-in is temporarily unavailable; try again shortly',
  };

  return {
    /**
     * Creates a guest on `site` for a visitor at `ip` and signs it in. `forbidden` when the site has guests
     * off, `rate_limited` past the per-address limit.
     */
    async signIn(site: Site, input: { displayName: string }, ip: string): Promise<AuthResponse> {
      if (!site.settings.guestsEnabled)
        throw new AppError('forbidden', 'Guest access is disabled on this site');
      await limiter.consume(
        creations,
        [site.publicId, ip],
        (seconds) => `Too many guest sign-ins from this address; try again in ${seconds} seconds`,
      );
      const user = await identities.createGuest({ siteId: site.id, displayName: input.displayName });
      return deps.sessions.issue(user);
    },
  };
}

export type GuestService = ReturnType<typeof guestService>;
