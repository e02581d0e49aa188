/**
 * The site's users as its backend manages them through the server API, by the site's own id for each
 * (`externalId`): the same users (kind `site`) site tokens sign in, through the same upsert, so a user made
 * here and one signing in with a site token for the same id are one account.
 */
import type { AuthResponse } from '@synctalk/sdk';
import type { ServerUser, UpsertServerUserResult } from '@synctalk/sdk';
import { cleanDisplayName } from '../auth/external-profile.js';
import { identitiesRepository } from '../auth/identities.repository.js';
import type { AuthUser } from '../auth/tokens.js';
import { publicUser, type UserRecord } from '../auth/users.repository.js';
import type { DomainDeps } from '../domain-deps.js';
import { AppError } from '../platform/errors.js';
import type { Site } from '../sites/sites.repository.js';
import { serverUsersRepository } from './server-users.repository.js';

/** A user as the server API shows it. */
export function serverUserView(user: UserRecord): ServerUser {
  return { ...publicUser(user), externalId: user.externalId ?? '' };
}

/** The `AuthUser` the domain services act as for `user` (their own roles; no token behind it). */
export function actingAs(user: UserRecord): AuthUser {
  return {
    id: user.id,
    siteId: user.siteId,
    roles: user.roles,
    kind: user.kind,
    exp: Math.floor(Date.now() / 1000) + 60,
  };
}

export function serverUsersService(deps: Pick<DomainDeps, 'db' | 'sessions' | 'logger'>) {
  const identities = identitiesRepository(deps.db);
  const repo = serverUsersRepository(deps.db);

  const noSuchUser = () => new AppError('not_found', 'No user with this external id');

  return {
    /** Creates the user `externalId` names, or updates the fields given. */
    async upsert(
      site: Site,
      externalId: string,
      input: { displayName?: string; avatarUrl?: string | null },
    ): Promise<UpsertServerUserResult> {
      const { user, created } = await identities.upsertSiteUser({
        siteId: site.id,
        externalId,
        fallbackName: cleanDisplayName(externalId) ?? 'User',
        displayName: input.displayName,
        avatarUrl: input.avatarUrl,
      });
      if (created) deps.logger.info({ userId: user.id, siteId: site.id }, 'server api: user created');
      return { user: serverUserView(user), created };
    },

    /** The user `externalId` names; `not_found` when the site has none. */
    async find(site: Site, externalId: string): Promise<UserRecord> {
      const user = await repo.findByExternalId(site.id, externalId);
      if (!user) throw noSuchUser();
      return user;
    },

    /** The users these external ids name, in the same order; `not_found` naming the first unknown one. */
    async findAll(site: Site, externalIds: string[]): Promise<UserRecord[]> {
      const found = new Map(
        (await repo.findByExternalIds(site.id, [...new Set(externalIds)])).map((u) => [u.externalId, u]),
      );
      return externalIds.map((externalId) => {
        const user = found.get(externalId);
        if (!user)
          throw new AppError('not_found', `No user with the external id "${externalId.slice(0, 80)}"`);
        return user;
      });
    },

    /** A new session for the user (what a sign-in answers), for the site's frontend to use. */
    async createToken(site: Site, externalId: string): Promise<AuthResponse> {
      const user = await this.find(site, externalId);
      const auth = await deps.sessions.issue(user);
      deps.logger.info({ userId: user.id, siteId: site.id }, 'server api: session issued');
      return auth;
    },
  };
}

export type ServerUsersService = ReturnType<typeof serverUsersService>;
