/**
 * What domains are built from: the platform's handles (`Deps`) plus the shared domain services other domains
 * use. Kept apart from `server.ts`, which builds it, so the domains that receive it do not import the wiring
 * that imports them.
 */
import type { Sessions } from './auth/session.js';
import type { Deps } from './platform/deps.js';
import type { SitesService } from './sites/sites.service.js';

/** The platform plus the sites and sessions services, as `createServer()` wires them. */
export interface DomainDeps extends Deps {
  sites: SitesService;
  sessions: Sessions;
}
