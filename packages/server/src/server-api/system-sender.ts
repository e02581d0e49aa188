/**
 * The site's system user: the author of messages its backend sends through the server API without naming a
 * user, and the owner of rooms it creates without one. One user of kind `system` per site, created on first
 * use (race-safe: a unique index and ON CONFLICT), remembered per node afterwards. As the server API's actor
 * it has site-admin powers, so the domain services' checks let it act in any room of its site.
 */
import type { AuthUser } from '../auth/tokens.js';
import type { Deps } from '../platform/deps.js';
import type { Site } from '../sites/sites.repository.js';
import { serverUsersRepository } from './server-users.repository.js';

/** The system user's display name. */
export const SYSTEM_DISPLAY_NAME = 'System';

export function systemSender(deps: Pick<Deps, 'db'>) {
  const repo = serverUsersRepository(deps.db);
  // site id → system user id (a site's system user never changes once made).
  const known = new Map<string, string>();

  return {
    /** The site's system user as an actor with site-admin powers (created when it does not exist yet). */
    async actor(site: Site): Promise<AuthUser> {
      let id = known.get(site.id);
      if (id === undefined) {
        id = (await repo.ensureSystemUser(site.id, SYSTEM_DISPLAY_NAME)).id;
        if (known.size >= 10_000) known.clear();
        known.set(site.id, id);
      }
      return {
        id,
        siteId: site.id,
        roles: ['ROLE_USER', 'ROLE_ADMIN'],
        kind: 'system',
        exp: Math.floor(Date.now() / 1000) + 60,
      };
    },
  };
}

export type SystemSender = ReturnType<typeof systemSender>;
