/**
 * Kakao Login over HTTP.
 *
 * - `GET  /v1/auth/kakao/start` → `{ url, state }` (or a 302 with `?redirect=1`): `url` is the authorize step.
 * - `GET  /v1/auth/kakao/authorize?state` → sets the flow cookie (`kakao.browser.ts`) and 302s to Kakao.
 * - `POST /v1/auth/kakao/callback {code, state}` → `AuthResponse`: for a page at KAKAO_REDIRECT_URI that
 *   forwards Kakao's redirect to the API with its site header (and, with credentials, the flow cookie).
 * - `GET  /v1/auth/kakao/callback?code&state` → an HTML page for popups (KAKAO_REDIRECT_URI pointing at the
 *   API): it posts the outcome to `window.opener` at the origin recorded when the flow started.
 *   Both callbacks sign in only the browser that opened the authorize step of the flow.
 * - `POST /v1/me/kakao/link/start`, `POST /v1/me/kakao/link/callback`, `DELETE /v1/me/kakao`: link and unlink
 *   Kakao on the signed-in account.
 */
import type Koa from 'koa';
import {
  authResponseSchema,
  kakaoAuthorizeQuery as authorizeQuery,
  kakaoCallbackBody as callbackBody,
  kakaoLinkResponse as linkResponse,
  kakaoLinkStartBody as linkStartBody,
  kakaoPopupQuery as popupQuery,
  kakaoStartQuery as startQuery,
  kakaoStartResponse as startResponse,
} from '@synctalk/sdk/schemas';
import type { Api } from '../../platform/api.js';
import { AppError } from '../../platform/errors.js';
import { toAppError } from '../../platform/http.js';
import type { DomainDeps } from '../../domain-deps.js';
import { currentSite, SITE_HEADER } from '../../sites/site-context.js';
import { currentUser } from '../guard.js';
import { attachAccessToken } from '../session.js';
import { publicUser } from '../users.repository.js';
import { authorizeUrl, callbackUrl, clearFlowCookie, flowCookie, setFlowCookie } from './kakao.browser.js';
import { renderPopup, type PopupMessage } from './kakao.popup.js';
import { kakaoService } from './kakao.service.js';

const TAGS = ['kakao'];
const UPSTREAM_ERRORS = ['bad_gateway', 'unavailable'];

interface PopupContext {
  type: 'kakao:login' | 'kakao:link';
  state: string | null;
  origin: string | null;
}

