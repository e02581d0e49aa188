/**
 * The page Kakao redirects a sign-in popup to. It hands the outcome to the page that opened the popup with
 * `window.opener.postMessage(message, origin)`, where `origin` is the embedding page's origin recorded when
 * the sign-in started (one of the site's allowed origins) — never `'*'`, so no other page can read the
 * tokens. With no opener, or no known origin, it only shows a short text.
 *
 * Messages have `source: 'synctalk'`, `type: 'kakao:login' | 'kakao:link'`, the `state` of the flow, and
 * either `ok: true` with `auth` (login) or `code` (link, to be completed with the page's own token), or
 * `ok: false` with `error: { code, message }`.
 */
import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import type { AuthResponse, ErrorBody } from '@synctalk/sdk';
import { escapeHtml } from '../../platform/html.js';

export type PopupMessage =
  | { source: 'synctalk'; type: 'kakao:login'; ok: true; state: string; auth: AuthResponse }
  | { source: 'synctalk'; type: 'kakao:link'; ok: true; state: string; code: string }
  | {
      source: 'synctalk';
      type: 'kakao:login' | 'kakao:link';
      ok: false;
      state: string | null;
      error: ErrorBody['error'];
    };

/** JSON that is safe inside a `<script>` element: no `</script>`, no HTML comment openers, no U+2028/9. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * Writes the popup page into `ctx`: status, headers (a nonce-only CSP, no caching, no referrer: the URL
 * carried the code) and the HTML.
 */
export function renderPopup(
  ctx: Koa.Context,
  input: { status: number; message: PopupMessage; targetOrigin: string | null },
): void {
  const nonce = randomBytes(16).toString('base64');
  const { message, targetOrigin } = input;
  const text = message.ok
    ? message.type === 'kakao:login'
      ? 'Signed in with Kakao. You can close this window.'
      : 'Kakao account confirmed. You can close this window.'
    : `Kakao sign-in failed: ${message.error.message}`;
  const script = targetOrigin
    ? `(function () {
  var message = ${scriptJson(message)};
  var targetOrigin = ${scriptJson(targetOrigin)};
  if (window.opener && !window.opener.closed) {
    window.opener.postMessage(message, targetOrigin);
    window.close();
  }
})();`
    : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>SyncTalk · Kakao</title>
<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;margin:3rem auto;max-width:28rem;padding:0 1rem;color:#222}</style>
</head>
<body>
<p>${escapeHtml(text)}</p>
${script ? `<script nonce="${nonce}">\n${script}\n</script>` : ''}
</body>
</html>
`;
  ctx.status = input.status;
  ctx.set({
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
  });
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}
