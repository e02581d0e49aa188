/**
 * A room to chat in on the demo page: when the demo is on and the default site has no public room, a public
 * "Lobby" is created at start-up, owned by a system user of kind `site` (external id `synctalk-demo`, shown
 * as "SyncTalk"). Idempotent: a restart finds the room (or any other public room) and does nothing, and
 * nodes starting together create one Lobby between them (the rooms service decides under a site lock).
 */
import type { Room } from '@synctalk/sdk';
import { identitiesRepository } from '../auth/identities.repository.js';
import type { AuthUser } from '../auth/tokens.js';
import type { DomainDeps } from '../domain-deps.js';
import { roomsService } from '../rooms/rooms.service.js';
import type { Site } from '../sites/sites.repository.js';

export const DEMO_USER_EXTERNAL_ID = 'synctalk-demo';
export const DEMO_USER_NAME = 'SyncTalk';
export const LOBBY_TITLE = 'Lobby';
const LOBBY_DESCRIPTION = 'Say hello! Open a second tab to chat with yourself as another guest.';

/** Creates the Lobby on `site` unless it has a public room; returns the room when it was created. */
export async function ensureDemoLobby(deps: DomainDeps, site: Site): Promise<Room | undefined> {
  if (site.publicRoomCount > 0) return undefined;
  const { user } = await identitiesRepository(deps.db).upsertSiteUser({
    siteId: site.id,
    externalId: DEMO_USER_EXTERNAL_ID,
    // Only a new user takes the name: an administrator may have renamed it since.
    fallbackName: DEMO_USER_NAME,
  });
  const owner: AuthUser = { id: user.id, siteId: site.id, roles: user.roles, kind: user.kind, exp: 0 };
  return roomsService(deps).createIfNoPublicRoom(site, owner, {
    title: LOBBY_TITLE,
    description: LOBBY_DESCRIPTION,
  });
}
