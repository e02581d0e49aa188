/**
 * Host pages as strings: a plain "customer" page embedding the widget with one script tag, as the README
 * tells site owners to do.
 */

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
