/**
 * What domains are built from: the platform's handles (`Deps`) plus the shared domain services other domains
 * use, and the one way to reach sockets (`realtime`, the server's room emitter). Kept apart from `server.ts`,
 * which builds it, so the domains that receive it do not import the wiring that imports them.
 */
import type { Sessions } from './auth/session.js';
import type { Deps } from './platform/deps.js';
import type { RoomRealtime } from './rooms/room-events.js';
import type { SitesService } from './sites/sites.service.js';

/** The platform plus the sites and sessions services and the room emitter, as `createServer()` wires them. */
export interface DomainDeps extends Deps {
  sites: SitesService;
  sessions: Sessions;
  /** `emit` to a chat room's connections on every node; `notify` the socket layer of room changes. */
  realtime: RoomRealtime;
  /**
   * This node's webhook delivery worker: `nudge()` after committing a change that recorded events (outbox.ts)
   * so they go out at once rather than at the next poll.
   */
  webhooks: { nudge(): void };
}
