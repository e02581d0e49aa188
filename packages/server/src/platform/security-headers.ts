/**
 * Security headers on every answer of the HTTP app, errors and 404s included (installed first, applied once
 * the response is final):
 *
 * - `X-Content-Type-Options: nosniff`;
 * - `Referrer-Policy: no-referrer`, unless the route chose one (the demo page);
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` when the route set none: nothing an
 *   API answer is opened as may load or frame anything. A route's own CSP (HTML pages) is kept, and gets
 *   `frame-ancestors 'none'` appended when it has no `frame-ancestors` of its own;
 * - `X-Frame-Options: DENY` when the CSP forbids every frame ancestor (for browsers without CSP level 2);
 * - `Cross-Origin-Resource-Policy: same-origin` unless the route chose one (the widget bundle is
 *   `cross-origin`: any website loads it). CORS requests (the widget's API calls) are not subject to it;
 * - `Strict-Transport-Security` only on requests that arrived over HTTPS (`ctx.secure`, which believes
 *   `X-Forwarded-Proto` only from trusted proxies).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type Koa from 'koa';

/** The CSP of every answer whose route set none. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** One year; sent only over HTTPS. */
export const HSTS = 'max-age=31536000';

/** `policy` with `frame-ancestors 'none'` added when it does not say which ancestors may frame it. */
export function withFrameAncestors(policy: string): string {
  if (/(^|;)\s*frame-ancestors(\s|;|$)/i.test(policy)) return policy;
  return `${policy.replace(/[\s;]+$/, '')}; frame-ancestors 'none'`;
}

/** Whether `policy` forbids every frame ancestor. */
function framingForbidden(policy: string): boolean {
  return /(^|;)\s*frame-ancestors\s+'none'\s*(;|$)/i.test(policy);
}

/** Sets the headers above on `ctx`'s response, keeping what the route chose. */
export function applySecurityHeaders(ctx: Koa.Context): void {
  ctx.set('X-Content-Type-Options', 'nosniff');
  if (!ctx.response.get('Referrer-Policy')) ctx.set('Referrer-Policy', 'no-referrer');
  const own = ctx.response.get('Content-Security-Policy');
  const csp = own ? withFrameAncestors(own) : API_CSP;
  ctx.set('Content-Security-Policy', csp);
  if (!ctx.response.get('X-Frame-Options') && framingForbidden(csp)) ctx.set('X-Frame-Options', 'DENY');
  if (!ctx.response.get('Cross-Origin-Resource-Policy'))
    ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
}

/** The middleware: install it first so it sees every response, whatever the middleware after it did. */
export function securityHeaders(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      applySecurityHeaders(ctx);
    }
  };
}

/**
 * For Engine.IO's `headers` event (Socket.IO's handshake and long-polling answers, which bypass Koa):
 * `io.engine.on('headers', engineSecurityHeaders)`.
 */
export function engineSecurityHeaders(headers: OutgoingHttpHeaders): void {
  headers['X-Content-Type-Options'] = 'nosniff';
}
