/**
 * Host pages as strings: a plain "customer" page embedding the widget with one script tag, as the README
 * tells site owners to do.
 */
import type { HostServer } from './host-server.js';

export interface EmbedOptions {
  /** The chat node the page loads `/widget.js` from (also the widget's server: the script's own origin). */
  chat: string;
  /** `data-*` attributes of the script tag, without the `data-` prefix (`{ room: '12', theme: 'dark' }`). */
  data?: Record<string, string | number | boolean>;
  /** HTML placed in `<head>` before the widget's script tag (e.g. a same-origin script). */
  head?: string;
  /** Inline script run before the widget's script tag (after the queue stub). Not for CSP pages. */
  inline?: string;
  /** HTML placed in `<body>` after the page's own header and text (more host content). */
  body?: string;
  title?: string;
  /** The viewport meta's content (default `width=device-width, initial-scale=1`). */
  viewport?: string;
  /** The page's `<main>` content as HTML (default: one paragraph about the shop). */
  main?: string;
}

export function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A value for an inline script: JSON that cannot close the `<script>` element. */
export function scriptValue(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The queue stub from the embed docs: `SyncTalk(…)` calls made before widget.js arrives are kept. */
export const QUEUE_STUB =
  'window.SyncTalk = window.SyncTalk || function () { (window.SyncTalk.q = window.SyncTalk.q || []).push(arguments); };';

export function embedPage(options: EmbedOptions): string {
  const attrs = Object.entries({ locale: 'en', ...options.data })
    .map(([name, value]) => ` data-${name}="${escapeAttribute(String(value))}"`)
    .join('');
  const inline = options.inline === undefined ? '' : `<script>${QUEUE_STUB}\n${options.inline}</script>`;
  const title = escapeAttribute(options.title ?? 'Acme Outdoor Supply');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="${escapeAttribute(options.viewport ?? 'width=device-width, initial-scale=1')}">
<title>${title}</title>
${options.head ?? ''}
${inline}
<script async src="${escapeAttribute(`${options.chat}/widget.js`)}"${attrs}></script>
</head>
<body>
<header><h1>${title}</h1></header>
<main>
${options.main ?? '<p>Tents, stoves and sleeping bags for every season. Questions? Our team answers in the chat.</p>'}
</main>
${options.body ?? ''}
</body>
</html>
`;
}

/**
 * A site's own stylesheet (same-origin, so `style-src 'self'` allows it): a sticky header above its
 * content, and a `main` that fills the viewport, so the widget's corner is over the page's content.
 */
export const SITE_CSS = `
html { background: #f4efe6; }
body { margin: 0; font: 17px/1.6 Georgia, 'Times New Roman', serif; color: #2b2b2b; }
header { position: sticky; top: 0; z-index: 10; padding: 14px 32px; background: #183a5a; color: #fff; }
header h1 { margin: 0; font-size: 24px; }
main { min-height: 100vh; padding: 24px 32px; background: #fbf8f2; }
`;

/** Serves SITE_CSS at `/site.css` on `host`; returns the `<link>` for the page's `<head>`. */
export function serveSiteStyles(host: HostServer): string {
  host.serve('/site.css', { body: SITE_CSS, type: 'text/css; charset=utf-8' });
  return '<link rel="stylesheet" href="/site.css">';
}
