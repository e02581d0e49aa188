/**
 * Password accounts and sessions over HTTP: sign-up, sign-in, refresh and sign-out, all on the request's
 * site. Every sign-in answers an `AuthResponse` and also sets the access token as the `Authorization`
 * response header and an httpOnly cookie.
 */
import type { Api } from '../platform/api.js';
import type { DomainDeps } from '../domain-deps.js';
import { currentSite } from '../sites/site-context.js';
import { authResponseSchema, loginBody, logoutBody, refreshBody, signupBody } from '@synctalk/sdk/schemas';
import { authService } from './auth.service.js';
import { registerMeRoutes } from './me.routes.js';
import { attachAccessToken, clearAccessCookie } from './session.js';

const TAGS = ['auth'];

/** Registers `/v1/auth/*` and `/v1/me`. */
export function registerAuthRoutes(api: Api, deps: DomainDeps): void {
  const accounts = authService(deps);

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
      const auth = await accounts.signup(currentSite(ctx), body, ctx.ip);
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
      const auth = await accounts.login(currentSite(ctx), body, ctx.ip);
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
