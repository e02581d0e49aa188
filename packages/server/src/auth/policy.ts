/** Who may chat. One place, used by room joins, room creation and the send path. */
import type { Site } from '../sites/sites.repository.js';
import { AppError } from '../platform/errors.js';
import type { AuthUser } from './tokens.js';

/**
 * Throws `forbidden` when the site only lets verified users chat (users vouched for by the site's backend,
 * or signed in with Kakao) and `user` is a password account or a guest.
 */
export function assertCanChat(site: Site, user: AuthUser): void {
  if (site.settings.verifiedOnly && (user.kind === 'password' || user.kind === 'guest')) {
    throw new AppError('forbidden', 'This site only lets verified users chat');
  }
}
