/** `client.siteInfo`: what anyone may know about the client's site before signing in. */
import type { PublicSite } from '../../protocol/sites.js';
import type { CallOptions, RestContext } from './call.js';

/**
 * The site API available without signing in.
 *
 * @example
 * ```ts
 * const { name, settings } = await client.siteInfo.info();
 * if (settings.guestsEnabled) showGuestButton();
 * ```
 */
export interface SiteApi {
  /**
   * The site's name and sign-in switches (`GET /v1/site/public`): whether guests and sign-up are allowed,
   * whether only verified users may chat, and whether Kakao Login is available.
   *
   * @example
   * ```ts
   * const site = await client.siteInfo.info();
   * ```
   */
  info(options?: CallOptions): Promise<PublicSite>;
}

/** Builds `client.site`. */
export function siteApi(ctx: RestContext): SiteApi {
  return {
    info: (options) => ctx.anonymous('GET', '/v1/site/public', options),
  };
}
