/**
 * Who may chat: THE site-wide write policy. On a site with `settings.verifiedOnly`, only users someone
 * vouches for (`site`: the host site's backend through a site token or the server API; `kakao`: signed in
 * with Kakao; `system`: the site's own sender, through the server API) may write;
 * password accounts and guests may still sign in, browse the directory and read rooms they belong to.
 *
 * Every chat write asks here, over REST and the socket alike: creating a room, joining one (by id or code),
 * sending, editing and deleting one's own messages, adding and removing reactions. Moderation (mute, kick,
 * ban, roles, code rotation, deleting other people's messages) is governed by room roles instead, so a site
 * can always clean up content.
 */
import type { UserKind } from '@synctalk/sdk';
import type { Site } from '../sites/sites.repository.js';
import { AppError } from '../platform/errors.js';
import type { AuthUser } from './tokens.js';

/** The user kinds a verified-only site accepts writes from (anything else is refused: fail closed). */
const VERIFIED_KINDS: ReadonlySet<UserKind> = new Set<UserKind>(['site', 'kakao', 'system']);

/** Whether `user` may write (send, edit, delete, react, create or join rooms) on `site`. */
export function canChat(site: Pick<Site, 'settings'>, user: Pick<AuthUser, 'kind'>): boolean {
  return !site.settings.verifiedOnly || VERIFIED_KINDS.has(user.kind);
}

/**
 * Throws `forbidden` when the site only lets verified users chat (users vouched for by the site's backend,
 * or signed in with Kakao) and `user` is a password account or a guest.
 */
export function assertCanChat(site: Pick<Site, 'settings'>, user: Pick<AuthUser, 'kind'>): void {
  if (!canChat(site, user)) throw new AppError('forbidden', 'This site only lets verified users chat');
}
