/**
 * Sign-in from outside SyncTalk's own password accounts: Kakao Login, users vouched for by the site's backend
 * (site tokens), and guests. Wired from `server.ts` next to `registerAuthRoutes`.
 */
import type { Api } from '../platform/api.js';
import type { DomainDeps } from '../domain-deps.js';
import { registerGuestRoutes } from './guest/guest.routes.js';
import { registerKakaoRoutes } from './kakao/kakao.routes.js';
import { registerSiteTokenRoutes } from './site-token/site-token.routes.js';

export function registerExternalAuthRoutes(api: Api, deps: DomainDeps): void {
  registerKakaoRoutes(api, deps);
  registerSiteTokenRoutes(api, deps);
  registerGuestRoutes(api, deps);
}
