/**
 * Password accounts and sessions over HTTP: sign-up, sign-in, refresh and sign-out, all on the request's
 * site. Every sign-in answers an `AuthResponse` and also sets the access token as the `Authorization`
 * response header and an httpOnly cookie.
 */
import type { Api } from '../platform/api.js';
import { AppError } from '../platform/errors.js';
import type { DomainDeps } from '../domain-deps.js';
import { currentSite } from '../sites/site-context.js';
import { authResponseSchema, loginBody, logoutBody, refreshBody, signupBody } from '@synctalk/sdk/schemas';
import { loginLimiter } from './login-limiter.js';
import { registerMeRoutes } from './me.routes.js';
import { passwords } from './passwords.js';
import { attachAccessToken, clearAccessCookie } from './session.js';
import { usersRepository } from './users.repository.js';

const TAGS = ['auth'];

/** Registers `/v1/auth/*` and `/v1/me`. */
export function registerAuthRoutes(api: Api, deps: DomainDeps): void {
  const users = usersRepository(deps.db);
  const hasher = passwords({ cost: deps.config.auth.bcryptCost });
  const limiter = loginLimiter(deps);
  hasher.warmUp().catch((error: unknown) => deps.logger.warn({ err: error }, 'bcrypt warm-up failed'));

  const taken = (username: string) =>
    new AppError('conflict', `The username "${username}" is already taken on this site`);

  api.route({
    method: 'post',
    path: '/v1/auth/signup',
    summary: 'Create a password account on the site and sign in',
    tags: TAGS,
    body: signupBody,
    response: authResponseSchema,
    status: 201,
    errors: ['validation_failed', 'invalid_json', 'forbidden', 'conflict', 'rate_limited'],
    handler: async (ctx, { body }) => {
      const site = currentSite(ctx);
      if (!site.settings.signupEnabled) throw new AppError('forbidden', 'Sign-up is disabled on this site');
      await limiter.signup(site.publicId, ctx.ip);
      // Cheap check first, so a taken name costs no bcrypt hash; the unique index settles races.
      if (await users.findByUsername(site.id, body.username)) throw taken(body.username);
      const user = await users.createPasswordUser({
        siteId: site.id,
        username: body.username,
        displayName: body.displayName ?? body.username,
        passwordHash: await hasher.hash(body.password),
      });
      if (!user) throw taken(body.username);
      const auth = await deps.sessions.issue(user);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });

  api.route({
    method: 'post',
    path: '/v1/auth/login',
    summary: 'Sign in with username and password',
    tags: TAGS,
    body: loginBody,
    response: authResponseSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'rate_limited'],
    handler: async (ctx, { body }) => {
      const site = currentSite(ctx);
      const attempt = await limiter.begin(site.publicId, body.username, ctx.ip);
      const user = await users.findByUsername(site.id, body.username);
      // Only password accounts have a password. Everything else is compared against the dummy hash, so an
      // unknown username and a wrong password look and take the same.
      const hash = user?.kind === 'password' ? user.passwordHash : null;
      const ok = await hasher.verify(body.password, hash);
      if (!ok || !user || !hash) throw new AppError('unauthorized', 'Wrong username or password');
      await attempt.succeeded();
      if (hasher.needsRehash(hash)) {
        // BCRYPT_COST changed since this hash was made: store one at the current cost.
        await users.setPasswordHash(site.id, user.id, await hasher.hash(body.password));
      }
      const auth = await deps.sessions.issue(user);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });

  api.route({
    method: 'post',
    path: '/v1/auth/refresh',
    summary: 'Exchange a refresh token for a new access and refresh token',
    tags: TAGS,
    body: refreshBody,
    response: authResponseSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized'],
    handler: async (ctx, { body }) => {
      const auth = await deps.sessions.refresh(currentSite(ctx).id, body.refreshToken);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });

  api.route({
    method: 'post',
    path: '/v1/auth/logout',
    summary: "Sign out: end the refresh token's session and clear the access cookie",
    tags: TAGS,
    body: logoutBody,
    status: 204,
    errors: ['validation_failed', 'invalid_json'],
    handler: async (ctx, { body }) => {
      if (body.refreshToken) await deps.sessions.logout(currentSite(ctx).id, body.refreshToken);
      clearAccessCookie(ctx, deps.config);
    },
  });

  registerMeRoutes(api, deps);
}
