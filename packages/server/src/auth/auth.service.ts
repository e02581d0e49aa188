/**
 * Password accounts on a site: sign-up and sign-in, behind the login limits of `login-limiter.ts`, with
 * bcrypt. Every sign-in ends in a new session (`sessions.issue`); the
 * routes only attach its access token to the response.
 */
import type { AuthResponse } from '@synctalk/sdk';
import { AppError } from '../platform/errors.js';
import type { DomainDeps } from '../domain-deps.js';
import type { Site } from '../sites/sites.repository.js';
import { loginLimiter } from './login-limiter.js';
import { passwords } from './passwords.js';
import { usersRepository } from './users.repository.js';

export function authService(deps: DomainDeps) {
  const users = usersRepository(deps.db);
  const hasher = passwords({ cost: deps.config.auth.bcryptCost });
  const limiter = loginLimiter(deps);
  hasher.warmUp().catch((error: unknown) => deps.logger.warn({ err: error }, 'bcrypt warm-up failed'));

  const taken = (username: string) =>
    new AppError('conflict', `The username "${username}" is already taken on this site`);

  return {
    /** Creates a password account on `site` (sign-up from `ip`, counted) and signs it in. */
    async signup(
      site: Site,
      input: { username: string; password: string; displayName?: string },
      ip: string,
    ): Promise<AuthResponse> {
      if (!site.settings.signupEnabled) throw new AppError('forbidden', 'Sign-up is disabled on this site');
      await limiter.signup(site.publicId, ip);
      // Cheap check first, so a taken name costs no bcrypt hash; the unique index settles races.
      if (await users.findByUsername(site.id, input.username)) throw taken(input.username);
      const user = await users.createPasswordUser({
        siteId: site.id,
        username: input.username,
        displayName: input.displayName ?? input.username,
        passwordHash: await hasher.hash(input.password),
      });
      if (!user) throw taken(input.username);
      return deps.sessions.issue(user);
    },

    /** Signs in with username and password on `site`, from `ip` (counted by the login limits). */
    async login(
      site: Site,
      input: { username: string; password: string },
      ip: string,
    ): Promise<AuthResponse> {
      const attempt = await limiter.begin(site.publicId, input.username, ip);
      const user = await users.findByUsername(site.id, input.username);
      // Only password accounts have a password. Everything else is compared against the dummy hash, so an
      // unknown username and a wrong password look and take the same.
      const hash = user?.kind === 'password' ? user.passwordHash : null;
      const ok = await hasher.verify(input.password, hash);
      if (!ok || !user || !hash) throw new AppError('unauthorized', 'Wrong username or password');
      await attempt.succeeded();
      if (hasher.needsRehash(hash)) {
        // BCRYPT_COST changed since this hash was made: store one at the current cost.
        await users.setPasswordHash(site.id, user.id, await hasher.hash(input.password));
      }
      return deps.sessions.issue(user);
    },
  };
}

export type AuthService = ReturnType<typeof authService>;
