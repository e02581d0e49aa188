/** The signed-in user's own profile: read it, change the display name or avatar. */
import type { User } from '@synctalk/sdk';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { publicUser, usersRepository, type UserRecord } from './users.repository.js';

export function meService(deps: Deps) {
  const users = usersRepository(deps.db);

  function profile(user: UserRecord | undefined): User {
    // The token outlived its account (deleted user, or a database restored without it).
    if (!user) throw new AppError('unauthorized', 'This account no longer exists');
    return publicUser(user);
  }

  return {
    /** The user's profile; `unauthorized` when the account is gone. */
    async get(siteId: string, userId: string): Promise<User> {
      return profile(await users.findById(siteId, userId));
    },

    /** Changes the user's display name or avatar; `unauthorized` when the account is gone. */
    async update(
      siteId: string,
      userId: string,
      patch: { displayName?: string; avatarUrl?: string | null },
    ): Promise<User> {
      return profile(await users.updateProfile(siteId, userId, patch));
    },
  };
}

export type MeService = ReturnType<typeof meService>;
