/**
 * The demo page at `/` (DEMO_PAGE; on by default in development): static HTML that embeds the widget exactly
 * as a host page would, with `data-storage="session"` so every tab is its own guest, and explains how to
 * embed it elsewhere. No inline script or style: the page's CSP allows only same-origin scripts and styles
 * (`/widget.js`, `/demo.css`) and connections to this host.
 */
import Router from '@koa/router';
import type Koa from 'koa';
import { escapeHtml } from '../platform/html.js';
import { requestOrigin, serverBaseUrl, type OwnOriginOptions } from '../platform/own-origin.js';
import { DEMO_CSS } from './demo-styles.js';
import { contentHashes, sendCached } from './static-response.js';
import { WIDGET_PACKAGE, type WidgetAssets } from './widget-assets.js';
import { versionedPath } from './widget.routes.js';

export const DEMO_CSS_PATH = '/demo.css';

export interface DemoPageOptions {
  /** The public id of the site the page chats on (the default site). */
  sitePublicId: string;
  assets: WidgetAssets;
  self: OwnOriginOptions;
}

export interface DemoPageInput {
  sitePublicId: string;
  /** Where other sites load the widget from (PUBLIC_URL or the request's origin). */
  baseUrl: string;
  /** The widget package version, when installed. */
  version: string | undefined;
  /** Whether the bundle is built (otherwise the page says how to build it). */
  built: boolean;
}

/** The page's Content-Security-Policy; `host` (the request's host) is where the widget's socket goes. */
export function demoPageCsp(host: string | undefined): string {
  const sockets = host ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function renderDemoPage(input: DemoPageInput): string {
  const site = escapeHtml(input.sitePublicId);
  const base = escapeHtml(input.baseUrl);
  const snippet = escapeHtml(
    `<script async src="${input.baseUrl}/widget.js" data-site="${input.sitePublicId}"></script>`,
  );
  const notBuilt = input.built
    ? ''
    : `<section class="notice">
<h2>The widget is not built yet</h2>
<p>Run <code>npm run build -w ${escapeHtml(WIDGET_PACKAGE)}</code> (or <code>npm start</code>, which builds it) and
reload this page.</p>
</section>
`;
  const pinned = input.version
    ? `<p>To pin a version with Subresource Integrity, load
<code>${base}${escapeHtml(versionedPath(input.version))}</code> with the <code>integrity</code> value from
<a href="${escapeHtml(`/widget/${input.version}/integrity.json`)}">integrity.json</a> and
<code>crossorigin="anonymous"</code>.</p>
`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>SyncTalk demo</title>
<link rel="stylesheet" href="${DEMO_CSS_PATH}">
</head>
<body>
<main>
<h1>SyncTalk</h1>
<p class="lead">This page embeds the chat widget exactly as any website would. Open the chat from the
button in the corner and say hello in the Lobby.</p>
${notBuilt}<section>
<h2>Chat with yourself</h2>
<p>Open this page in a second tab: each tab signs in as its own guest, so the two can talk to each other.</p>
</section>
<section>
<h2>Embed it on your site</h2>
<p>Paste this into your page, before <code>&lt;/body&gt;</code>:</p>
<pre><code>${snippet}</code></pre>
<p>The browser calls this server from your page's origin (for example <code>https://www.example.com</code>),
so that origin must be allowed for site <code>${site}</code>: list it in <code>CORS_ORIGINS</code> before the
server's first start, or add it to the site's <code>allowedOrigins</code> later
(<code>PATCH /v1/site</code> as a site admin).</p>
${pinned}</section>
</main>
<script async src="/widget.js" data-site="${site}" data-storage="session"></script>
</body>
</html>
`;
}

/** `GET /` and `GET /demo.css`. */
export function demoPageRoutes(options: DemoPageOptions): Router {
  const router = new Router();
  const css = { body: DEMO_CSS, ...contentHashes(DEMO_CSS) };

  router.get('/', async (ctx: Koa.Context) => {
    const origin = requestOrigin(ctx.req, options.self.trustProxy);
    const html = renderDemoPage({
      sitePublicId: options.sitePublicId,
      baseUrl: serverBaseUrl(ctx.req, options.self) ?? '',
      version: options.assets.version,
      built: (await options.assets.read('widget.js')) !== undefined,
    });
    ctx.set({
      'Content-Security-Policy': demoPageCsp(origin && new URL(origin).host),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'Cache-Control': 'no-cache',
    });
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = html;
  });

  router.get(DEMO_CSS_PATH, (ctx) =>
    sendCached(ctx, css, { type: 'text/css; charset=utf-8', cacheControl: 'public, max-age=300' }),
  );

  return router;
}
