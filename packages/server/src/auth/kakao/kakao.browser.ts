/**
 * Binds a Kakao sign-in to the browser that started it, against login CSRF (a victim opening the callback
 * URL of an attacker's flow must not be signed in as the attacker).
 *
 * `start` is usually a cross-origin `fetch` from the embedding page, whose cookies would be third-party, so it
 * hands out this server's `GET /v1/auth/kakao/authorize?state=…` instead of Kakao's page. The popup (or the
 * page) opens that first, as a top-level navigation: it sets a random HttpOnly, SameSite=Lax cookie scoped to
 * the callback path and stores the SHA-256 of its value with the state, once per state, then redirects to
 * Kakao. The login callback (page or JSON) must carry that cookie; without it, or with another, the sign-in is
 * refused and the state left for its own browser. The authorize URL sits next to the callback URL
 * (KAKAO_REDIRECT_URI when it is this server's callback page), so the cookie is set on the origin that gets
 * Kakao's redirect.
 */
import type Koa from 'koa';
import type { Config } from '../../config.js';
import { randomToken, safeEqual, sha256 } from '../../platform/crypto.js';
import { serverBaseUrl, type OriginRequest } from '../../platform/own-origin.js';
import type { SharedStore } from '../../platform/redis.js';
import { STATE_TTL_MS } from './kakao.state.js';

/** The cookie carrying the browser's proof for the flow in progress. */
export const FLOW_COOKIE = 'synctalk_kakao_flow';

const CALLBACK_PATH = '/v1/auth/kakao/callback';
const AUTHORIZE_PATH = '/v1/auth/kakao/authorize';

const key = (state: string) => `kakao:browser:${sha256(state)}`;

/**
 * Where the browser reaches this server's Kakao callback: KAKAO_REDIRECT_URI when it is this server's callback
 * page (as the browser sees it, proxy prefix included), else this server's public address (PUBLIC_URL, or the
 * request's origin) plus the callback path, for a redirect URI on a page of the site that posts to it.
 */
export function callbackUrl(config: Config, request: OriginRequest): URL | undefined {
  const redirect = config.kakao.redirectUri ? new URL(config.kakao.redirectUri) : undefined;
  if (redirect?.pathname.endsWith(CALLBACK_PATH)) return new URL(`${redirect.origin}${redirect.pathname}`);
  const base = serverBaseUrl(request, config.http);
  return base ? new URL(`${base}${CALLBACK_PATH}`) : undefined;
}

/** The URL `start` hands out for `state`: this server's authorize step, next to the callback. */
export function authorizeUrl(callback: URL, state: string): string {
  const url = new URL(callback);
  url.pathname = `${url.pathname.slice(0, -CALLBACK_PATH.length)}${AUTHORIZE_PATH}`;
  url.search = new URLSearchParams({ state }).toString();
  return url.toString();
}

/**
 * Binds `state` to a new browser secret and returns it; undefined when the state was bound already (its
 * authorize link was opened before: each works once).
 */
export async function bindBrowser(store: SharedStore, state: string): Promise<string | undefined> {
  const secret = randomToken(32);
  const first = await store.set(key(state), sha256(secret), { ttlMs: STATE_TTL_MS, onlyIfAbsent: true });
  return first ? secret : undefined;
}

/** Whether `cookie` is the secret `state` was bound to. */
export async function isSameBrowser(
  store: SharedStore,
  state: string,
  cookie: string | undefined,
): Promise<boolean> {
  if (!cookie) return false;
  const bound = await store.get(key(state));
  return bound !== null && safeEqual(bound, sha256(cookie));
}

/** Drops the binding of a state that was used. */
export async function forgetBrowser(store: SharedStore, state: string): Promise<void> {
  await store.del(key(state));
}

function cookieOptions(ctx: Koa.Context, callback: URL, maxAge: number) {
  // Secure when the browser talks https: to this request, or to the public callback URL behind a proxy.
  const secure = ctx.secure || callback.protocol === 'https:';
  if (secure) ctx.cookies.secure = true;
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    path: callback.pathname,
    maxAge,
    overwrite: true,
  };
}

/** Sets the flow cookie, sent back only to the callback path, for as long as a state lives. */
export function setFlowCookie(ctx: Koa.Context, callback: URL, secret: string): void {
  ctx.cookies.set(FLOW_COOKIE, secret, cookieOptions(ctx, callback, STATE_TTL_MS));
}

/** Expires the flow cookie (its state is used up). */
export function clearFlowCookie(ctx: Koa.Context, callback: URL): void {
  ctx.cookies.set(FLOW_COOKIE, '', cookieOptions(ctx, callback, 0));
}

/** The flow cookie the request carries, if any. */
export function flowCookie(ctx: Koa.Context): string | undefined {
  return ctx.cookies.get(FLOW_COOKIE) || undefined;
}
