/**
 * Route authentication with a site API key, the two modes `api.route({ auth })` offers besides user tokens:
 *
 * - `apiKey`: only a site API key (`Authorization: Bearer stk_…`). The request's site becomes the key's
 *   site, whatever the site context picked before (without the `X-SyncTalk-Site` header it picked the
 *   default site, as the key is not a JWT naming one); a header naming another site is `unauthorized`.
 *   Sets `ctx.state.site` and `ctx.state.apiKey`; `ctx.state.user` stays unset. A user's access token is
 *   refused.
 * - `siteAdmin`: a site API key as above, or a site admin's access token (ROLE_ADMIN, `forbidden` for other
 *   users). Handlers read the site with `currentSite(ctx)`; `ctx.state.user` is set only for a user token.
 */
import type Koa from 'koa';
import { AppError } from '../platform/errors.js';
import { bearerToken } from '../auth/request-token.js';
import { requireRole } from '../auth/guard.js';
import { SITE_HEADER } from '../sites/site-context.js';
import type { ApiKeyRecord } from './api-keys.repository.js';
import { isApiKeyLike, type ApiKeysService } from './api-keys.service.js';

/** The API key that authenticated the request (`apiKey` routes, and `siteAdmin` ones called with a key). */
export function currentApiKey(ctx: Koa.Context): ApiKeyRecord | undefined {
  return ctx.state.apiKey as ApiKeyRecord | undefined;
}

export function apiKeyAuthMiddleware(keys: ApiKeysService, requireAuth: Koa.Middleware) {
  const requireApiKey: Koa.Middleware = async (ctx, next) => {
    const token = bearerToken(ctx);
    if (!token || !isApiKeyLike(token)) {
      throw new AppError(
        'unauthorized',
        token
          ? 'This route needs a site API key (Authorization: Bearer stk_…), not a user access token'
          : 'This route needs a site API key (Authorization: Bearer stk_…)',
      );
    }
    const found = await keys.authenticate(token);
    if (!found) throw new AppError('unauthorized', 'Invalid or revoked API key');
    const named = ctx.get(SITE_HEADER);
    if (named && named !== found.site.publicId) {
      throw new AppError('unauthorized', 'The API key belongs to another site');
    }
    ctx.state.site = found.site;
    ctx.state.apiKey = found.key;
    await next();
  };

  const requireAdmin = requireRole('ROLE_ADMIN');
  const requireSiteAdmin: Koa.Middleware = async (ctx, next) => {
    const token = bearerToken(ctx);
    if (token && isApiKeyLike(token)) return requireApiKey(ctx, next);
    return requireAuth(ctx, () => requireAdmin(ctx, next));
  };

  return { requireApiKey, requireSiteAdmin };
}
