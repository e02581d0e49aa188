/**
 * The `{ id, publicId }` of a site, for `recordEvents`, when a domain write knows only the site's internal
 * id (requests authenticated by a user token carry `user.siteId`). Read through the change's transaction:
 * one primary-key lookup, paid only by writes that record events and hold no `Site` object.
 */
import type { Database } from '../platform/database.js';
import { sitesRepository } from '../sites/sites.repository.js';
import type { EventSite } from './outbox.js';

/** The site `siteId` as events name it; throws when it does not exist (its rows would be orphans). */
export async function eventSite(conn: Database, siteId: string): Promise<EventSite> {
  const site = await sitesRepository(conn).findById(siteId);
  if (!site) throw new Error(`no site ${siteId}`);
  return { id: site.id, publicId: site.publicId };
}