/** Registers the Kakao routes; called from `registerExternalAuthRoutes`. */
export function registerKakaoRoutes(api: Api, deps: DomainDeps): void {
  const kakao = kakaoService(deps);
  const { logger } = deps;

  /** Where this server's callback is for the browser (see `callbackUrl`). */
  const callbackFor = (ctx: Koa.Context): URL => {
    const url = callbackUrl(deps.config, ctx.req);
    if (!url) throw new AppError('validation_failed', 'The request names no host this server can answer for');
    return url;
  };

  // The route wrapper answers 200 with the handler's value; these run around it to answer otherwise.
  const redirectWhenAsked: Koa.Middleware = async (ctx, next) => {
    await next();
    const to = ctx.state.redirectTo as string | undefined;
    if (to) {
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(to);
    }
  };

  // Every outcome of the popup callback, failures included, is a page that tells the opener.
  const popupPage: Koa.Middleware = async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      let appError = toAppError(error);
      if (!appError) {
        logger.error({ err: error }, 'kakao: popup callback failed');
        appError = new AppError('internal', 'Internal server error');
      }
      const p = (ctx.state.kakaoPopup as PopupContext | undefined) ?? {
        type: 'kakao:login',
        state: null,
        origin: null,
      };
      renderPopup(ctx, {
        status: appError.status,
        message: {
          source: 'synctalk',
          type: p.type,
          ok: false,
          state: p.state,
          error: appError.toBody().error,
        },
        targetOrigin: p.origin,
      });
    }
  };

  api.route({
    method: 'get',
    path: '/v1/auth/kakao/start',
    summary: 'Start Kakao Login: the authorization URL (or a redirect to it) with a one-time state',
    tags: TAGS,
    query: startQuery,
    response: startResponse,
    errors: ['validation_failed', 'not_found', 'rate_limited', 'unavailable'],
    before: [redirectWhenAsked],
    handler: async (ctx, { query }) => {
      kakao.assertConfigured();
      let site = currentSite(ctx);
      if (query.site !== undefined && query.site !== site.publicId) {
        if (ctx.get(SITE_HEADER)) {
          throw new AppError(
            'validation_failed',
            'The site parameter and X-SyncTalk-Site name different sites',
          );
        }
        const named = await deps.sites.findByPublicId(query.site);
        if (!named) throw new AppError('not_found', `Unknown site "${query.site}"`);
        site = named;
      }
      const origin = kakao.popupOrigin(site, query.origin, ctx.req);
      const callback = callbackFor(ctx);
      const { state } = await kakao.start({ site, purpose: 'login', origin, ip: ctx.ip });
      // The browser goes to Kakao through this server's authorize step, which binds the flow to it.
      const url = authorizeUrl(callback, state);
      if (query.redirect === '1' || query.redirect === 'true') ctx.state.redirectTo = url;
      return { url, state };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/auth/kakao/authorize',
    summary:
      'Open a started Kakao sign-in in the browser: binds it to this browser (a cookie) and redirects to Kakao',
    tags: TAGS,
    query: authorizeQuery,
    errors: ['validation_failed', 'unauthorized', 'not_found'],
    before: [popupPage, redirectWhenAsked],
    handler: async (ctx, { query }) => {
      kakao.assertConfigured();
      const callback = callbackFor(ctx);
      // A refusal is a popup page too, telling the opener (when the flow is known) why.
      const known = await kakao.peek(query.state);
      if (known?.purpose === 'login') {
        ctx.state.kakaoPopup = {
          type: 'kakao:login',
          state: query.state,
          origin: known.origin ?? null,
        } satisfies PopupContext;
      }
      const { secret, url } = await kakao.authorize(query.state);
      setFlowCookie(ctx, callback, secret);
      ctx.state.redirectTo = url;
    },
  });

  api.route({
    method: 'post',
    path: '/v1/auth/kakao/callback',
    summary: "Finish Kakao Login with Kakao's code and the state: sign in (or up)",
    tags: TAGS,
    body: callbackBody,
    response: authResponseSchema,
    errors: ['validation_failed', 'invalid_json', 'unauthorized', 'not_found', ...UPSTREAM_ERRORS],
    handler: async (ctx, { body }) => {
      const user = await kakao.signIn(currentSite(ctx).id, body, flowCookie(ctx));
      clearFlowCookie(ctx, callbackFor(ctx));
      const auth = await deps.sessions.issue(user);
      attachAccessToken(ctx, deps.config, auth);
      return auth;
    },
  });

  api.route({
    method: 'get',
    path: '/v1/auth/kakao/callback',
    summary: 'Kakao redirect target for popups: an HTML page posting the outcome to the opener',
    tags: TAGS,
    query: popupQuery,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', ...UPSTREAM_ERRORS],
    before: [popupPage],
    handler: async (ctx, { query }) => {
      kakao.assertConfigured();
      if (!query.state) throw new AppError('validation_failed', 'Kakao did not send back a state');
      // A redirect from Kakao carries no site header: the flow's state names its site. A request that does
      // name a site must name the same one.
      const saved = await kakao.peek(query.state);
      if (!saved)
        throw new AppError('unauthorized', 'This Kakao sign-in is unknown, expired or already used');
      const popup: PopupContext = {
        type: saved.purpose === 'link' ? 'kakao:link' : 'kakao:login',
        state: query.state,
        origin: saved.origin ?? null,
      };
      ctx.state.kakaoPopup = popup;
      if (ctx.get(SITE_HEADER) && currentSite(ctx).id !== saved.siteId) {
        throw new AppError('unauthorized', 'This Kakao sign-in was started for another site');
      }
      const cookie = flowCookie(ctx);
      if (saved.purpose === 'login') {
        // Only the browser that opened the flow may finish (or cancel) it; from here its state is used up.
        await kakao.assertSameBrowser(query.state, cookie);
        clearFlowCookie(ctx, callbackFor(ctx));
      }
      if (query.error !== undefined) {
        await kakao.discard(query.state);
        if (query.error === 'access_denied')
          throw new AppError('unauthorized', 'Kakao sign-in was cancelled');
        logger.warn({ kakaoError: query.error }, 'kakao: authorization failed');
        const name = /^[A-Za-z0-9_.-]{1,64}$/.test(query.error) ? ` (${query.error})` : '';
        throw new AppError('bad_gateway', `Kakao refused the sign-in${name}`);
      }
      if (!query.code) throw new AppError('validation_failed', 'Kakao did not send back a code');

      let message: PopupMessage;
      if (saved.purpose === 'link') {
        // Linking changes an existing account, so it completes with that account's own token: the page
        // that opened the popup posts the code to /v1/me/kakao/link/callback. The state stays unused here.
        message = { source: 'synctalk', type: 'kakao:link', ok: true, state: query.state, code: query.code };
      } else {
        const user = await kakao.signIn(saved.siteId, { code: query.code, state: query.state }, cookie);
        const auth = await deps.sessions.issue(user);
        attachAccessToken(ctx, deps.config, auth);
        message = { source: 'synctalk', type: 'kakao:login', ok: true, state: query.state, auth };
      }
      // The page is the answer (this route has no response schema, so the wrapper leaves the body alone).
      renderPopup(ctx, { status: 200, message, targetOrigin: popup.origin });
    },
  });

  api.route({
    method: 'post',
    path: '/v1/me/kakao/link/start',
    summary: 'Start linking a Kakao account to the signed-in account',
    tags: TAGS,
    auth: 'required',
    body: linkStartBody,
    response: startResponse,
    errors: [
      'validation_failed',
      'unauthorized',
      'token_expired',
      'forbidden',
      'conflict',
      'not_found',
      'rate_limited',
    ],
    handler: async (ctx, { body }) => {
      kakao.assertConfigured();
      const site = currentSite(ctx);
      const me = currentUser(ctx);
      await kakao.assertCanLink(site.id, me.id);
      const origin = kakao.popupOrigin(site, body.origin, ctx.req);
      return kakao.start({ site, purpose: 'link', userId: me.id, origin, ip: ctx.ip });
    },
  });

  api.route({
    method: 'post',
    path: '/v1/me/kakao/link/callback',
    summary: 'Finish linking: Kakao code and state of a link started by this account',
    tags: TAGS,
    auth: 'required',
    body: callbackBody,
    response: linkResponse,
    errors: [
      'validation_failed',
      'unauthorized',
      'token_expired',
      'forbidden',
      'conflict',
      'not_found',
      ...UPSTREAM_ERRORS,
    ],
    handler: async (ctx, { body }) => {
      const user = await kakao.link(currentSite(ctx).id, currentUser(ctx).id, body);
      return { user: publicUser(user) };
    },
  });

  api.route({
    method: 'delete',
    path: '/v1/me/kakao',
    summary: 'Unlink Kakao from the signed-in account (accounts that sign in with Kakao cannot)',
    tags: TAGS,
    auth: 'required',
    response: linkResponse,
    errors: ['unauthorized', 'token_expired', 'not_found', 'conflict'],
    handler: async (ctx) => {
      const user = await kakao.unlink(currentSite(ctx).id, currentUser(ctx).id);
      return { user: publicUser(user) };
    },
  });
}
